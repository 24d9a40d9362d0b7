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

import re
from collections.abc import Sequence
from dataclasses import dataclass

from agents.triage.context import Assertion
from agents.triage.japanese.matcher import Match, Matcher
from agents.triage.japanese.text import normalise
from agents.triage.knowledge.japanese import JaContext

_SENTENCE_ENDS = ("。", "！", "？", "!", "?", "\n")
_PRECEDENCE = (Assertion.negated, Assertion.family, Assertion.hypothetical, Assertion.historical, Assertion.possible)


@dataclass(frozen=True, slots=True)
class _Trigger:
    category: Assertion
    after: bool
    start: int
    end: int


def _sentence_of(text: str, at: int) -> str:
    """The sentence of ``text`` that holds the character at ``at``."""
    start = max(text.rfind(end, 0, at) for end in _SENTENCE_ENDS) + 1
    ends = [i for i in (text.find(end, at) for end in _SENTENCE_ENDS) if i >= 0]
    return text[start : min(ends, default=len(text))]


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
        marks = [normalise(w) for w in data.list_marks]
        self._marks = re.compile("|".join(map(re.escape, marks))) if marks else None
        self._item_chars = data.item_chars
        self._affirmations = tuple(normalise(w) for w in data.affirmations)
        self._descriptions = tuple(normalise(w) for w in data.descriptions)
        self._attributive = tuple(normalise(w) for w in data.attributive)
        self._relatives = data.relatives
        if data.relatives is not None:
            kin = "|".join(map(re.escape, sorted({normalise(w) for w in data.relatives.kin}, key=len, reverse=True)))
            subject = "|".join(map(re.escape, (normalise(w) for w in data.relatives.subject)))
            self._kin = re.compile(f"({kin})(?:{subject})")
            self._age = re.compile(data.relatives.age)
            self._before_kin = re.compile(data.relatives.age_before)
            self._after_kin = re.compile(data.relatives.age_after)
            self._now = tuple(normalise(w) for w in data.relatives.now)

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
                between = text[slots[i][1] : trig.start]
                if not (self._gap_ok(between) or self._modified(text[slots[i][0] : slots[i][1]], between)):
                    continue
                held[i].add(trig.category)
                while i > 0 and self._joined(
                    text[slots[i - 1][1] : slots[i][0]], text[slots[i - 1][0] : slots[i - 1][1]]
                ):
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

    def of_a_relative(self, text: str, start: int) -> bool:
        """Whether the words at ``start`` (a condition's name, a risk) are said of a blood relative as the subject of
        their clause (父が脳梗塞, 母は乳がん) while the message is about someone else: a person given an age who is not
        that relative (45歳男性, 私は40歳, 3歳の息子). A relative who is given the age (83歳の父が脳梗塞), or a message
        with no other patient (父が脳梗塞で倒れた), keeps the reading: the relative may be the patient."""
        r = self._relatives
        if r is None:
            return False
        clause = max((text.rfind(b, 0, start) for b in self._boundaries), default=-1) + 1
        subjects = list(self._kin.finditer(text, clause, start))
        if not subjects or start - subjects[-1].end() > r.window:
            return False
        if any(word in _sentence_of(text, start) for word in self._now):
            return False
        kin_at = [(m.start(), m.end()) for m in re.finditer(re.escape(subjects[-1].group(1)), text)]
        # someone given an age who is not this relative (at any mention of the same word) is the patient
        return any(not any(self._theirs(text, age, a, b) for a, b in kin_at) for age in self._age.finditer(text))

    def _theirs(self, text: str, age: re.Match[str], kin_start: int, kin_end: int) -> bool:
        """Whether the age belongs to the relative's word at kin_start..kin_end (83歳の父, 父(83), 父は83歳)."""
        if kin_start >= age.end():
            return self._before_kin.fullmatch(text[age.end() : kin_start]) is not None
        if kin_end <= age.start():
            return self._after_kin.fullmatch(text[kin_end : age.start()]) is not None
        return False

    def _joined(self, between: str, first: str = "") -> bool:
        """Whether two findings are items of one list (熱や咳, 痛みや吐き気: a noun ending, then a join), maybe with
        items nothing read between them (頭痛・視覚異常・胸痛), or the first a modifier of the item after it (急な視力低下・
        視野欠損)."""
        if self._modifies_item(first, between):
            return True
        for suffix in self._suffixes:
            if between.startswith(suffix):
                between = between[len(suffix) :]
                break
        if between in self._joins or self._describing(between) == "":
            return True
        parts = self._items(between)
        return len(parts) >= 3 and parts[0] == "" and parts[-1] == "" and all(map(self._unread_item, parts[1:-1]))

    def _crosses(self, between: str) -> bool:
        return any(b in between for b in self._boundaries)

    def _gap_ok(self, between: str) -> bool:
        """Whether only gap words stand between a finding and a trigger after it, within the window; or items
        nothing read, listed after the finding (腫脹・発赤・左右差なし); or the noun the finding describes
        (胸がへこむような呼吸なし, カーテンが下りてくるような視野欠損はない), then gap words."""
        if self._crosses(between):
            return False
        if len(between) <= self._window and self._gap_words_only(between):
            return True
        return self._through_items(between) or self._described(between)

    def _items(self, between: str) -> list[str]:
        return self._marks.split(between) if self._marks is not None else [between]

    def _unread_item(self, item: str) -> bool:
        """A list item the knowledge does not read, which does not say it is there (動悸あり stops a reach)."""
        return 0 < len(item) <= self._item_chars and not any(a in item for a in self._affirmations)

    def _item_then_gap(self, rest: str) -> bool:
        """An unread item, then only gap words (左右差, 視覚異常は, 児を傷つける考えは)."""
        return any(
            self._unread_item(rest[:k]) and self._gap_words_only(rest[k:])
            for k in range(1, min(len(rest), self._item_chars) + 1)
        )

    def _through_items(self, between: str) -> bool:
        parts = self._items(between)
        if len(parts) < 2 or len(parts) > 6 or parts[0] not in ("", *self._suffixes):
            return False
        return all(map(self._unread_item, parts[1:-1])) and self._item_then_gap(parts[-1])

    def _describing(self, between: str) -> str | None:
        """What follows a verb's ending and a description word (むような, てくるような), or None."""
        for word in self._descriptions:
            at = between.find(word)
            if 0 <= at <= 5 and all("ぁ" <= ch <= "ん" for ch in between[:at]):
                return between[at + len(word) :]
        return None

    def _described(self, between: str) -> bool:
        rest = self._describing(between)
        return rest is not None and self._item_then_gap(rest)

    def _modified(self, finding: str, between: str) -> bool:
        """Whether a finding that ends as a modifier (急な) stands before nouns nothing read, then gap words: 急な視力低下
        なし, 急な視力低下・視野欠損なし."""
        if not self._attributive or not finding.endswith(self._attributive) or self._crosses(between):
            return False
        parts = self._items(between)
        return len(parts) <= 6 and all(map(self._unread_item, parts[:-1])) and self._item_then_gap(parts[-1])

    def _modifies_item(self, finding: str, between: str) -> bool:
        """Whether a modifier (急な) stands before list items nothing read, the last ending in a list mark."""
        if not self._attributive or not finding.endswith(self._attributive):
            return False
        parts = self._items(between)
        return 2 <= len(parts) <= 6 and parts[-1] == "" and all(map(self._unread_item, parts[:-1]))

    def _gap_words_only(self, between: str) -> bool:
        rest = between
        while rest:
            word = next((w for w in self._gap_words if rest.startswith(w)), None)
            if word is None:
                return False
            rest = rest[len(word) :]
        return True
