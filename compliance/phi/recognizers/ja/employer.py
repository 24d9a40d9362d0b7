"""Employers: company names with a legal form (株式会社ミライ商事, 丸山建設株式会社, (株)ヤマト運輸), a proper name
before a company word (トヨタ自動車, 本田技研工業), and a proper name next to a cue about work (トヨタで働いて
います, 勤務先はセブン-イレブンです). Cue and word lists: data/ja/company_forms.txt, company_suffixes.txt,
employer_cues.yaml."""

from __future__ import annotations

import regex

from compliance.phi.entities import EMPLOYER
from compliance.phi.ja.lexicon import alternation, kept_places, table, words
from compliance.phi.ja.nlp import JaToken, SudachiNlpEngine
from compliance.phi.recognizers.ja.base import JaTokenRecognizer, compile_ja
from compliance.phi.recognizers.ja.organisations import branch_end, is_proper, parts_after, parts_before

NAME_AFTER_FORM = r"(?:[\p{Hiragana}]{1,6}(?=[\p{Han}\p{Katakana}A-Za-z]))?[\p{Han}\p{Katakana}A-Za-z0-9ー・&\-]{1,20}"
TRAILING_WORDS = regex.compile(r"(?:勤務|社員|在籍|所属|本社|支店|工場|営業所|勤め)+\Z")
KANA_WORD = regex.compile(r"[\p{Hiragana}\p{Katakana}ー]{2,}")
KANJI_WORD = regex.compile(r"[\p{Han}]+")


class JaEmployerRecognizer(JaTokenRecognizer):
    ENTITY = EMPLOYER
    SCORE_FORM = 0.9
    SCORE_CUE = 0.8
    SCORE_SUFFIX = 0.75

    def __init__(self) -> None:
        super().__init__()
        forms = alternation(words("company_forms"))
        cues = table("employer_cues")
        self._form_first = compile_ja(rf"{forms}\s*(?P<name>{NAME_AFTER_FORM})")
        self._form = compile_ja(forms)
        self._suffix = compile_ja(alternation(words("company_suffixes")))
        self._cue_after = compile_ja(alternation(cues["after"]))
        self._cue_before = compile_ja(rf"{alternation(cues['before'])}\s*")
        # 勤務先は日乃出建設株式会社です: after a cue, everything up to a legal form is the name, whatever it reads as
        self._cue_to_form = compile_ja(rf"{alternation(cues['before'])}\s*\K[^\s、。,()「」]{{1,20}}?{forms}")

    def spans(self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine) -> list[tuple[int, int, float]]:
        out: list[tuple[int, int, float]] = []
        for match in self._form_first.finditer(text):
            name = TRAILING_WORDS.sub("", match.group("name"))
            if name:
                out.append((match.start(), match.start("name") + len(name), self.SCORE_FORM))
        for match in self._form.finditer(text):
            parts = parts_before(text, tokens, match.start())
            if parts:
                out.append((parts[0].start, match.end(), self.SCORE_FORM))
        for match in self._suffix.finditer(text):
            parts = parts_before(text, tokens, match.start())
            # みらい証券, トヨシマ電装: a kana word before a kanji company word names the company too
            kana = KANJI_WORD.fullmatch(match.group()) and any(KANA_WORD.fullmatch(part.surface) for part in parts)
            # 関西精工, 九州電力, 日本生命: a region, a prefecture or a country right before a company word names one
            regional = bool(parts) and _large_place(parts[-1].token) and parts[-1].end == match.start()
            if any(is_proper(part, engine) for part in parts) or (parts and kana) or regional:
                out.append((parts[0].start, match.end(), self.SCORE_SUFFIX))
        for match in self._cue_after.finditer(text):
            parts = parts_before(text, tokens, match.start())
            if any(is_proper(part, engine) for part in parts):
                out.append((parts[0].start, parts[-1].end, self.SCORE_CUE))
        for match in self._cue_to_form.finditer(text):
            out.append((match.start(), match.end(), self.SCORE_FORM))
        for match in self._cue_before.finditer(text):
            parts = parts_after(text, tokens, match.end())
            if any(is_proper(part, engine) for part in parts):
                out.append((parts[0].start, parts[-1].end, self.SCORE_CUE))
        return [(start, branch_end(text, end), score) for start, end, score in out]


def _large_place(token: JaToken) -> bool:
    return token.surface in kept_places() or (token.is_country and token.is_proper)
