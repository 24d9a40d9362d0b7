"""Judges one sentence of a model's answer against the disposition, with the rules in advice.yaml.

A sentence is normalised (agents/guard/normalise.py) and matched against the rules for the level; the first rule
that matches, and is not undone by a negation or condition just before the match or by a check on the same
sentence, gives the verdict. (One combined pattern per level was slower than the rules one by one: Python's
`re` loses its literal-prefix scan on a large alternation.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from agents.guard.normalise import Normaliser, TimeScale

ADVICE_FILE = Path(__file__).with_name("advice.yaml")
LEVELS = ("emergency_ambulance", "emergency", "consultation_24", "consultation", "self_care")
GROUPS: Mapping[str, tuple[str, ...]] = {
    "em": ("emergency_ambulance", "emergency"),
    "ne": ("consultation_24", "consultation"),
    "all": LEVELS,
}
Replacement = Literal["safe", "escalation"]

_CLASS = re.compile(r"\{([a-z_]+)\}")
_GAP = re.compile(r"~(\d+)")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Verdict:
    """A sentence contradicts the disposition: which rule, and which of our sentences takes its place."""

    rule: str
    level: str
    replacement: Replacement
    span: str  # the normalised words that matched

    def describe(self) -> str:
        return f"{self.rule}: {self.span!r} contradicts the disposition {self.level}"


def _items(pattern: str) -> list[str]:
    """Split a pattern at spaces outside parentheses."""
    items, depth, current = [], 0, []
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


class _Compiler:
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

        return _CLASS.sub(replace, fragment)

    def pattern(self, text: str) -> str:
        """The DSL (see advice.yaml) to a regex over " word word ... " text; every item ends with its space."""
        return "(?<= )" + self._sequence(text)

    def _sequence(self, text: str) -> str:
        parts = []
        for item in _items(text):
            if gap := _GAP.fullmatch(item):
                parts.append(rf"(?:\S+ ){{0,{gap[1]}}}")
                continue
            if item == "$":
                parts.append("$")
                continue
            core, suffix = item, ""
            if item[-1] in "?*" and (_CLASS.fullmatch(item[:-1]) or _is_group(item[:-1])):
                core, suffix = item[:-1], item[-1]
            if _is_group(core):  # a group is alternatives of item sequences, each ending with its space
                alternatives = "|".join(self._sequence(alt) for alt in _alternatives(core[1:-1]))
                parts.append(f"(?:{alternatives}){suffix}")
            else:
                parts.append(f"(?:(?:{self.expand(core)}) ){suffix}")
        return "".join(parts)


def _alternatives(text: str) -> list[str]:
    """Split at "|" outside parentheses."""
    out, depth, current = [], 0, []
    for char in text:
        if char == "|" and depth == 0:
            out.append("".join(current))
            current = []
            continue
        depth += (char == "(") - (char == ")")
        current.append(char)
    out.append("".join(current))
    return out


def _window_words(before: Iterable[str]) -> tuple[str, ...]:
    return tuple(f" {w} " for w in before)


@dataclass(frozen=True)
class _Check:
    name: str
    regex: re.Pattern[str]
    before: tuple[str, ...]
    window: int
    urging: re.Pattern[str] | None  # a negation followed by one of these urges ("don't wait") and is dropped

    def undone(self, text: str, start: int) -> bool:
        """A word of `before` within `window` words before `start`."""
        if not self.before:
            return False
        window = " " + " ".join(text[:start].split()[-self.window :]) + " "
        if self.urging is not None:
            window = self.urging.sub(" ", window)
        return any(word in window for word in self.before)

    def first(self, text: str, end_after: int = 0) -> re.Match[str] | None:
        for match in self.regex.finditer(text):
            if match.end() > end_after and not self.undone(text, match.start()):
                return match
        return None


@dataclass(frozen=True)
class _Rule(_Check):
    levels: frozenset[str]
    unless: tuple[_Check, ...]
    previous: bool  # reads the sentence before too ("Do you need a doctor? No.")
    questions: bool  # also judges questions
    replacement: Replacement


class AdviceJudge:
    def __init__(self, data: Mapping[str, Any]) -> None:
        norm, time = data["normalise"], data["time"]
        compiler = _Compiler(data["lexicon"])
        window = int(data["window"])
        word_sets = {name: _window_words(words) for name, words in data["before"].items()}

        def sets(names: Iterable[str]) -> tuple[str, ...]:
            return tuple(w for name in names for w in word_sets[name])

        def regex(patterns: Iterable[str]) -> re.Pattern[str]:
            return re.compile("|".join(compiler.pattern(p) for p in patterns))

        negators = "|".join(re.escape(w) for w in data["before"]["negation"])
        urging = re.compile(rf" (?:do )?(?:{negators}) (?={'|'.join(map(re.escape, data['urging']))} )")
        checks = {
            name: _Check(name, regex(spec["patterns"]), sets(spec.get("before", ())), window, urging)
            for name, spec in data["checks"].items()
        }
        rules: list[_Rule] = []
        for spec in data["rules"]:
            levels: set[str] = set()
            for target in spec["contradicts"]:
                if target in GROUPS:
                    levels.update(GROUPS[target])
                elif target in LEVELS:
                    levels.add(target)
                else:
                    raise ValueError(f"rule {spec['id']}: unknown disposition {target!r}")
            rules.append(
                _Rule(
                    spec["id"], regex(spec["patterns"]), sets(spec.get("before", ())), window, urging,
                    levels=frozenset(levels),
                    unless=tuple(checks[name] for name in spec.get("unless", ())),
                    previous=spec.get("context") == "previous",
                    questions=spec.get("questions", True),
                    replacement=spec.get("replace_with", "safe"),
                )
            )
        self._rules = {level: tuple(r for r in rules if level in r.levels) for level in LEVELS}
        words = (w for text in _strings(data["lexicon"], data["rules"], data["checks"]) for w in _WORD.findall(_GAP.sub(" ", text)))
        vocabulary = {w for w in words if not w.isdigit() or len(w) >= 3}  # "911", not the "4" of "~4"
        vocabulary |= set(time["units"]) | {w for a in time["amounts"] for w in a.split()}
        self.normalise = Normaliser(
            confusables=norm["confusables"], leet=norm["leet"], aliases=norm["aliases"],
            contractions=norm["contractions"], its_is_before=norm["its_is_before"], vocabulary=vocabulary,
            time=TimeScale(
                float(time["within_hours"]), time["units"], time["amounts"], frozenset(tuple(k.split()) for k in time["kept"])
            ),
        )

    @classmethod
    def load(cls, path: Path = ADVICE_FILE) -> "AdviceJudge":
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def judges(self, level: str) -> bool:
        """Are there rules for this level at all?"""
        return bool(self._rules.get(level))

    def judge(self, level: str, sentence: str, previous: str = "") -> Verdict | None:
        """`sentence` (raw model text) against the disposition `level`; `previous` is the sentence before it."""
        return self.judge_normalised(
            level, self.normalise(sentence), self.normalise(previous) if previous else " ",
            question=sentence.rstrip().endswith("?"),
        )

    def judge_normalised(self, level: str, text: str, previous: str = " ", *, question: bool = False) -> Verdict | None:
        for rule in self._rules.get(level, ()):
            if question and not rule.questions:
                continue
            if rule.previous:
                match = rule.first(previous[:-1] + text, end_after=len(previous))
            else:
                match = rule.first(text)
            if match is None or any(check.first(text) for check in rule.unless):
                continue
            return Verdict(rule.name, level, rule.replacement, match.group().strip())
        return None


def _strings(*values: Any) -> Iterable[str]:
    for value in values:
        if isinstance(value, str):
            yield value
        elif isinstance(value, Mapping):
            yield from _strings(*value.values())
        elif isinstance(value, (list, tuple)):
            yield from _strings(*value)


@lru_cache(maxsize=1)
def default_judge() -> AdviceJudge:
    return AdviceJudge.load()
