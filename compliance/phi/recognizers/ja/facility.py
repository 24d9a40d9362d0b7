"""Named care facilities, schools and the like: 山田クリニック, 聖路加国際病院, 田中内科, ひまわり小児科, あおば薬局
駅前店, 市立みどり台小学校, 老人ホーム「やすらぎの郷」.

A head word (data/ja/facility_heads.txt) with a name before it (organisations.parts_before), and a branch after
it (駅前店, 本店, 西館). A name made only of generic words (data/ja/facility_generic.txt: 大学病院, 総合病院,
循環器内科, 近所の内科) names no facility. A name in brackets right after a kind of facility (老人ホーム「…」,
施設「…」) is one.
"""

from __future__ import annotations

import regex

from compliance.phi.entities import FACILITY
from compliance.phi.ja.lexicon import alternation, word_set, words
from compliance.phi.ja.nlp import JaToken, SudachiNlpEngine
from compliance.phi.recognizers.ja.base import JaTokenRecognizer, compile_ja
from compliance.phi.recognizers.ja.organisations import is_proper, parts_before

BRANCH = regex.compile(
    r" ?[\p{Han}\p{Katakana}\p{Hiragana}ー]{0,5}?(?:本店|支店|店|分院|本院|館|営業所|出張所)(?=[、。,.()「」\s]|の|で|に|は|が|\Z)"
)
QUOTED_AFTER_KIND = regex.compile(
    r"(?:老人ホーム|グループホーム|ホーム|施設|病院|クリニック|薬局|保育園|幼稚園|学校|事業所|デイサービス)\s?「\K[^「」\n]{2,20}(?=」)"
)


class JaFacilityRecognizer(JaTokenRecognizer):
    ENTITY = FACILITY
    SCORE_PROPER = 0.85  # a proper noun, an unknown word or a kana word in the name
    SCORE_PLAIN = 0.7  # common words only (がん研究センター中央病院)

    def __init__(self) -> None:
        super().__init__()
        self._heads = compile_ja(alternation(words("facility_heads")))

    def spans(self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine) -> list[tuple[int, int, float]]:
        generic = word_set("facility_generic")
        out = []
        for match in self._heads.finditer(text):
            parts = parts_before(text, tokens, match.start())
            named = [part for part in parts if part.surface not in generic and part.token.pos[1] != "数詞"]
            if not named:
                continue
            proper = any(is_proper(part, engine) or part.surface.isascii() or _kana(part.surface) for part in named)
            branch = BRANCH.match(text, match.end())
            end = branch.end() if branch is not None else match.end()
            out.append((parts[0].start, end, self.SCORE_PROPER if proper else self.SCORE_PLAIN))
        for quoted in QUOTED_AFTER_KIND.finditer(text):
            out.append((quoted.start(), quoted.end(), self.SCORE_PROPER))
        return out


def _kana(surface: str) -> bool:
    return all("\u3040" <= ch <= "\u30ff" for ch in surface)
