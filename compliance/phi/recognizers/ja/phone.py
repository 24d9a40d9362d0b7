"""Telephone numbers as written in Japan: 090-1234-5678, 03-3456-7890, (06)6123-4567, 03(1234)5678, 0120-123-456,
09012345678, +81-90-1234-5678; dashes may be any of the dash look-alikes (ー typed for -)."""

import regex
from presidio_analyzer import Pattern

from compliance.phi.entities import PHONE
from compliance.phi.recognizers.ja.base import DASH, DASH_CHARS, JaPatternRecognizer

SEP = rf"(?:{DASH}|\s)"
# 045-711-2041 内線 5521, 0234-22-5510(内線12): the extension belongs to the number
_EXT = r"(?:内線|ext\.?|Ext\.?|EXT\.?)\s*\d{2,5}(?!\d)"
EXTENSION = rf"(?:\s*\(\s*{_EXT}\s*\)|\s*{_EXT})?"


class JaPhoneRecognizer(JaPatternRecognizer):
    ENTITY = PHONE
    TRIGGER = r"\d{3}"
    PATTERNS = (
        Pattern(
            "domestic with separators",
            rf"(?<![\d{DASH_CHARS}])0\d{{1,4}}{SEP}\d{{1,4}}{SEP}\d{{3,4}}(?![\d{DASH_CHARS}]){EXTENSION}",
            0.85,
        ),
        Pattern("area code in brackets", rf"(?<!\d)[(]0\d{{1,4}}[)]\s*\d{{1,4}}{SEP}?\d{{3,4}}(?!\d)", 0.85),
        Pattern("exchange in brackets", r"(?<!\d)0\d{1,4}[(]\d{1,4}[)]\d{4}(?!\d)", 0.85),
        Pattern("mobile compact", r"(?<!\d)0[5789]0\d{8}(?!\d)", 0.85),
        # Voice input writes the hyphens it hears: 090の3381の2046.
        Pattern("mobile read aloud", r"(?<!\d)0[5789]0の\d{4}の\d{4}(?!\d)", 0.85),
        Pattern("landline compact", r"(?<!\d)0[1-9]\d{8}(?!\d)", 0.6),
        Pattern("international", rf"(?<![\d+])\+81{SEP}?\(?0?\d{{1,4}}\)?{SEP}?\d{{1,4}}{SEP}?\d{{3,4}}(?!\d)", 0.9),
    )

    def invalidate_result(self, pattern_text: str) -> bool | None:
        digits = sum(ch.isdigit() for ch in regex.split(r"内線|ext|Ext|EXT", pattern_text)[0])
        if pattern_text.startswith("+"):
            return not 11 <= digits <= 13
        return not 10 <= digits <= 11
