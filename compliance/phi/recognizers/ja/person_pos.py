"""Person names by part of speech: Sudachi's dictionary tags surnames and given names (名詞,固有名詞,人名,姓/名).

Consecutive name morphemes make one name (山田 + 花子, グエン・ヴァン), with a space or a middle dot between.
Left alone: a single kanji (陽 may be a word) and a name written only in hiragana (ゆう in ゆうべ): the cue
recognizers take those when a cue vouches for them. Scores stay under STRONG_SCORE, so a clinical term
wins (高安 in 高安動脈炎, 菊池 in 菊池病).
"""

from __future__ import annotations

import regex

from compliance.phi.entities import PERSON
from compliance.phi.ja.nlp import JaToken, SudachiNlpEngine
from compliance.phi.recognizers.ja.base import JaTokenRecognizer

HIRAGANA_ONLY = regex.compile(r"[\p{Hiragana}ー]+")
JOINERS = frozenset({" ", "・", "="})


class JaPersonPosRecognizer(JaTokenRecognizer):
    ENTITY = PERSON
    SCORE_FULL = 0.85  # surname and given name, or several name morphemes
    SCORE_SINGLE = 0.7

    def spans(self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine) -> list[tuple[int, int, float]]:
        out: list[tuple[int, int, float]] = []
        index = 0
        while index < len(tokens):
            if not tokens[index].is_person_name:
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
            start, end = tokens[index].start, tokens[last].end
            names = sum(1 for token in tokens[index : last + 1] if token.is_person_name)
            surface = text[start:end]
            if not HIRAGANA_ONLY.fullmatch(surface) and len(surface) > 1:
                out.append((start, end, self.SCORE_FULL if names > 1 else self.SCORE_SINGLE))
            index = last + 1
        return out
