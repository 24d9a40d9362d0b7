"""Names and ages in a table whose header says what each column holds, where no cue stands beside the value:

    氏名／年齢／診断／受け持ち
    戸田ウメ／95／大動脈弁狭窄症／下

A header is a line of three or more short cells split by ／, /, |, ｜ or a tab, with no digit, one of which names a
person (氏名, 患者, 利用者, 受け持ち, 担当 ...: data/ja/table_headers.yaml). Each following line with as many cells,
up to a blank line, is a row: the value under a person's column is a name (a ditto mark or a dash is none), an
age of 90 or over under an age column is an age (Safe Harbor; younger ages are kept), and a value with a digit under
a number's column (社員番号, 患者ID: a header ending in 番号, ID or No.) is an identifier.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import regex

from compliance.phi.entities import AGE, MRN, PERSON
from compliance.phi.ja.lexicon import table
from compliance.phi.ja.nlp import JaToken, SudachiNlpEngine
from compliance.phi.recognizers.ja.base import JaTokenRecognizer

SEPARATOR = regex.compile(r"[／/|｜\t]")
HEADER_CELL = regex.compile(r"[^\d０-９]{1,8}")
NO_VALUE = regex.compile(r"[〃″\"ー\-－―…・]*|同上|なし|無し|不明|未定")
NUMBER_HEADER = regex.compile(r".{0,8}(?:番号|ID|No\.?)")
HAS_DIGIT = regex.compile(r"\d")
AGE_OVER_89 = regex.compile(r"(?:9\d|1[01]\d)\s*(?:歳|才)?")
MIN_CELLS = 3


@cache
def _headers() -> tuple[frozenset[str], frozenset[str]]:
    headers = table("table_headers")
    return frozenset(headers["person"]), frozenset(headers["age"])


def cells(text: str) -> Iterator[tuple[str, int, int]]:
    """(column kind, start, end) of every value under a person's or an age column in the text's tables."""
    if len(SEPARATOR.findall(text)) < 2 * (MIN_CELLS - 1):
        return  # a header and one row at least
    person, age = _headers()
    kinds: list[str | None] | None = None
    offset = 0
    for line in text.split("\n"):
        parts = SEPARATOR.split(line)
        if len(parts) < MIN_CELLS:
            kinds = None
        elif kinds is None or len(parts) != len(kinds):
            names = [part.strip() for part in parts]
            found = [_kind(n, person, age) for n in names]
            header = all(HEADER_CELL.fullmatch(n) for n in names) and "person" in found
            kinds = found if header else None
        else:
            start = offset
            for kind, part in zip(kinds, parts, strict=True):
                value = part.strip()
                begin = start + len(part) - len(part.lstrip())
                if kind is not None and value and not NO_VALUE.fullmatch(value):
                    yield kind, begin, begin + len(value)
                start += len(part) + 1
        offset += len(line) + 1


def _kind(header: str, person: frozenset[str], age: frozenset[str]) -> str | None:
    if header in person:
        return "person"
    if header in age:
        return "age"
    return "id" if NUMBER_HEADER.fullmatch(header) else None


class JaTableNameRecognizer(JaTokenRecognizer):
    ENTITY = PERSON

    def spans(self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine) -> list[tuple[int, int, float]]:
        return [(start, end, 0.8) for kind, start, end in cells(text) if kind == "person"]


class JaTableAgeRecognizer(JaTokenRecognizer):
    ENTITY = AGE

    def spans(self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine) -> list[tuple[int, int, float]]:
        return [
            (start, end, 0.85)
            for kind, start, end in cells(text)
            if kind == "age" and AGE_OVER_89.fullmatch(text[start:end])
        ]


class JaTableIdRecognizer(JaTokenRecognizer):
    ENTITY = MRN

    def spans(self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine) -> list[tuple[int, int, float]]:
        return [
            (start, end, 0.8) for kind, start, end in cells(text) if kind == "id" and HAS_DIGIT.search(text[start:end])
        ]
