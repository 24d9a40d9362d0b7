"""Medical record numbers: an identifier after an MRN/chart/record cue; long bare digit runs."""

from presidio_analyzer import Pattern

from compliance.phi.entities import MRN
from compliance.phi.recognizers.base import DIGIT, ID_JOIN, ID_TOKEN, DataPatternRecognizer
from compliance.phi.recognizers.cues import cue

CUE = rf"(?i:\b{cue('mrn')}{ID_JOIN})"


class PhiMrnRecognizer(DataPatternRecognizer):
    ENTITY = MRN
    TRIGGER = DIGIT
    PATTERNS = (
        Pattern("id after record cue", rf"{CUE}\K{ID_TOKEN}", 0.95),
        Pattern("MRN-prefixed token", r"(?i)\bMRN[-:#]?\d{4,}\b", 0.95),
        # Other unique identifiers (Safe Harbor "any other unique number"): letters then five or more digits,
        # or a mixed token after "number is" / "#" whatever the (possibly misspelt) word before it.
        Pattern("letter-prefixed number", r"\b[A-Z]{1,4}\d{5,}[A-Z]?\b", 0.5),
        Pattern(
            "mixed token after number cue",
            r"(?i:\b(?:number|no\.|num|#)\s*(?:is|was|:|=)?\s*)\K(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9-]{6,}\b",
            0.6,
        ),
        Pattern("long digit run", r"(?<![\w/-]|\d[.,])\d{7,12}(?![\w/-]|[.,]\d|\s*(?:mg|ml|mcg|units?|%))", 0.4),
    )

    def invalidate_result(self, pattern_text: str) -> bool | None:
        # "NHS 111", "case 2", "file 3": a number under four digits after a cue is a service or a count, not a record.
        text = pattern_text.strip()
        return True if text.isdigit() and len(text) < 4 else None
