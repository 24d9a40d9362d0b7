"""Postal codes: 〒160-0023, 郵便番号 530-0001, and seven digits written right before a prefecture."""

from presidio_analyzer import Pattern

from compliance.phi.entities import ZIP
from compliance.phi.ja.lexicon import alternation, words
from compliance.phi.recognizers.ja.base import DASH, DASH_CHARS, JaPatternRecognizer

CODE = rf"\d{{3}}{DASH}?\d{{4}}(?!\d)"


class JaZipRecognizer(JaPatternRecognizer):
    ENTITY = ZIP
    TRIGGER = r"\d{3}"
    PATTERNS = (
        Pattern("postal mark", rf"〒\s*\K{CODE}", 0.95),
        Pattern("postal code cue", rf"郵便番号\s*(?:は|:)?\s*\K{CODE}", 0.95),
        Pattern(
            "before a prefecture",
            rf"(?<![\d{DASH_CHARS}])\d{{3}}{DASH}\d{{4}}(?=\s*{alternation(words('prefectures'))})",
            0.85,
        ),
    )
