"""Named care facilities, schools and the like: 山田クリニック, 聖路加国際病院, 田中内科, ひまわり小児科, あおば薬局
駅前店, 市立みどり台小学校, 老人ホーム「やすらぎの郷」.

A head word (data/ja/facility_heads.txt) with a name before it (organisations.parts_before), and a branch after
it (駅前店, 本店, 西館). A name made only of generic words (data/ja/facility_generic.txt: 大学病院, 総合病院,
循環器内科, 近所の内科) names no facility, unless an owner's word and another word make it one (県立中央病院)
or a place comes before it (広尾の都立病院). A name in brackets right after a kind of facility (老人ホーム「…」,
施設「…」) is one. The corporation that runs it comes along (医療法人社団 清和会 みどりが丘クリニック, 東雲会
城南神経病院), and so does a surname in hiragana before the head (もりした耳鼻咽喉科).
"""

from __future__ import annotations

import regex

from compliance.phi.entities import FACILITY
from compliance.phi.ja.lexicon import alternation, word_set, words
from compliance.phi.ja.nlp import JaToken, SudachiNlpEngine
from compliance.phi.recognizers.ja.base import JaTokenRecognizer, compile_ja, token_index_at
from compliance.phi.recognizers.ja.organisations import Part, is_proper, parts_before
from compliance.phi.recognizers.ja.person_words import HIRAGANA_RUN
from compliance.phi.recognizers.ja.places import is_place_token

BRANCH = regex.compile(
    r" ?(?:[\p{Han}\p{Katakana}\p{Hiragana}ー0-9]{0,8}?(?:本店|支店|店|分院|本院|館|営業所|出張所)"
    r"|[\p{Han}\p{Katakana}ー0-9]{1,6}?(?<![入退通病医寺転来帰産])院)"
    r"(?=[、。,.()「」\s]|の|で|に|は|が|へ|まで|から|さま|様|さん|御中|宛|\Z)"
)
QUOTED_AFTER_KIND = regex.compile(
    r"(?:老人ホーム|グループホーム|ホーム|施設|病院|クリニック|薬局|保育園|幼稚園|学校|事業所|デイサービス)\s?「\K[^「」\n]{2,20}(?=」)"
)


# Where a facility's name ends: a particle, a break or a form of address.
NAME_END = r"[のでにはがへともや、。,.()（）「」\s]|さん|さま|様|御中"
SHORT_HEAD_END = rf"(?={NAME_END}|\Z)"
# GHやまぶき: a group home's name after its abbreviation
GROUP_HOME = regex.compile(r"(?<![A-Za-z])GH\s?[\p{Hiragana}\p{Katakana}ー]{2,8}" + SHORT_HEAD_END)


# ひだまりの里, みどりの丘, こころの森, 千里の杜: the names care homes and clinics give themselves, a noun, の and one of
# these, standing as a word (before a particle, a break or a service word: ひだまりの里ショート)
POETIC_HEAD = regex.compile(
    r"の(?:里|郷|丘|杜|森|苑|園|庵|舎)"
    rf"(?={NAME_END}|ショート|デイ|相談員|スタッフ|職員|\Z)"
)
OWNERS = frozenset({"県立", "市立", "都立", "府立", "道立", "国立", "町立", "村立", "区立", "公立", "私立"})
HIRAGANA_BEFORE = regex.compile(r"(?:(?<=[\p{Han}\p{Katakana}ー]の)|(?<=[、。\s(「]|\A))[\p{Hiragana}ー]{3,8}\Z")
PARTICLE_END = regex.compile(r"[のがはをにでもへやかよ]\Z")
PLACE_OF = regex.compile(r"の\Z")


