"""The words that make an organisation's name before its head word (山田 + クリニック, トヨタ + 自動車).

Walking left from the head over Sudachi's morphemes: nouns, prefixes and suffixes belong to the name, so do
a middle dot or a hyphen, and a kana adverb right before the head (にこにこ歯科); particles, verbs, punctuation,
time words (昨日) and pronouns end it. A head that starts inside a morpheme (中央病院) brings that morpheme's
first part along.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from compliance.phi.ja.lexicon import kept_places
from compliance.phi.ja.nlp import JaToken, SudachiNlpEngine

KANA_ONLY = regex.compile(r"[\p{Hiragana}\p{Katakana}ー]+")
HIRAGANA_WORD = regex.compile(r"[\p{Hiragana}ー]{2,}")
KATAKANA_WORD = regex.compile(r"[\p{Katakana}ー]{2,}")
LATIN = regex.compile(r"[A-Za-z][A-Za-z0-9&.'\-]*")
JOINERS = frozenset({"・", "-", "&", "=", "ー"})
MAX_NAME_CHARS = 24


@dataclass(frozen=True)
class Part:
    start: int
    end: int
    surface: str
    token: JaToken


def parts_before(text: str, tokens: tuple[JaToken, ...], position: int) -> list[Part]:
    """The name's parts, left to right, ending at `position`."""
    index = _last_token_before(tokens, position)
    parts: list[Part] = []
    while index >= 0:
        token = tokens[index]
        end = min(token.end, position)
        if token.surface == "の" and parts and index > 0 and _opens_name_with_no(tokens[index - 1]):
            # こころの森クリニック, ひだまりの家: a kana word, の, then the rest of the name
            parts.append(Part(token.start, token.end, token.surface, token))
            index -= 1
            continue
        if not _is_name_part(token, first=not parts) or position - token.start > MAX_NAME_CHARS:
            break
        parts.append(Part(token.start, end, text[token.start : end], token))
        index -= 1
    while parts and parts[-1].surface in JOINERS:
        parts.pop()
    parts.reverse()
    return parts


def parts_after(text: str, tokens: tuple[JaToken, ...], position: int) -> list[Part]:
    """The name's parts, left to right, starting at `position` (after a cue such as 勤務先は)."""
    parts: list[Part] = []
    for token in tokens:
        if token.end <= position:
            continue
        if token.start < position or not _is_name_part(token, first=False) or token.end - position > MAX_NAME_CHARS:
            break
        parts.append(Part(token.start, token.end, token.surface, token))
    while parts and parts[-1].surface in JOINERS:
        parts.pop()
    return parts


def is_proper(part: Part, engine: SudachiNlpEngine) -> bool:
    """A part that names something: a proper noun (not a prefecture or a country), an unknown word, Latin."""
    if part.surface in kept_places() or part.token.is_country:
        return False
    if LATIN.fullmatch(part.surface) or part.token.oov:
        return True
    if part.surface == part.token.surface and part.token.is_proper:
        return True
    # 楽天 is a word and a company; ビル is a word and a given name (Bill), which names no company
    return any(pos[1] == "固有名詞" and pos[2] != "人名" and pos[3] != "国" for pos in engine.readings(part.surface))


def _opens_name_with_no(token: JaToken) -> bool:
    return len(token.surface) >= 2 and token.pos[0] == "名詞" and HIRAGANA_WORD.fullmatch(token.surface) is not None


def _last_token_before(tokens: tuple[JaToken, ...], position: int) -> int:
    low, high = 0, len(tokens)
    while low < high:
        middle = (low + high) // 2
        if tokens[middle].start < position:
            low = middle + 1
        else:
            high = middle
    return low - 1


def _is_name_part(token: JaToken, first: bool) -> bool:
    if token.surface in JOINERS or KATAKANA_WORD.fullmatch(token.surface):
        return True  # グローバル in グローバルテック・ジャパン: a katakana word belongs to a name whatever it reads as
    if token.is_time_noun or token.pos[0] == "代名詞":
        return False
    if token.pos[0] in ("名詞", "接頭辞", "接尾辞") or LATIN.fullmatch(token.surface):
        return True
    if not first or KANA_ONLY.fullmatch(token.surface) is None:
        return False
    # にこにこ歯科, ほほえみ内科: a kana word right before the head, an adverb or a verb stem
    return token.pos[0] in ("副詞", "形状詞") or (len(token.surface) >= 3 and token.pos[0] == "動詞")
