"""Web addresses inside Japanese text: the ASCII run after http(s):// or www., or a bare domain under a known
top-level domain (example.co.jp/yoyaku). Brackets end an address (ブログ(https://...)に)."""

from presidio_analyzer import Pattern

from compliance.phi.entities import URL
from compliance.phi.recognizers.ja.base import JaPatternRecognizer

PATH = r"[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]*"
TLD = r"(?:co\.jp|ne\.jp|or\.jp|ac\.jp|go\.jp|ed\.jp|lg\.jp|gr\.jp|jp|com|net|org|info|io|me|biz)"


class JaUrlRecognizer(JaPatternRecognizer):
    ENTITY = URL
    TRIGGER = r"\.|://"
    PATTERNS = (
        Pattern("scheme", rf"(?i:https?://){PATH}[A-Za-z0-9/_=#-]", 0.95),
        Pattern("www", rf"(?<![A-Za-z0-9.@-])(?i:www\.)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:/{PATH})?", 0.9),
        Pattern(
            "bare domain",
            rf"(?<![A-Za-z0-9.@/_-])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.{TLD}(?![A-Za-z0-9-])(?:/{PATH})?",
            0.8,
        ),
    )
