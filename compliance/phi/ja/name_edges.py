"""Where a found Japanese name really ends and starts: readings, a given name after a space, a surname before it.

    widen(text, start, end, engine) -> (start, end)

Recognizers find a name's core from the dictionary and cues; what sits next to it is often the rest of the
same name, written the ways forms and chat write names:
  reading     悠人(ゆうと), 松井 蒼(あおい), 平野かおり(ひらの かおり): a kana reading in brackets right after a
              name, with the kanji the tokenizer glued to it, is the name again (and identifies as much);
  given name  山田 ひなた, 野口 さやか: a surname, a space, then a short hiragana run that ends where names end;
  surname     千葉 陽介, 長野 恵: a word the dictionary also lists as a surname (a place name, often), then a
              space, then the name found.
Pure: the text is NFKC already (brackets are ASCII).
"""

from __future__ import annotations

import regex

from compliance.phi.ja.nlp import SudachiNlpEngine

READING = regex.compile(
    r" ?[\p{Han}々]{0,3}\( ?[\p{Hiragana}\p{Katakana}ー]{2,12}(?: [\p{Hiragana}\p{Katakana}ー]{1,8})? ?\)"
)
GIVEN_IN_HIRAGANA = regex.compile(r" [\p{Hiragana}ー]{2,5}(?=[、。,.!?()\s]|さん|ちゃん|くん|様|さま|\Z)")
SURNAME_BEFORE = regex.compile(r"(?<![\p{Han}々])[\p{Han}々]{1,3} \Z")


def widen(text: str, start: int, end: int, engine: SudachiNlpEngine) -> tuple[int, int]:
    """The name at text[start:end] with the parts of it that stand beside it."""
    given = GIVEN_IN_HIRAGANA.match(text, end)
    if given is not None and _is_surname(engine, text[start:end].split(" ")[-1]):
        end = given.end()
    reading = READING.match(text, end)
    if reading is not None:
        end = reading.end()
    before = SURNAME_BEFORE.search(text, max(0, start - 4), start)
    if before is not None and _is_surname(engine, text[before.start() : start - 1]):
        start = before.start()
    return start, end


def _is_surname(engine: SudachiNlpEngine, surface: str) -> bool:
    return any(pos[1:4] == ("固有名詞", "人名", "姓") for pos in engine.readings(surface))
