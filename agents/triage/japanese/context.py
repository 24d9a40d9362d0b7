"""ConText for Japanese: negation, doubt, the hypothetical, history and family history as data (knowledge/ja/context.yaml).

Japanese puts them after what they are about (熱はない, 脳梗塞かもしれない, 熱が出たら), so a trigger under ``after``
reaches back to the finding just before it, when only the words of ``gap_words`` stand between them (a particle,
出て/して/ある, an adverb such as 全く) within ``window`` characters and no boundary (。、けど ...); it then reaches
on back through a list joined by ``list_joins`` (熱も咳もない: both). A trigger under ``before`` (もし, 以前,
既往) reaches forward to the findings of its clause within the window. Triggers are found longest first and never
inside a finding's own words (意識がない is a finding), and ``pseudo`` words hold the characters of a trigger that
is not one (止まらない, 眠れない say the problem is there). Categories, strongest first: negated, family,
hypothetical, historical, possible; otherwise present (agents/triage/context.py's Assertion).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agents.triage.context import Assertion
from agents.triage.japanese.matcher import Match, Matcher
from agents.triage.japanese.text import normalise
from agents.triage.knowledge.japanese import JaContext

_PRECEDENCE = (Assertion.negated, Assertion.family, Assertion.hypothetical, Assertion.historical, Assertion.possible)


@dataclass(frozen=True, slots=True)
class _Trigger:
    category: Assertion
    after: bool
    start: int
    end: int


class JapaneseContext:
    def __init__(self, data: JaContext) -> None:
        entries: list[tuple[str, str]] = []
        for category, ways in data.triggers.items():
            for direction, words in ways.items():
                entries.extend((normalise(w), f"{category}:{direction}") for w in words)
        entries.extend((normalise(w), "x") for w in data.pseudo)
        self._matcher = Matcher(entries)
        self._window = data.window
        self._joins = frozenset(normalise(w) for w in data.list_joins) | {""}
        self._suffixes = tuple(normalise(w) for w in data.suffixes)
        self._gap_words = tuple(sorted({normalise(w) for w in data.gap_words if normalise(w)}, key=len, reverse=True))
        self._boundaries = tuple(normalise(b) if b.strip() else b for b in data.boundaries)

    def triggers(self, text: str, findings: Sequence[Match]) -> list[_Trigger]:
        """The text's triggers outside the findings' own words (pseudo-triggers removed)."""
        found = []
        for m in self._matcher.find(text, blocked=findings):
            for key in m.keys:
                if key == "x":
                    continue
                category, direction = key.split(":")
                found.append(_Trigger(Assertion(category), direction == "after", m.start, m.end))
                break
        return found

    def assertions(self, text: str, slots: Sequence[tuple[int, int]]) -> list[Assertion]:
        """The assertion of each slot (a finding's span, findings that overlap merged), in the slots' order."""
        held: list[set[Assertion]] = [set() for _ in slots]
        findings = [Match(start, end, ()) for start, end in slots]
        for trig in self.triggers(text, findings):
            if trig.after:
                before = [i for i, (_, end) in enumerate(slots) if end <= trig.start]
                if not before:
                    continue
                i = before[-1]
                if not self._gap_ok(text[slots[i][1] : trig.start]):
                    continue
                held[i].add(trig.category)
                while i > 0 and self._joined(text[slots[i - 1][1] : slots[i][0]]):
                    i -= 1
                    held[i].add(trig.category)
            else:
                for i, (start, _) in enumerate(slots):
                    if (
                        start >= trig.end
                        and start - trig.end <= self._window
                        and not self._crosses(text[trig.end : start])
                    ):
                        held[i].add(trig.category)
        return [next((c for c in _PRECEDENCE if c in h), Assertion.present) for h in held]

    def _joined(self, between: str) -> bool:
        """Whether two findings are items of one list (熱や咳, 痛みや吐き気: a noun ending, then a join)."""
        for suffix in self._suffixes:
            if between.startswith(suffix):
                between = between[len(suffix) :]
                break
        return between in self._joins

    def _crosses(self, between: str) -> bool:
        return any(b in between for b in self._boundaries)

    def _gap_ok(self, between: str) -> bool:
        """Whether only gap words stand between a finding and a trigger after it, within the window."""
        if len(between) > self._window or self._crosses(between):
            return False
        rest = between
        while rest:
            word = next((w for w in self._gap_words if rest.startswith(w)), None)
            if word is None:
                return False
            rest = rest[len(word) :]
        return True
