"""Organisation names that a cue announces rather than a head word ends (data/ja/facility_cues.yaml,
data/ja/employer_cues.yaml):

  kind first   グループホームみのり, 特養 やすらぎ苑, レディースクリニック ルナ, ホテル花見小路: a kind of
               facility written before its own name;
  after a cue  施設は「ひだまりの家」, 出産した病院はマタニティハウスこもれびです, 勤め先(スーパーまるとみ 西口店),
               職場(ヤマシタ運輸 川口営業所), 派遣先:関東食品工業 所沢工場: the name bracketed or after は / :.

A value must name something (organisations.is_named: a proper noun, an unknown word, a katakana word beside
others, a hiragana word after a katakana or kanji one); a quoted one (「…」) after a cue is a name as it stands.
"""

from __future__ import annotations

from typing import ClassVar

import regex

from compliance.phi.entities import EMPLOYER, FACILITY
from compliance.phi.ja.lexicon import alternation, table, word_set, words
from compliance.phi.ja.nlp import JaToken, SudachiNlpEngine
from compliance.phi.recognizers.ja.base import JaTokenRecognizer, compile_ja, token_index_at
from compliance.phi.recognizers.ja.organisations import NO_TAIL, Part, is_named, named_value, parts_after

KANA_IN = regex.compile(r"[\p{Hiragana}\p{Katakana}]")
KANA_NAME = regex.compile(r"[\p{Hiragana}ー]{3,8}")
KANA_AFTER_KIND = regex.compile(r"[\p{Hiragana}\p{Katakana}ー]{2,}")
KATAKANA_END = regex.compile(r"[\p{Katakana}ー]\Z")
KATAKANA_START = regex.compile(r"[\p{Katakana}ー]")
CUE_JOIN = r"\s*(?:は|:|=|、)?\s*(?=[(「『\[\p{Han}\p{Katakana}\p{Hiragana}A-Za-z])"
QUOTES = "「『"
BRACKETS = "(「『["
JOINED = regex.compile(r"[は:=、]")
# A home's own name ends like one (寿楽園, 白樺荘, 若葉寮): after a kind word it is a name, though 園 alone is a suffix.
HOME_TAIL = regex.compile(r"\w[園苑荘館寮舎]\Z")


class _CueRecognizer(JaTokenRecognizer):
    TABLE: ClassVar[str]
    SCORE = 0.8

    def __init__(self) -> None:
        super().__init__()
        cues = table(self.TABLE)
        self._cue = compile_ja(rf"(?:{alternation(cues[self.cue_key()])}){CUE_JOIN}")

    def cue_key(self) -> str:
        return "cues"

    def spans(self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine) -> list[tuple[int, int, float]]:
        out = []
        for match in self._cue.finditer(text):
            index = token_index_at(tokens, match.start())
            if index is None:
                continue  # the cue is the end of a longer word
            found = named_value(text, tokens, match.end())
            if found is None:
                continue
            start, end = found
            bracketed = start > 0 and text[start - 1] in BRACKETS
            if not bracketed and not JOINED.search(match.group()):
                continue  # 病院 ER, 施設長: a cue word must be joined to its name by は, :, 、 or a bracket
            if not bracketed and index > 0 and tokens[index - 1].is_noun:
                continue  # しおかぜ病院は…: the cue word ends a name here
            quoted = start > 0 and text[start - 1] in QUOTES
            if quoted or is_named(text, tokens, start, end, engine):
                out.append((start, end, self.SCORE))
        return out


class JaFacilityCueRecognizer(_CueRecognizer):
    ENTITY = FACILITY
    TABLE = "facility_cues"

    def __init__(self) -> None:
        super().__init__()
        kinds = table(self.TABLE)
        self._kind = compile_ja(rf"{alternation([*kinds['kinds'], *kinds['department_kinds']])}( ?)")
        self._departments = frozenset(kinds["department_kinds"])

    def spans(self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine) -> list[tuple[int, int, float]]:
        return super().spans(text, tokens, engine) + self._kind_first(text, tokens, engine)

    def _kind_first(
        self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine
    ) -> list[tuple[int, int, float]]:
        generic = word_set("facility_generic")
        out = []
        for match in self._kind.finditer(text):
            name_start = match.end()
            if token_index_at(tokens, match.start()) is None or token_index_at(tokens, name_start) is None:
                continue  # inside a longer word (スーパーマーケット)
            spaced = bool(match.group(1))
            if match.group().rstrip() in self._departments and not self._opens_kana_name(text, tokens, match):
                continue
            if not spaced and KATAKANA_END.search(match.group()) and KATAKANA_START.match(text, name_start):
                continue  # two katakana words in a row are one word (ホテルマン)
            parts = parts_after(text, tokens, name_start, kana_first=True)
            if not parts or parts[0].token.pos[0] == "接頭辞" or all(part.surface in generic for part in parts):
                continue  # デイサービスお休み, クリニック内科
            if parts[-1].surface.endswith(("組", "クラス")):
                continue  # 幼稚園 ばら組: a class of the school, not its name
            found = named_value(text, tokens, name_start, kana_first=True)
            if found is None:
                continue
            start, end = found
            honorific = next((h for h in words("honorifics") if text[start:end].endswith(h)), None)
            if honorific is not None:
                if not KANA_NAME.fullmatch(text[start : end - len(honorific)]):
                    continue  # クリニック 泉先生: a person after the kind word, not the facility's own name
                end -= len(honorific)  # 訪問看護ステーションそよかぜさん: a kana name is the facility's, said politely
            kana = KANA_IN.search(parts[0].surface) is not None  # みのり, さくら草, ルナ
            if kana or is_named(text, tokens, start, end, engine) or _compound(parts) or _headed(text[start:end]):
                out.append((match.start(), end, self.SCORE))  # the kind is part of the name
        return out

    @staticmethod
    def _opens_kana_name(text: str, tokens: tuple[JaToken, ...], match: regex.Match[str]) -> bool:
        """A department word is a facility's kind only where it opens a phrase and a kana name follows it."""
        index = token_index_at(tokens, match.start())
        if index is not None and index > 0 and tokens[index - 1].end == match.start() and tokens[index - 1].is_noun:
            return False  # みずほ皮膚科: the word ends another name
        return KANA_AFTER_KIND.match(text, match.end()) is not None


class JaEmployerCueRecognizer(_CueRecognizer):
    ENTITY = EMPLOYER
    TABLE = "employer_cues"

    def cue_key(self) -> str:
        return "named"


def _headed(name: str) -> bool:
    """楓の郷, 白樺荘, 寿楽園: the name ends in a facility's head word (data/ja/facility_heads.txt) or a place-like or
    home-like tail."""
    return (
        name.endswith(words("facility_heads")) or NO_TAIL.search(name) is not None or HOME_TAIL.search(name) is not None
    )


def _compound(parts: list[Part]) -> bool:
    """ホテル花見小路: two nouns or more with no verbal noun among them (not ホテル予約確認)."""
    nouns = [part for part in parts if part.token.pos[0] == "名詞"]
    return len(nouns) >= 2 and not any(part.token.pos[2] == "サ変可能" for part in nouns)
