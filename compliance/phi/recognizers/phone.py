"""Telephone and fax numbers: NANP layouts, international +CC numbers, extensions."""

from presidio_analyzer import Pattern

from compliance.phi.entities import PHONE
from compliance.phi.recognizers.base import DataPatternRecognizer
from compliance.phi.recognizers.cues import cue

EXT = r"(?:\s*(?:x|ext\.?|extension)\s*\d{1,6})?"
# "reach me at", "reached us on": a verb phrase, kept here; no cue word starts with "r", so trying it last is the same.
REACH = r"reach(?:ed)?\s+(?:me|us|her|him)?\s*(?:at|on)?"
CUE = rf"(?i:\b(?:{cue('phone')}|{REACH})\b\.?\s*(?:is|at|on|:|#|-)?\s*(?:number\s*)?)"


class PhiPhoneRecognizer(DataPatternRecognizer):
    ENTITY = PHONE
    TRIGGER = r"\d{3}"
    PATTERNS = (
        Pattern(
            "nanp",
            rf"(?<![\w+-])(?:(?:\+?1|001)[\s.-]?)?(?:\(\d{{3}}\)\s?|\d{{3}}[\s.-])\d{{3}}[\s.-]\d{{4}}{EXT}(?![\w-])",
            0.85,
        ),
        Pattern("nanp compact", rf"(?<![\w+-])(?:\+?1)?\(\d{{3}}\)\d{{3}}-?\d{{4}}{EXT}(?!\w)", 0.85),
        Pattern(
            "international",
            r"(?<![\w])\+\d{1,3}(?:[\s.-]?\(?\d{1,5}\)?){2,5}(?![\w])",
            0.85,
        ),
        Pattern(
            "national trunk 0 (UK and others)",
            r"(?<![\w+-])(?:0\d{4}[ -]\d{6}|0\d{4}[ -]\d{3}[ -]\d{3}|0\d{3}[ -]\d{3}[ -]\d{4}|0\d{2}[ -]\d{4}[ -]\d{4}|0\d[ -]\d{2}[ -]\d{2}[ -]\d{2}[ -]\d{2})(?![\w-])",
            0.8,
        ),
        Pattern("ten digits after cue", rf"{CUE}\K\+?\d{{10,12}}{EXT}\b", 0.9),
        Pattern("local seven digits after cue", rf"{CUE}\K\d{{3}}[\s.-]\d{{4}}\b", 0.8),
    )

    def invalidate_result(self, pattern_text: str) -> bool | None:
        digits = sum(ch.isdigit() for ch in pattern_text)
        return digits < 7 or digits > 16
