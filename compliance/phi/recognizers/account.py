"""Account, billing, claim and card numbers after a cue."""

from presidio_analyzer import Pattern

from compliance.phi.entities import ACCOUNT
from compliance.phi.recognizers.base import DIGIT, ID_JOIN, ID_TOKEN, DataPatternRecognizer
from compliance.phi.recognizers.cues import cue

CUE = rf"(?i:\b{cue('account')}{ID_JOIN})"


class PhiAccountRecognizer(DataPatternRecognizer):
    ENTITY = ACCOUNT
    TRIGGER = DIGIT
    PATTERNS = (
        Pattern("id after account cue", rf"{CUE}\K{ID_TOKEN}(?:[ -]\d{{4}}){{0,3}}", 0.95),
        Pattern("prefixed number", r"(?<![\w#])(?i:rx|claim|acct|ref|inv|order|ticket|case)\s?#\s?\d{5,12}\b", 0.85),
        Pattern("payment card", r"(?<![\d-])(?:\d{4}[ -]){3}\d{4}(?![\d-])", 0.85),
    )
