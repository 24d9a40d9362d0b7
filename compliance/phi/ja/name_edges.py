"""Where a found Japanese name really ends and starts: readings, a given name after a space, a surname before it.

    widen(text, start, end, engine) -> [(start, end), ...]   # the name, then its reading when one follows

Recognizers find a name's core from the dictionary and cues; what sits next to it is often the rest of the
same name, written the ways forms and chat write names:
  reading     悠人(ゆうと), 松井 蒼(あおい), あや(彩), Kim Ji-hoon(キム・ジフン): the other writing of the name in
              brackets right after it is a name too (its own span: the brackets are no name), and kanji the
              tokenizer glued to the bracket belong to the name;
  given name  山田 ひなた, 石井 光, 大野 楓: a surname, a space, then a short hiragana run that ends where names
              end, or one to three kanji the dictionary reads as a name;
  surname     千葉 陽介, 長野 恵: a word the dictionary also lists as a surname (a place name, often), then a
              space, then the name found; a surname in variant kanji (髙橋, 濵田) is looked up in its common form.
Pure: the text is NFKC already (brackets are ASCII).
"""

from __future__ import annotations

import regex

from compliance.phi.ja.lexicon import name_forms, word_set
from compliance.phi.ja.nlp import SudachiNlpEngine

KANA = r"[\p{Hiragana}\p{Katakana}ー・]"
READING = regex.compile(rf" ?(?P<glued>[\p{{Han}}々]{{0,3}})\( ?(?P<inner>{KANA}{{2,12}}(?: {KANA}{{1,8}})?) ?\)")
KANJI_READING = regex.compile(r"\( ?(?P<inner>[\p{Han}々]{1,4}) ?\)")
# ｼﾉﾉﾒ ﾄﾒ(東雲 トメ): a surname in kanji and a given name in kanji or katakana, in brackets after a kana name.
KANJI_NAME_READING = regex.compile(r"\( ?(?P<inner>[\p{Han}々]{1,4} [\p{Han}々\p{Katakana}ー]{1,6}) ?\)")
KANA_NAME = regex.compile(r"[\p{Hiragana}\p{Katakana}ー・ ]+")
NAME_END = r"(?=[、。,.!?()\s]|さん|ちゃん|くん|様|さま|\Z)"
# The given name ends before a copula written onto it (さくらい ゆめです: ゆめ).
GIVEN_IN_HIRAGANA = regex.compile(rf" (?P<given>[\p{{Hiragana}}ー]{{2,5}}?)(?:です|でした)?{NAME_END}")
GIVEN_IN_KANJI = regex.compile(
    r" (?P<given>[\p{Han}々]{1,3})(?=[、。,.!?()\s]|さん|ちゃん|くん|様|さま|です|が|は|の|と|\Z)"
)
# Kim Ji-hoon(キム・ジフン): a Latin name right before a kana name in brackets is the same person.
LATIN_BEFORE_BRACKET = regex.compile(r"(?<![A-Za-z])[A-Z][A-Za-z'\-]*(?: [A-Z][A-Za-z'\-]*){0,2} ?\( ?\Z")
HONORIFICS = frozenset(("様", "殿"))
SURNAME_BEFORE = regex.compile(r"(?<![\p{Han}々])[\p{Han}々]{1,3} \Z")


def widen(text: str, start: int, end: int, engine: SudachiNlpEngine) -> list[tuple[int, int]]:
    """The name at text[start:end] with the parts of it that stand beside it; its reading as a second span."""
    last_word = text[start:end].split(" ")[-1]
    if " " not in text[start:end].strip() and _is_surname(engine, last_word):
        given = GIVEN_IN_HIRAGANA.match(text, end)
        if given is not None:
            end = given.end("given")
        else:
            kanji = GIVEN_IN_KANJI.match(text, end)
            if kanji is not None and _is_given_name(engine, kanji.group("given")):
                end = kanji.end()
    spans = []
    reading = READING.match(text, end)
    if reading is not None:
        spans.append((reading.start("inner"), reading.end("inner")))
        if reading.group("glued") and reading.group("glued") not in HONORIFICS:
            end = reading.end("glued")  # 翠(みどり) after 高橋: the given name; 春様(はる): not the honorific
    elif KANA_NAME.fullmatch(text[start:end]):
        kanji = KANJI_READING.match(text, end)
        whole = KANJI_NAME_READING.match(text, end)
        relation = kanji is not None and kanji.group("inner") in word_set("kinship_cues")  # けんちゃん（孫）
        if kanji is not None and not relation and engine.name_readings(kanji.group("inner")):
            spans.append((kanji.start("inner"), kanji.end("inner")))
        elif whole is not None and " " in text[start:end].strip():
            spans.append((whole.start("inner"), whole.end("inner")))
    if KANA_NAME.fullmatch(text[start:end]):
        latin = LATIN_BEFORE_BRACKET.search(text, max(0, start - 40), start)
        if latin is not None:
            spans.append((latin.start(), len(text[: latin.end()].rstrip(" (").rstrip())))
    before = SURNAME_BEFORE.search(text, max(0, start - 4), start)
    if before is not None and _is_surname(engine, text[before.start() : start - 1]):
        start = before.start()
    return [(start, end), *spans]


def _is_surname(engine: SudachiNlpEngine, surface: str) -> bool:
    return any(pos[1:4] == ("固有名詞", "人名", "姓") for form in name_forms(surface) for pos in engine.readings(form))


def _is_given_name(engine: SudachiNlpEngine, surface: str) -> bool:
    """石井 光: a kanji word after a surname and a space is the given name when the dictionary reads it as one."""
    if surface in word_set("honorifics") or surface in word_set("role_nouns"):
        return False
    return any(pos[1:3] == ("固有名詞", "人名") for pos in engine.readings(surface))
