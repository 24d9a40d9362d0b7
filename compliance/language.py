"""The language of one message, for every stage that reads it (redaction, triage, answers, audit).

    detect(text, hint=None) -> Language

A caller's hint (the widget's ``data-lang``, the CLI's ``lang`` field) wins when it names a supported language;
otherwise the script decides: Japanese when kana or kanji make up a real share of the letters (a Japanese
message often carries Latin words: drug names, "CRP", e-mail addresses), English when the letters are Latin,
``other`` for anything else (the triage engine then sends the message to a clinician).
"""

from __future__ import annotations

from typing import Literal

Language = Literal["en", "ja", "other"]
SUPPORTED: tuple[Language, ...] = ("en", "ja")
_JAPANESE_SHARE = 0.2


def _is_japanese(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0x3400 <= code <= 0x4DBF  # CJK extension A
        or 0xFF66 <= code <= 0xFF9F  # half-width katakana
        or code == 0x3005  # 々
    )


def detect(text: str, hint: str | None = None) -> Language:
    if hint:
        base = hint.strip().lower().split("-")[0].split("_")[0]
        if base in SUPPORTED:
            return base
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return "en"
    japanese = sum(1 for ch in letters if _is_japanese(ch))
    if japanese >= 2 and japanese >= _JAPANESE_SHARE * len(letters):
        return "ja"
    latin = sum(1 for ch in letters if ord(ch) <= 0x24F)
    return "en" if latin * 2 >= len(letters) else "other"
