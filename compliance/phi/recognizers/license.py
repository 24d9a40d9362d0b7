"""Certificate and licence numbers: driver's licence, DEA, NPI, passport, professional licences."""

from presidio_analyzer import Pattern

from compliance.phi.entities import LICENSE
from compliance.phi.recognizers.base import DIGIT, ID_JOIN, ID_TOKEN, DataPatternRecognizer
from compliance.phi.recognizers.cues import cue

CUE = rf"(?i:\b{cue('license')}{ID_JOIN})"


class PhiLicenseRecognizer(DataPatternRecognizer):
    ENTITY = LICENSE
    TRIGGER = DIGIT
    PATTERNS = (
        Pattern("id after licence cue", rf"{CUE}\K(?!plate\b){ID_TOKEN}", 0.95),
        Pattern("dea number", r"\b[ABFGMPRX][A-Z]\d{7}\b", 0.6),
    )
