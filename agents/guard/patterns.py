"""The pattern language of the guard's data files (advice.yaml, care.yaml), compiled to regular expressions.

Patterns match whole words of normalised text (" word word ... ", agents/guard/normalise.py):
    word / (a|b c)     literal words; a group may hold alternatives of several words and {classes}
    {class}            any phrase of that lexicon class (a class may use others)
    X?  X*             (for {class} and (group) items) optional; any number of
    ~N                 up to N words of anything
    $                  the end of the text
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

CLASS = re.compile(r"\{([a-z_]+)\}")
GAP = re.compile(r"~(\d+)")
_WILD = re.compile(r"\\S|\.|\\w|\[")  # a class that matches words it does not spell out
_LITERAL = re.compile(r"[a-z0-9]+")


def _items(pattern: str) -> list[str]:
    """Split a pattern at spaces outside parentheses."""
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for char in pattern:
        if char == " " and depth == 0:
            if current:
                items.append("".join(current))
            current = []
            continue
        depth += (char == "(") - (char == ")")
        current.append(char)
    if current:
        items.append("".join(current))
    return items


def _is_group(text: str) -> bool:
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for i, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if depth == 0:
            return i == len(text) - 1
    return False


class Compiler:
    """Patterns to regular expressions, with the {classes} of one lexicon."""

    def __init__(self, lexicon: Mapping[str, str]) -> None:
        self._lexicon = dict(lexicon)
        self._expanded: dict[str, str] = {}

    def expand(self, fragment: str, seen: tuple[str, ...] = ()) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match[1]
            if name in seen:
                raise ValueError(f"lexicon class {name!r} refers to itself")
            if name not in self._lexicon:
                raise ValueError(f"unknown lexicon class {{{name}}}")
            if name not in self._expanded:
                self._expanded[name] = "(?:" + self.expand(self._lexicon[name], (*seen, name)) + ")"
            return self._expanded[name]

        return CLASS.sub(replace, fragment)

    def regex(self, patterns: Iterable[str]) -> re.Pattern[str]:
        """Any of `patterns`, as one expression."""
        return re.compile("|".join(self.pattern(p) for p in patterns))

    def anchors(self, patterns: Iterable[str]) -> frozenset[str] | None:
        """Words one of which is in any text that `patterns` match (None: no such set is known). A cheap test
        before the regular expression: most text has none of them."""
        found: set[str] = set()
        for pattern in patterns:
            words = self._sequence_anchors(pattern)
            if words is None:
                return None
            found |= words
        return frozenset(found)

    def _sequence_anchors(self, text: str) -> set[str] | None:
        best: set[str] | None = None
        for item in _items(text):
            if GAP.fullmatch(item) or item == "$":
                continue
            if item[-1] in "?*" and (CLASS.fullmatch(item[:-1]) or _is_group(item[:-1])):
                continue  # optional: not in every match
            if _is_group(item):
                words: set[str] | None = set()
                for alternative in _alternatives(item[1:-1]):
                    more = self._sequence_anchors(alternative)
                    if more is None:
                        words = None
                        break
                    words |= more  # type: ignore[operator]
            else:
                expanded = self.expand(item)
                words = None if _WILD.search(expanded) else set(_LITERAL.findall(expanded))
            if words and (best is None or len(words) < len(best)):
                best = words
        return best

    def pattern(self, text: str) -> str:
        """The pattern language to a regex over " word word ... " text; every item ends with its space."""
        return "(?<= )" + self._sequence(text)

    def _sequence(self, text: str) -> str:
        parts = []
        for item in _items(text):
            if gap := GAP.fullmatch(item):
                parts.append(rf"(?:\S+ ){{0,{gap[1]}}}")
                continue
            if item == "$":
                parts.append("$")
                continue
            core, suffix = item, ""
            if item[-1] in "?*" and (CLASS.fullmatch(item[:-1]) or _is_group(item[:-1])):
                core, suffix = item[:-1], item[-1]
            if _is_group(core):  # a group is alternatives of item sequences, each ending with its space
                alternatives = "|".join(self._sequence(alt) for alt in _alternatives(core[1:-1]))
                parts.append(f"(?:{alternatives}){suffix}")
            else:
                parts.append(f"(?:(?:{self.expand(core)}) ){suffix}")
        return "".join(parts)


def _alternatives(text: str) -> list[str]:
    """Split at "|" outside parentheses."""
    out: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "|" and depth == 0:
            out.append("".join(current))
            current = []
            continue
        depth += (char == "(") - (char == ")")
        current.append(char)
    out.append("".join(current))
    return out
