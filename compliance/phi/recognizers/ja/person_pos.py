"""Person names by part of speech: Sudachi's dictionary tags surnames and given names (名詞,固有名詞,人名,姓/名).

Consecutive name morphemes make one name (山田 + 花子, グエン・ヴァン), with a space or a middle dot between.
Left alone: a single kanji (陽 may be a word) and a name written only in hiragana (ゆう in ゆうべ): the cue
recognizers take those when a cue vouches for them. Two exceptions: a hiragana word of three letters or more
that the dictionary also knows as a name, opening a sentence before が or は (あおいが鼻水と咳), as a parent
writes about a child; and one of three letters or more that the tokenizer read as a name where it stands, before a
particle or copula (昨日まさとと喧嘩した). Scores stay under STRONG_SCORE, so a clinical term
wins (高安 in 高安動脈炎, 菊池 in 菊池病).
"""

from __future__ import annotations

import regex

from compliance.phi.entities import PERSON
from compliance.phi.ja.lexicon import word_set
from compliance.phi.ja.nlp import JaToken, SudachiNlpEngine
from compliance.phi.recognizers.ja.base import JaTokenRecognizer

HIRAGANA_ONLY = regex.compile(r"[\p{Hiragana}ー]+")
JOINERS = frozenset({" ", "・", "="})
SENTENCE_START = regex.compile(r"(?:\A|[。!?！？\n、]\s*)\Z")
SUBJECT_AFTER = regex.compile(r"(?:が|は|も|ちゃん|くん)")
NAME_USED_AS_PERSON = regex.compile(
    r"(?:が|は|も|と(?!し)|に(?![ゃゅょ])|の|から|まで|へ|や(?:で|けど|ん)|じゃ|です|ちゃん|くん|さん)"
)
KATAKANA_WORD = regex.compile(r"[\p{Katakana}ー]+")
# Maria Santos Reyes, Emily Carter: capitalised Latin words beside a Latin name the dictionary knows are its parts.
LATIN_SURFACE = regex.compile(r"[A-Za-z][A-Za-z'\-]*")
LATIN_PART_AFTER = regex.compile(r"(?: [A-Z][a-z][A-Za-z'\-]*)+")
LATIN_PART_BEFORE = regex.compile(r"(?<![A-Za-z'])(?:[A-Z][a-z][A-Za-z'\-]* )+\Z")


class JaPersonPosRecognizer(JaTokenRecognizer):
    ENTITY = PERSON
    SCORE_FULL = 0.85  # surname and given name, or several name morphemes
    SCORE_SINGLE = 0.7
    SCORE_OPENING = 0.5

    def spans(self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine) -> list[tuple[int, int, float]]:
        out: list[tuple[int, int, float]] = []
        index = 0
        while index < len(tokens):
            if not tokens[index].is_person_name:
                opening = self._opening_hiragana_name(text, tokens[index], engine)
                if opening is not None:
                    out.append(opening)
                index += 1
                continue
            last = index
            while last + 1 < len(tokens):
                following = tokens[last + 1]
                if following.is_person_name:
                    last += 1
                elif following.surface in JOINERS and last + 2 < len(tokens) and tokens[last + 2].is_person_name:
                    last += 2
                else:
                    break
            while last + 2 < len(tokens) and tokens[last + 1].surface == "・" and _katakana_noun(tokens[last + 2]):
                last += 2  # チャン・ウェイ: a foreign name's other parts need not be listed names
            first = index
            while first >= 2 and tokens[first - 1].surface == "・" and _katakana_noun(tokens[first - 2]):
                first -= 2
            start, end = tokens[first].start, tokens[last].end
            if LATIN_SURFACE.fullmatch(text[start:end].replace(" ", "")):
                if text[start:end].islower():  # "old", "fell": English words the dictionary also lists as names
                    index = last + 1
                    continue
                start, end = _latin_parts(text, start, end)
            names = sum(1 for token in tokens[first : last + 1] if token.is_person_name)
            surface = text[start:end]
            if not HIRAGANA_ONLY.fullmatch(surface) and len(surface) > 1:
                out.append((start, end, self.SCORE_FULL if names > 1 else self.SCORE_SINGLE))
            elif first == last and _hiragana_name_in_use(text, tokens[first]):
                out.append((start, end, self.SCORE_OPENING))
            index = last + 1
        return out

    def _opening_hiragana_name(
        self, text: str, token: JaToken, engine: SudachiNlpEngine
    ) -> tuple[int, int, float] | None:
        if not (token.is_noun and len(token.surface) >= 3 and HIRAGANA_ONLY.fullmatch(token.surface)):
            return None
        if not SENTENCE_START.search(text[max(0, token.start - 3) : token.start]) or not SUBJECT_AFTER.match(
            text, token.end
        ):
            return None
        if not any(pos[1:3] == ("固有名詞", "人名") for pos in engine.readings(token.surface)):
            return None
        return token.start, token.end, self.SCORE_OPENING


def _hiragana_name_in_use(text: str, token: JaToken) -> bool:
    """A given name written in hiragana that the tokenizer read as a name in this sentence (its lattice chose 人名 over
    the word's other senses), three letters or more, used as a person is: before a particle or copula that follows a
    noun (まさとと喧嘩, ゆいが迎えに, けいたじゃなくて, ひかるやけど)."""
    return (
        len(token.surface) >= 3
        and token.surface not in word_set("not_names")
        and NAME_USED_AS_PERSON.match(text, token.end) is not None
    )


def _katakana_noun(token: JaToken) -> bool:
    return token.is_noun and KATAKANA_WORD.fullmatch(token.surface) is not None


def _latin_parts(text: str, start: int, end: int) -> tuple[int, int]:
    after = LATIN_PART_AFTER.match(text, end)
    before = LATIN_PART_BEFORE.search(text, max(0, start - 40), start)
    return (before.start() if before is not None else start), (after.end() if after is not None else end)
