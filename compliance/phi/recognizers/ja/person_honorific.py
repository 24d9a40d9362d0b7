"""A name right before an honorific or a title: 山田さん, 鈴木先生, ゆうとくん, グエン・ヴァン・ナムさん, Johnさん.

The honorific says where the name ends; person_words.name_before finds where it starts. Ordinary words take
honorifics too (看護師さん, 皆さん, お隣さん): role words never count, a word ending like a job or a shop
(…屋, …師, …員) neither, and a plain word only before a personal honorific (さん, くん, ちゃん, 様), never
before a title (先生, 部長). An honorific inside a longer word (お母さん, 様子, 氏名) is no honorific.
"""

from __future__ import annotations

import regex

from compliance.phi.entities import PERSON
from compliance.phi.ja.lexicon import alternation, words
from compliance.phi.ja.nlp import JaToken, SudachiNlpEngine
from compliance.phi.recognizers.ja.base import JaTokenRecognizer, compile_ja, token_index_at
from compliance.phi.recognizers.ja.names import Strength
from compliance.phi.recognizers.ja.person_words import name_before

PERSONAL = frozenset({"さん", "さま", "様", "くん", "君", "ちゃん", "ちゃま", "たん", "氏", "殿"})
# Characters after an honorific that make it part of another word (様子, 氏名, さんま, 君が代).
NOT_BEFORE = {"様": "子々相式態", "氏": "名族", "さん": "まござ", "君": "が主臨", "殿": "堂下様", "たん": "ぱすでだじ"}
# Honorifics a form or a letter writes after a space (林 様, 森 希望 様).
FORM_HONORIFICS = frozenset({"様", "さま", "殿"})
ROLE_ENDINGS = regex.compile(r"[屋局店科院所社課部係師士員者家手長方官工匠]\Z")
# A nickname whose stem ends in a small tsu or a long mark is one word with its suffix (さっちゃん, あっくん, ちーちゃん):
# the stem alone is no name, and leaving the suffix in clear leaves most of it. Elsewhere the honorific stays out
# (れんくん: only れん).
NICKNAME_SUFFIXES = frozenset({"ちゃん", "くん"})
NICKNAME_STEM = regex.compile(r"[\p{Hiragana}\p{Katakana}]{1,3}[っッー]")
KANA_LETTER = regex.compile(r"[\p{Hiragana}\p{Katakana}]")
SCORES = {Strength.NAME: 0.85, Strength.UNKNOWN: 0.8, Strength.WORD: 0.65}


class JaHonorificRecognizer(JaTokenRecognizer):
    ENTITY = PERSON

    def __init__(self) -> None:
        super().__init__()
        self._honorific = compile_ja(alternation(words("honorifics")))

    def spans(self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine) -> list[tuple[int, int, float]]:
        out: list[tuple[int, int, float]] = []
        for match in self._honorific.finditer(text):
            word, start = match.group(), match.start()
            following = text[match.end() : match.end() + 1]
            if start == 0 or (following and following in NOT_BEFORE.get(word, "")):
                continue
            if token_index_at(tokens, start) is None:  # お母さん, 赤ちゃん: one word
                continue
            end = start - 1 if word in FORM_HONORIFICS and text[start - 1] == " " else start  # 林 様: a form's space
            found = name_before(text, end, tokens, engine)
            if found is None:
                continue
            name_start, found_strength = found
            value = text[name_start:end].rstrip()
            if found_strength == Strength.NEVER or not value:
                continue
            if found_strength == Strength.WORD and (word not in PERSONAL or ROLE_ENDINGS.search(value)):
                continue
            if word == "たん" and found_strength != Strength.NAME:
                continue  # くれたんは, やったんよ: a verb's past and ん, unless a listed name comes before (ゆいたん)
            if value.startswith("ー") and name_start > 0 and KANA_LETTER.fullmatch(text[name_start - 1]):
                name_start, value = name_start - 1, text[name_start - 1] + value  # ちーちゃん: the ー is no name alone
            name_end = name_start + len(value)
            if word in NICKNAME_SUFFIXES and end == start and NICKNAME_STEM.fullmatch(value):
                name_end = match.end()  # さっちゃん, あっくん: the nickname is the whole word
            out.append((name_start, name_end, SCORES[found_strength]))
        return out
