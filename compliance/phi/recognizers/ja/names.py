"""Does a Japanese word read as a person's name? Sudachi's dictionary and a few word lists decide.

Strength of a candidate:
  NAME      the dictionary lists the word as a person name (人名), or it splits into person-name morphemes
  UNKNOWN   the dictionary does not know it, or knows it only as a proper noun (ケンタ): likely a name in context
  WORD      an ordinary word (血圧, おなか, アトピー): a name only where a strong cue says so (四十物さん)
  NEVER     a role or kinship word (看護師, お母, ママ), or a clinical word: never a name
"""

from __future__ import annotations

from enum import IntEnum

import regex

from compliance.phi.ja.lexicon import word_set
from compliance.phi.ja.nlp import SudachiNlpEngine

HIRAGANA_ONLY = regex.compile(r"[\p{Hiragana}ー]+")
KATAKANA_ONLY = regex.compile(r"[\p{Katakana}ー・= ]+")


class Strength(IntEnum):
    NEVER = 0
    WORD = 1
    UNKNOWN = 2
    NAME = 3


def strength(engine: SudachiNlpEngine, surface: str) -> Strength:
    surface = surface.strip()
    if not surface or surface in word_set("role_nouns") or surface in word_set("not_names"):
        return Strength.NEVER
    if regex.fullmatch(r"[A-Za-z][A-Za-z.'\- ]*", surface):
        # CT, MRI, ID, CRP: short capitals are abbreviations, not names
        return Strength.WORD if surface.isupper() and len(surface) <= 4 else Strength.UNKNOWN
    readings = engine.readings(surface)
    if any(pos[1:3] == ("固有名詞", "人名") for pos in readings):
        return Strength.NAME
    if readings:
        if any(pos[1] == "固有名詞" for pos in readings) and not HIRAGANA_ONLY.fullmatch(surface):
            return Strength.UNKNOWN
        return Strength.WORD
    if HIRAGANA_ONLY.fullmatch(surface):
        if _verb_form(engine, surface):
            return Strength.NEVER  # ついて, して, いって: a verb's te-form, not an unknown word
        return Strength.UNKNOWN  # no word of the dictionary: こはる, ゆうと
    tokens = [token for token in engine.tokens(surface) if token.pos[0] != "空白" and token.surface not in ("・", "=")]
    if tokens and all(token.is_person_name for token in tokens):
        return Strength.NAME
    if any(token.oov or token.is_person_name for token in tokens):
        return Strength.UNKNOWN
    if len(tokens) > 1 and KATAKANA_ONLY.fullmatch(surface):
        # Several known katakana words with no reading of the whole: a foreign name (グエン・ヴァン・ナム).
        return Strength.UNKNOWN
    return Strength.WORD if tokens else Strength.UNKNOWN


def _verb_form(engine: SudachiNlpEngine, surface: str) -> bool:
    tokens = engine.tokens(surface)
    return (
        len(tokens) > 1
        and (tokens[-1].pos[:2] == ("助詞", "接続助詞") or tokens[-1].surface in ("て", "で"))
        and any(token.pos[0] == "動詞" for token in tokens[:-1])
    )
