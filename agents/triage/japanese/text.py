"""Japanese text as the Japanese reader reads it: NFKC, lower case, katakana as hiragana, no spaces.

    normalise("体温３８．５度、ズキズキ")  -> "体温38.5度、ずきずき"

NFKC turns full-width digits, letters and signs into ASCII (３８．５ -> 38.5, ＳｐＯ２ -> SpO2, ％ -> %) and
half-width katakana into full-width; katakana then become hiragana, so a term written in either script matches
both (ズキズキ, ずきずき). Spaces carry no meaning between Japanese words and are dropped; a line break stays (it
ends a clause). Every step maps one character to at most one, so the reader's offsets stay in its own text.
"""

from __future__ import annotations

import re
import unicodedata

_KANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}  # ァ..ヶ -> ぁ..ゖ (ー stays)
_SPACES = re.compile(r"[^\S\n]+")


def nfkc(text: str) -> str:
    """NFKC and lower case: what the facts extractor reads (the labels and digits it knows are ASCII)."""
    return unicodedata.normalize("NFKC", text).lower()


def fold(text: str) -> str:
    """Katakana as hiragana, spaces dropped (text already NFKC and lower case)."""
    return _SPACES.sub("", text.translate(_KANA))


def normalise(text: str) -> str:
    return fold(nfkc(text))


def has_japanese(text: str) -> bool:
    """Whether the text holds kana or kanji: the Japanese reader has something to read in it."""
    return any(
        0x3040 <= (code := ord(ch)) <= 0x30FF or 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xFF66 <= code <= 0xFF9F
        for ch in text
    )
