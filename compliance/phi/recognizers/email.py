"""E-mail addresses."""

from presidio_analyzer import Pattern

from compliance.phi.entities import EMAIL
from compliance.phi.recognizers.base import DataPatternRecognizer


class PhiEmailRecognizer(DataPatternRecognizer):
    ENTITY = EMAIL
    TRIGGER = r"@|\[\s*at\s*\]|\(\s*at\s*\)"
    PATTERNS = (
        Pattern(
            "email",
            r"(?i)(?<![\p{L}\p{N}._%+'-])[\p{L}\p{N}][\p{L}\p{M}\p{N}._%+'-]*@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.[a-z]{2,24}\b",
            1.0,
        ),
        Pattern(
            "email (spelled at)",
            r"(?i)\b[a-z0-9._-]+\s*[\[(]\s*at\s*[\])]\s*[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,12}\b",
            0.95,
        ),
        Pattern(
            "email (spelled at/dot)",
            r"(?i)\b[a-z0-9._-]+\s*[\[(]\s*at\s*[\])]\s*[a-z0-9-]+\s*[\[(]\s*dot\s*[\])]\s*[a-z]{2,12}\b",
            0.95,
        ),
    )
