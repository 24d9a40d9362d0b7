"""Web addresses: scheme or www prefixes, and bare domains with a common top-level domain."""

from presidio_analyzer import Pattern

from compliance.phi.entities import URL
from compliance.phi.recognizers.base import DataPatternRecognizer

TLDS = "com|org|net|edu|gov|mil|io|info|biz|health|care|clinic|us|uk|ca|au|de|fr|in|ng|co|me|app|ly|gl"


class PhiUrlRecognizer(DataPatternRecognizer):
    ENTITY = URL
    TRIGGER = r"\w\.\w|www"
    PATTERNS = (
        Pattern("url with scheme", r"(?i)\b(?:https?|ftp)://[^\s<>\"'()]+[^\s<>\"'().,;:!?]", 0.95),
        Pattern("www url", r"(?i)\bwww\.[^\s<>\"'()]+[^\s<>\"'().,;:!?]", 0.95),
        Pattern(
            "bare domain",
            rf"(?i)(?<![@\w.])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{TLDS})\b(?:/[^\s<>\"']*[^\s<>\"'.,;:!?])?(?![@\w])",
            0.8,
        ),
    )
