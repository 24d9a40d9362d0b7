"""E-mail addresses inside Japanese text: no spaces around them, so the address is the ASCII run itself
(メールはtaro.yamada@example.co.jpまで). After NFKC a full-width address is ASCII too."""

from presidio_analyzer import Pattern

from compliance.phi.entities import EMAIL
from compliance.phi.recognizers.ja.base import JaPatternRecognizer


class JaEmailRecognizer(JaPatternRecognizer):
    ENTITY = EMAIL
    TRIGGER = r"@"
    PATTERNS = (
        Pattern(
            "email",
            r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?![A-Za-z0-9-])",
            1.0,
        ),
    )