class JaFacilityRecognizer(JaTokenRecognizer):
    ENTITY = FACILITY
    SCORE_PROPER = 0.85  # a proper noun, an unknown word or a kana word in the name
    SCORE_PLAIN = 0.7  # common words only (がん研究センター中央病院)

    def __init__(self) -> None:
        super().__init__()
        self._heads = compile_ja(alternation(words("facility_heads")))
        self._short_heads = compile_ja(rf"(?:{alternation(words('facility_short_heads'))}){SHORT_HEAD_END}")
        self._names = compile_ja(alternation(words("facility_names")))
        forms = alternation(words("company_forms"))
        # 医療法人社団 清和会 , 東雲会 : the corporation written before the facility's name
        self._runner = compile_ja(rf"(?:{forms}\s?)?[\p{{Han}}\p{{Katakana}}ー]{{1,6}}会\s?\Z|{forms}\s?\Z")

    def spans(self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine) -> list[tuple[int, int, float]]:
        generic = word_set("facility_generic")
        out = []
        heads = [(match, False) for match in self._heads.finditer(text)]
        heads += [(match, True) for match in self._short_heads.finditer(text) if _own_word(tokens, match)]
        for match, short in heads:
            parts = parts_before(text, tokens, match.start())
            start = parts[0].start if parts else match.start()
            hiragana = HIRAGANA_BEFORE.search(text, max(0, start - 8), start)
            opened = (
                hiragana is not None
                and hiragana.start() > 0
                and text[hiragana.start() - 1] in "(「"
                and not hiragana.group().endswith("の")
            )
            if hiragana is not None and PARTICLE_END.search(hiragana.group()) and not opened:
                hiragana = None  # …のが病院: a particle, unless a bracket opens the name (すこやか薬局)
            if hiragana is not None:
                start = hiragana.start()  # もりした耳鼻咽喉科: a name in hiragana the tokenizer read as words
            named = [part for part in parts if part.surface not in generic and part.token.pos[1] != "数詞"]
            branch = BRANCH.match(text, match.end())
            end = branch.end() if branch is not None else match.end()
            if short and not named and hiragana is None:
                continue
            if not named and hiragana is None:
                place = self._place_before(text, tokens, start, engine)
                if place is not None:  # 広尾の都立病院
                    out.append((place, end, self.SCORE_PLAIN))
                elif len(parts) >= 2 and parts[0].surface in OWNERS:  # 県立中央病院
                    out.append((start, end, self.SCORE_PLAIN))
                continue
            proper = hiragana is not None or any(
                is_proper(part, engine) or part.surface.isascii() or _kana(part.surface) for part in named
            )
            if short and not self._short_named(match.group(), named, hiragana is not None, engine):
                continue  # 誤嚥リスク高, 範囲拡大: a shortened head only after a name
            runner = self._runner.search(text, max(0, start - 24), start)
            if runner is not None and runner.start() < start:
                start = runner.start()
            out.append((start, end, self.SCORE_PROPER if proper else self.SCORE_PLAIN))
        for known in self._names.finditer(text):
            index = token_index_at(tokens, known.start())
            if index is not None and (index == 0 or not tokens[index - 1].is_noun):
                out.append((known.start(), known.end(), self.SCORE_PLAIN))  # 日赤に入院中
        out += _poetic_names(text, tokens)
        for quoted in QUOTED_AFTER_KIND.finditer(text):
            out.append((quoted.start(), quoted.end(), self.SCORE_PROPER))
        for home in GROUP_HOME.finditer(text):
            out.append((home.start(), home.end(), self.SCORE_PROPER))
        return out

    @staticmethod
    def _short_named(head: str, named: list[Part], hiragana: bool, engine: SudachiNlpEngine) -> bool:
        """A shortened head names a facility after a proper noun (酒田東高, 港南総合), or, unless it is a one-character
        head, after a hiragana name (あじさい訪看, しらかわ居宅): not after a loanword (誤嚥リスク高)."""
        if any(is_proper(part, engine) or part.surface.isascii() for part in named):
            return True
        return len(head) > 1 and (hiragana or any(HIRAGANA_RUN.fullmatch(part.surface) for part in named))

    @staticmethod
    def _place_before(text: str, tokens: tuple[JaToken, ...], start: int, engine: SudachiNlpEngine) -> int | None:
        if not PLACE_OF.search(text, max(0, start - 1), start):
            return None
        for token in tokens:
            if token.end == start - 1 and is_place_token(token):
                return token.start
        return None


def _poetic_names(text: str, tokens: tuple[JaToken, ...]) -> list[tuple[int, int, float]]:
    out = []
    not_names = word_set("not_names") | word_set("kinship_cues") | word_set("role_nouns")
    for match in POETIC_HEAD.finditer(text):
        index = next((i for i, token in enumerate(tokens) if token.end == match.start()), None)
        if index is None:
            continue
        name = tokens[index]
        if not name.is_noun or len(name.surface) < 2 or name.surface in not_names or name.pos[1] in ("数詞", "代名詞"):
            continue
        if not (name.is_proper or name.oov or _kana(name.surface)):
            continue  # 実家の森: a common word in kanji names no home
        out.append((name.start, match.end(), JaFacilityRecognizer.SCORE_PLAIN))
    return out


def _own_word(tokens: tuple[JaToken, ...], match: regex.Match[str]) -> bool:
    """The match starts and ends where tokens do (腎クリ is two tokens, 腎 and クリ; 拡大 holds 大 inside one)."""
    index = token_index_at(tokens, match.start())
    return index is not None and any(token.end == match.end() for token in tokens[index:])


def _kana(surface: str) -> bool:
    return all("\u3040" <= ch <= "\u30ff" for ch in surface)
