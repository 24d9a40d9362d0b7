"""Reasoning over findings: red-flag findings, physiology and conditions, each proposing a disposition.

    reason(mentions, facts, kb) -> Reasoning

The most urgent proposal is the findings layer's disposition; ``considered`` lists every condition that
counted (named or matched by a pattern) with the findings behind it, most urgent first. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from agents.triage.context import Assertion
from agents.triage.facts import Facts
from agents.triage.knowledge import Condition, Knowledge, Pattern
from agents.triage.levels import Level
from agents.triage.physiology import Person, Sign, signs
from agents.triage.reading import Mention

_AGE_HINTS = (("infant_under_3_months", 0.1), ("infant", 0.5), ("child", 6.0), ("older_adult", 80.0))
_CONFUSION_IDS = ("confusion", "new_confusion", "reduced_gcs", "altered_mental_state", "drowsy")


@dataclass(frozen=True, slots=True)
class Considered:
    id: str
    name: str
    level: Level
    via: str
    """'named' (the text names or suspects it) or 'pattern' (its findings are present)."""
    findings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Proposal:
    level: Level
    source: str
    """'finding:<id>', 'physiology:<id>' or 'condition:<id>'."""
    reason: str


@dataclass(slots=True)
class Reasoning:
    level: Level | None
    present: frozenset[str]
    negated: frozenset[str]
    considered: tuple[Considered, ...]
    proposals: tuple[Proposal, ...]
    signs: tuple[Sign, ...]
    person: Person
    complaint_read: bool
    """Whether the text names any symptom, sign, test result or condition (not only people and modifiers)."""
    scores: dict[str, str] = field(default_factory=dict)


def person_of(facts: Facts, present: set[str]) -> Person:
    age = facts.age
    pregnant = facts.gest_weeks is not None or "pregnant" in present
    if age is None and not pregnant:  # "my baby" in a pregnancy is the fetus, not an infant patient
        age = next((value for ident, value in _AGE_HINTS if ident in present), None)
    sex = facts.sex or ("female" if pregnant else None)
    return Person(age, sex, pregnant)


def _pattern_holds(pattern: Pattern, present: frozenset[str], person: Person) -> tuple[str, ...] | None:
    if not person.fits(pattern.who):
        return None
    if any(ref not in present for ref in pattern.all):
        return None
    if any(ref in present for ref in pattern.none):
        return None
    extra = tuple(ref for ref in pattern.any if ref in present)
    if pattern.any and len(extra) < pattern.min_any:
        return None
    return (*pattern.all, *extra)


def _condition(condition: Condition, present: frozenset[str], named: bool, person: Person) -> Considered | None:
    if not person.fits(condition.who):
        return None
    best: Considered | None = None
    for pattern in condition.patterns:
        behind = _pattern_holds(pattern, present, person)
        if behind is None:
            continue
        level = pattern.level or condition.level
        if best is None or level.rank < best.level.rank:
            best = Considered(condition.id, condition.name, level, "pattern", behind)
    if named and (best is None or condition.level.rank < best.level.rank):
        return Considered(condition.id, condition.name, condition.level, "named", ())
    return best


_INDEXES: dict[str, dict[str, tuple[Condition, ...]]] = {}


def _by_finding(kb: Knowledge) -> dict[str, tuple[Condition, ...]]:
    """Finding id -> the conditions with a pattern that cannot hold without it: each pattern is filed under the
    rarest of its required (`all`) findings, or under each of its `any` findings when it requires none."""
    index = _INDEXES.get(kb.version)
    if index is None:
        uses: dict[str, int] = {}
        for condition in kb.conditions.values():
            for pattern in condition.patterns:
                for ref in (*pattern.all, *pattern.any):
                    uses[ref] = uses.get(ref, 0) + 1
        found: dict[str, dict[str, Condition]] = {}
        for condition in kb.conditions.values():
            for pattern in condition.patterns:
                keys = (min(pattern.all, key=lambda ref: (uses[ref], ref)),) if pattern.all else pattern.any
                for key in keys:
                    found.setdefault(key, {})[condition.id] = condition
        index = _INDEXES[kb.version] = {ident: tuple(conds.values()) for ident, conds in found.items()}
    return index


def _candidates(kb: Knowledge, present: frozenset[str], named: set[str]) -> list[Condition]:
    """The conditions that can count: named ones, and those with a pattern whose key finding is present."""
    index = _by_finding(kb)
    seen: dict[str, Condition] = {ident: kb.conditions[ident] for ident in named}
    for ident in present:
        for condition in index.get(ident, ()):
            seen.setdefault(condition.id, condition)
    return sorted(seen.values(), key=lambda c: c.id)


def _unambiguous(named: set[str], mentions: tuple[Mention, ...], kb: Knowledge) -> set[str]:
    """Words that name several conditions ("dehydrated": mild and severe dehydration) name the least urgent;
    the more urgent ones then need their patterns (the findings that make them severe)."""
    by_words: dict[str, list[str]] = {}
    for m in mentions:
        if m.named and m.id in named:
            by_words.setdefault(m.words, []).append(m.id)
    keep = set(named)
    for ids in by_words.values():
        if len(ids) > 1:
            least = max(ids, key=lambda i: kb.conditions[i].level.rank)
            keep.difference_update(i for i in ids if i != least)
    # a condition named elsewhere in its own words stays named
    for m in mentions:
        if m.named and m.id in named and len(by_words.get(m.words, ())) == 1:
            keep.add(m.id)
    return keep


def reason(mentions: Iterable[Mention], facts: Facts, kb: Knowledge) -> Reasoning:
    mentions = tuple(mentions)
    if not any(m.assertion.counts_now for m in mentions):
        # a relative's event is a family history only beside something said of the patient: "Dad had a stroke
        # yesterday, what do I do" is about Dad; "45M, BP 162/98 ... his father had a stroke" is not
        mentions = tuple(replace(m, assertion=Assertion.present) if m.relative else m for m in mentions)
    present: set[str] = set()
    negated: set[str] = set()
    named: set[str] = set()
    for m in mentions:
        if m.assertion.counts_now:
            (named if m.named else present).add(m.id)
        elif m.assertion is Assertion.historical and not m.named and kb.concepts[m.id].kind == "risk":
            present.add(m.id)
        elif m.assertion is Assertion.negated:
            negated.add(m.id)
    named = _unambiguous(named, mentions, kb)
    person = person_of(facts, present)
    confused = any(ident in present for ident in _CONFUSION_IDS)
    measured = signs(facts, person, confused, kb, copd="known_copd" in present)
    present.update(s.id for s in measured)
    frozen = frozenset(present)

    proposals: list[Proposal] = []
    for ident in sorted(frozen):
        concept = kb.concepts.get(ident)
        if (
            concept is not None
            and concept.level is not None
            and person.fits(concept.who)
            and not any(u in frozen for u in concept.unless)
        ):
            proposals.append(Proposal(concept.level, f"finding:{ident}", concept.name or ident))
    for sign in measured:
        if sign.level is not None:
            proposals.append(Proposal(sign.level, f"physiology:{sign.id}", sign.reason))
    considered: list[Considered] = []
    for condition in _candidates(kb, frozen, named):
        found = _condition(condition, frozen, condition.id in named, person)
        if found is not None:
            considered.append(found)
            proposals.append(Proposal(found.level, f"condition:{found.id}", found.name))
    considered.sort(key=lambda c: (c.level.rank, c.via != "named", c.id))
    proposals.sort(key=lambda p: (p.level.rank, p.source))
    level = proposals[0].level if proposals else None
    read = (
        bool(named)
        or any(
            kb.concepts[i].kind not in ("modifier", "derived", "risk", "medicine") for i in frozen if i in kb.concepts
        )
        or any(s.level is not None for s in measured)
        or bool(negated)
    )
    scores = {s.id: s.reason for s in measured if s.id in ("news2_high", "news2_medium", "qsofa_positive")}
    return Reasoning(
        level, frozen, frozenset(negated), tuple(considered), tuple(proposals), tuple(measured), person, read, scores
    )
