"""Social-media and messaging handles: @yumi_0321, LINEのIDは hanako1122, インスタ: yumi_0321."""

from presidio_analyzer import Pattern

from compliance.phi.entities import USERNAME
from compliance.phi.ja.lexicon import alternation, words
from compliance.phi.recognizers.ja.base import JaPatternRecognizer

SERVICE = alternation(words("username_cues"))
CUE = rf"{SERVICE}(?:の)?\s*(?:ID|アカウント|ユーザー名|ユーザ名)?\s*(?:は|が|を|:)?\s*(?:[(（]\s*)?@?"


class JaUsernameRecognizer(JaPatternRecognizer):
    ENTITY = USERNAME
    TRIGGER = rf"@|ID|アカウント|ユーザー?名|{SERVICE}"
    PATTERNS = (
        Pattern(
            "handle after @",
            r"(?<![A-Za-z0-9._%+-])@\K[A-Za-z0-9_](?:[A-Za-z0-9_.]{1,28}[A-Za-z0-9_])(?![A-Za-z0-9_@])(?!\.[A-Za-z])",
            0.85,
        ),
        Pattern(
            "handle after cue", rf"{CUE}\K[A-Za-z0-9_](?:[A-Za-z0-9_.-]{{1,28}}[A-Za-z0-9_])(?![A-Za-z0-9_@.])", 0.85
        ),
        Pattern(
            "account name cue",
            r"(?:アカウント名?|ユーザー?名)\s*(?:は|:)?\s*\K[A-Za-z0-9_](?:[A-Za-z0-9_.-]{1,28}[A-Za-z0-9_])(?![A-Za-z0-9_@.])",
            0.85,
        ),
    )
