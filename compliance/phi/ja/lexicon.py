"""Japanese word lists and cue tables under data/ja/, loaded once."""

from __future__ import annotations

from functools import cache
from typing import Any

import regex

from compliance import yaml_text
from compliance.phi.lexicon import DATA_DIR

JA_DIR = DATA_DIR / "ja"


@cache
def words(name: str) -> tuple[str, ...]:
    """Lines of data/ja/<name>.txt, comments and blanks dropped, in file order."""
    lines = (JA_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))


@cache
def word_set(name: str) -> frozenset[str]:
    return frozenset(words(name))


@cache
def table(name: str) -> dict[str, Any]:
    """data/ja/<name>.yaml as a mapping."""
    data = yaml_text.parse((JA_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"data/ja/{name}.yaml must hold a mapping")
    return data


def alternation(items: tuple[str, ...] | list[str]) -> str:
    """A regex alternation of literal strings, longest first (so 整形外科 wins over 外科)."""
    return "(?:" + "|".join(regex.escape(item) for item in sorted(set(items), key=len, reverse=True)) + ")"


@cache
def kept_places() -> frozenset[str]:
    """Prefectures and larger regions: places that are not identifiers on their own."""
    return word_set("prefectures") | word_set("regions")


@cache
def _variant_kanji() -> dict[int, str]:
    return str.maketrans(table("name_variants")["variants"])


def common_form(name: str) -> str:
    """A name in variant kanji (髙橋, 濵田) in the common form the dictionary lists (高橋, 浜田;
    data/ja/name_variants.yaml); any other name as it is."""
    return name.translate(_variant_kanji())


def name_forms(name: str) -> set[str]:
    """The spellings to look a family name up under: as written, and in its common form (德永 and 徳永)."""
    return {name, common_form(name)}
