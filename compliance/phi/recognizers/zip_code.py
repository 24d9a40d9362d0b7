"""ZIP codes: after a state, or after a "zip"/"postal code" cue."""

from presidio_analyzer import Pattern

from compliance.phi.entities import ZIP
from compliance.phi.lexicon import word_list
from compliance.phi.recognizers.base import DataPatternRecognizer, alternation
from compliance.phi.recognizers.cues import cue

STATES = alternation(word_list("us_states"))
CUE = rf"(?i:\b{cue('zip')}\s*(?:is|:|#)?\s*)"


class PhiZipRecognizer(DataPatternRecognizer):
    ENTITY = ZIP
    TRIGGER = r"\d"
    PATTERNS = (
        Pattern("zip after cue", rf"{CUE}\K\d{{5}}(?:-\d{{4}})?\b", 0.95),
        Pattern("canadian postal code", r"\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d\b", 0.8),
        Pattern("uk postcode", r"\b[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}\b", 0.8),
        Pattern("zip after state", rf"(?<=\b{STATES},?\s)\d{{5}}(?:-\d{{4}})?\b", 0.85),
    )
