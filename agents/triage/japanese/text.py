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


_I_ROW = dict(zip("らかさたわがばまな", "りきしちいぎびみに", strict=True))
_PARTICLES = frozenset("がはもく")  # 元気がない, 熱はない, 痛くない: ない after a particle or an adjective


def polite_form(term: str) -> str | None:
    """The polite negative of a term that ends in a plain negative's stem (な of ない), as patients write both:
    動かな -> 動きません, 歩けな -> 歩けません, 元気がな -> 元気がありません, 出ていな -> 出ていません."""
    if not term.endswith("な") or len(term) < 2:
        return None
    stem, last = term[:-1], term[-2]
    if last in _PARTICLES:
        return stem + "ありません"
    if last in _I_ROW:
        return stem[:-1] + _I_ROW[last] + "ません"
    return stem + "ません"


#: Hiragana and katakana, CJK ideographs (and extension A), half-width katakana.
_JAPANESE_CHAR = re.compile("[\u3040-\u30ff\u4e00-\u9fff\u3400-\u4dbf\uff66-\uff9f]")


def has_japanese(text: str) -> bool:
    """Whether the text holds kana or kanji: the Japanese reader has something to read in it."""
    return _JAPANESE_CHAR.search(text) is not None
