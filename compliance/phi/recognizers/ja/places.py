"""Where a place name begins and ends, for the address and location recognizers.

Sudachi tags place names (名詞,固有名詞,地名) and, in its long-unit mode, joins a whole locality into one
morpheme (横浜市港北区日吉). A place run is such morphemes in a row, prefectures included; an address is a run
followed by a block number (3丁目4番5号, 2-10-5, 北1条西2丁目, 一丁目) and maybe a building and room.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from compliance.phi.ja.lexicon import kept_places, word_set
from compliance.phi.ja.nlp import JaToken, SudachiNlpEngine
from compliance.phi.recognizers.ja.base import DASH

MUNICIPAL_SUFFIXES = frozenset({"市", "区", "町", "村", "郡", "都", "府", "県", "道"})
SEPARATOR = rf"(?:丁目|丁|番地|番|号|条|線|の(?=\s*\d)|{DASH})"
# 一丁目, 三番地: a block in kanji numerals, only before a unit that makes it one (一番 alone is "the most"); after
# the first unit 十番, 五号 follow as digits do
_KANJI_NUMBER = r"[一二三四五六七八九十]{1,3}"
FIRST_NUMBER = rf"(?:\d+|{_KANJI_NUMBER}(?=\s*(?:丁目|番地|条)))"
NEXT_NUMBER = rf"(?:\d+|{_KANJI_NUMBER}(?=\s*(?:丁目|番地|番|号|条)))"
BLOCK = rf"(?:[東西南北])?{FIRST_NUMBER}\s*{SEPARATOR}(?:\s*(?:[東西南北])?{NEXT_NUMBER}\s*(?:{SEPARATOR})?)*"
AREA = r"[\p{Han}\p{Katakana}ヶケノ々]{0,8}?"
BUILDING = (
    r"(?:[ 　]?[\p{Katakana}\p{Han}A-Za-z][\p{Katakana}\p{Han}A-Za-z0-9ー・]{0,20}?\d+\s*(?:号室|階|F|号)"
    r"|[ 　]?\d{3,4}\s*号室"
    # グランパレス渋谷1203, ルミエール六本木 502, 南大通ビル 805: a building's name and its room number, no unit
    r"|[ 　]?\p{Katakana}[\p{Katakana}\p{Han}A-Za-z0-9ー・]{1,20}?[ 　]?\d{3,4}(?![\d\-]|\.\d)"
    r"|[ 　]?[\p{Han}\p{Katakana}][\p{Katakana}\p{Han}ー・]{0,12}?(?:ビル|ハイツ|マンション|荘|コーポ|タワー|レジデンス|館|棟|寮|団地)"
    r"[ 　]?\d{3,4}(?![\d\-]|\.\d))?"
)
ADDRESS_TAIL = regex.compile(AREA + BLOCK + BUILDING)
STATION = "駅"


@dataclass(frozen=True)
class PlaceRun:
    start: int
    end: int
    kept: bool  # a prefecture or a larger region: not an identifier on its own


def place_runs(text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine) -> list[PlaceRun]:
    runs: list[PlaceRun] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        suffixed = index + 1 < len(tokens) and tokens[index + 1].surface in MUNICIPAL_SUFFIXES
        if not _is_place(token) and not (suffixed and _municipality(tokens, index, engine)):
            station = _station_place(token, engine)
            if station is not None:
                runs.append(PlaceRun(token.start, token.start + len(station), station in kept_places()))
            index += 1
            continue
        last = index
        while last + 1 < len(tokens) and (
            _is_place(tokens[last + 1]) or tokens[last + 1].surface in MUNICIPAL_SUFFIXES
        ):
            last += 1
        start, end = token.start, tokens[last].end
        runs.append(PlaceRun(start, end, text[start:end] in kept_places()))
        index = last + 1
    return runs


def address_end(text: str, run: PlaceRun) -> int | None:
    """Where the address that starts with this place run ends, if a block number follows it."""
    match = ADDRESS_TAIL.match(text, run.end)
    return match.end() if match is not None and match.end() > run.end else None


def is_place_token(token: JaToken) -> bool:
    """A place smaller than a prefecture (広尾, 新宿区): not kept on its own."""
    return _is_place(token) and token.surface not in kept_places()


def _is_place(token: JaToken) -> bool:
    if token.surface in kept_places():
        return True
    return token.is_place and not token.is_country and token.surface not in word_set("regions")


def _municipality(tokens: tuple[JaToken, ...], index: int, engine: SudachiNlpEngine) -> bool:
    """市川市, 大野町: a word read first as a surname is a place when a municipal suffix follows and the
    dictionary also lists it as one."""
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    if following is None or following.surface not in MUNICIPAL_SUFFIXES or following.start != tokens[index].end:
        return False
    return tokens[index].is_noun and any(
        pos[1:3] == ("固有名詞", "地名") for pos in engine.readings(tokens[index].surface)
    )


def _station_place(token: JaToken, engine: SudachiNlpEngine) -> str | None:
    """渋谷駅 is one proper noun: the place is what comes before 駅."""
    if not token.is_proper or not token.surface.endswith(STATION) or len(token.surface) < 3:
        return None
    place = token.surface[: -len(STATION)]
    if any(pos[1:3] == ("固有名詞", "地名") and pos[3] != "国" for pos in engine.readings(place)):
        return place
    return None
