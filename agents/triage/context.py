"""ConText: whether each finding the text mentions is the patient's, present now, and affirmed.

Each trigger in ``knowledge/context.yaml`` reaches a few words forward or backward within its sentence,
stopped by a terminator ("but", "now", "has" ...); one reading backwards ("absent", "ruled out") also stops
at a comma, so in "high-riding testis, absent cremasteric reflex" only the reflex is absent. A finding inside a trigger's reach takes the trigger's
category; a trigger inside the finding's own words does not count ("not breathing", "can't walk"), and
pseudo-triggers ("no change", "not sure") are not triggers at all. Categories, strongest first:
negated, family, hypothetical, historical, possible; otherwise present.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from agents.triage.phrases import Hit, PhraseIndex
from agents.triage.words import Token, term_stems


class Assertion(str, Enum):
    present = "present"
    possible = "possible"
    historical = "historical"
    hypothetical = "hypothetical"
    family = "family"
    negated = "negated"

    @property
    def counts_now(self) -> bool:
        """Whether the finding is taken as the patient's, now (suspected counts: triage errs towards safety)."""
        return self in (Assertion.present, Assertion.possible)


_PRECEDENCE = (Assertion.negated, Assertion.family, Assertion.hypothetical, Assertion.historical, Assertion.possible)


@dataclass(frozen=True, slots=True)
class _Stops:
    always: list[int]
    """Terminators for every category ("but", "however", "now" ...)."""
    facts: list[int]
    """Terminators that start a new statement of fact ("has", "got" ...): they end a negation or a history,
    not a hypothetical ("what should I do if she has a seizure")."""
    recent: list[int]
    """Words that date a sentence's report to now ("this morning", "an hour ago"): not terminators."""

    @property
    def all(self) -> list[int]:
        return self.always + self.facts


@dataclass(frozen=True, slots=True)
class _Trigger:
    category: Assertion
    forward: bool
    first: int
    last: int
    clause_bound: bool = False
    relative: bool = False
    """A relative's event ("father had"): a family history unless the sentence dates it to now."""


def _text(term: object) -> str:
    if not isinstance(term, str):  # YAML reads a bare no/yes/on/off as a boolean: quote it
        raise ValueError(f"context trigger {term!r} is not a string")
    return term


_LIST_JOINS = frozenset({"or", "and", "nor"})
_LIST_ITEM_WORDS = 5  # words of unknown list items a negation's list may run through
_NEGATING = frozenset("no not never cant cannot wont dont doesnt didnt isnt wasnt hasnt havent unable".split())


def _new_negated_clause(toks: Sequence[Token], after: int, upto: int) -> bool:
    """Whether a clause between a trigger and a finding opens with its own negation ("won't break, can't keep
    the tablets down"): that clause says something new, the earlier negation does not reach into it."""
    return any(toks[k].clause != toks[k - 1].clause and toks[k].stem in _NEGATING for k in range(after + 1, upto + 1))


#: session 17: "no poo for a week, tummy swollen, being sick": an absence with its duration is said in full, so a
#: negation does not reach past the duration ("for a week", "for 2 days", "for a couple of hours")
_DURATION_AMOUNTS = frozenset(
    "a an one two three four five six seven eight nine ten few coupl sever mani over about".split()
)
_DURATION_UNITS = frozenset("minut hour day week fortnight month year night".split())


def _duration_between(toks: Sequence[Token], after: int, upto: int) -> bool:
    """Whether "for <amount> <unit>" stands between a trigger and a finding."""
    for k in range(after + 1, upto):
        if toks[k].stem != "for":
            continue
        # filler words ("a", "the") are no tokens: "for a week" reads "for week"
        rest = [t.stem for t in toks[k + 1 : min(k + 4, upto)]]
        unit = next((i for i, w in enumerate(rest) if w in _DURATION_UNITS), None)
        if unit is not None and all(w.isdigit() or w in _DURATION_AMOUNTS for w in rest[:unit]):
            return True
    return False


#: round 7b: a clause that opens with its own subject ("not slept for days, I can hear them through the wall")
_SUBJECTS = frozenset("i im ive id he hes she shes we were weve they theyre theyve".split())


def _new_owned_clause(toks: Sequence[Token], after: int, upto: int) -> bool:
    """Whether a clause between a trigger and a finding opens with a possessive or a subject pronoun ("no cough or
    cold, her wee smells strong"; "not slept for days, I can hear them"): a new statement, which the earlier negation
    does not reach."""
    return any(
        toks[k].clause != toks[k - 1].clause and (toks[k].owned or toks[k].word in _SUBJECTS)
        for k in range(after + 1, upto + 1)
    )


class ContextRules:
    def __init__(self, data: dict[str, Any]) -> None:
        window = data.get("window", {})
        self.forward_window = int(window.get("forward", 6))
        self.backward_window = int(window.get("backward", 4))
        entries: list[tuple[tuple[str, ...], str]] = []
        for category, directions in data["triggers"].items():
            Assertion(category)
            for direction, terms in directions.items():
                entries.extend((term_stems(_text(t)), f"{category}:{direction}") for t in terms or ())
        entries.extend((term_stems(_text(t)), "pseudo") for t in data.get("pseudo", ()))
        entries.extend((term_stems(_text(t)), "stop") for t in data.get("terminators", ()))
        entries.extend((term_stems(_text(t)), "stop-fact") for t in data.get("fact_terminators", ()))
        entries.extend((term_stems(_text(t)), "recent") for t in data.get("recent", ()))
        self.index = PhraseIndex(entries)

    def triggers(self, toks: Sequence[Token]) -> tuple[list[_Trigger], _Stops]:
        """The message's triggers (pseudo-triggers removed) and the token positions of terminators."""
        hits = self.index.find(toks)
        pseudo = [(h.first, h.last) for h in hits if h.key == "pseudo"]
        stops = _Stops([], [], [])
        found: list[_Trigger] = []
        for hit in hits:
            if hit.key == "pseudo":
                continue
            if hit.key == "recent":
                stops.recent.append(hit.first)
                continue
            if any(a <= hit.first and hit.last <= b for a, b in pseudo):
                continue
            if hit.key == "stop":
                stops.always.append(hit.first)
                continue
            if hit.key == "stop-fact":
                stops.facts.append(hit.first)
                continue
            category, direction = hit.key.split(":")
            if direction == "backward" and hit.first == hit.last and toks[hit.first].word.endswith("ly"):
                # the stem joins "normal" and "normally": "a lump that normally pops in and out" says nothing is
                # normal; an adverb is never the backward trigger its stem matches
                continue
            found.append(
                _Trigger(
                    Assertion(category),
                    direction != "backward",
                    hit.first,
                    hit.last,
                    direction == "forward_clause",
                    direction == "forward_relative",
                )
            )
        return found, stops

    def assert_hit(self, hit: Hit, toks: Sequence[Token], triggers: list[_Trigger], stops: _Stops) -> Assertion:
        return self.assert_hit_by(hit, toks, triggers, stops)[0]

    def assert_hit_by(
        self, hit: Hit, toks: Sequence[Token], triggers: list[_Trigger], stops: _Stops
    ) -> tuple[Assertion, bool]:
        """The finding's assertion, and whether it is a family history only by a relative's event ("father had a
        stroke"), which the reader keeps only when the message says something of the patient besides."""
        sentence = toks[hit.first].sentence
        held: set[Assertion] = set()
        explicit_family = False
        dated_now = any(toks[k].sentence == sentence for k in stops.recent)
        for trig in triggers:
            if trig.relative and dated_now:
                continue
            # a trigger inside the finding's own words does not count ("not breathing"); one that starts before the
            # finding and ends inside its first words still reaches it ("father had" + "had a stroke", "no new" +
            # "new lump")
            leads_in = trig.forward and trig.first < hit.first <= trig.last <= hit.last
            if toks[trig.first].sentence != sentence or (
                trig.first <= hit.last and hit.first <= trig.last and not leads_in
            ):
                continue
            stops_here = stops.always if trig.category is Assertion.hypothetical else stops.all
            last = hit.first - 1 if leads_in else trig.last
            if trig.clause_bound and toks[last].clause != toks[hit.first].clause:
                continue
            if trig.forward and last < hit.first and toks[last].aside == toks[hit.first].aside:
                # a terminator right after the trigger is its own verb ("doesn't have a rash"), not a new statement
                if (
                    hit.first - last <= self.forward_window
                    and not any(last + 1 < s < hit.first for s in stops_here)
                    and not _new_negated_clause(toks, last, hit.first)
                    and (trig.category is Assertion.hypothetical or not _new_owned_clause(toks, last, hit.first))
                    and not (trig.category is Assertion.negated and _duration_between(toks, last, hit.first))
                ):
                    explicit_family = explicit_family or (trig.category is Assertion.family and not trig.relative)
                    held.add(trig.category)
            elif not trig.forward and trig.first > hit.last and toks[trig.first].clause == toks[hit.last].clause:
                if trig.first - hit.last <= self.backward_window and not any(
                    hit.last < s < trig.first for s in stops_here
                ):
                    explicit_family = explicit_family or trig.category is Assertion.family
                    held.add(trig.category)
        for category in _PRECEDENCE:
            if category in held:
                return category, category is Assertion.family and not explicit_family
        return Assertion.present, False

    @staticmethod
    def continues_list(toks: Sequence[Token], previous: Hit, hit: Hit, stops: _Stops) -> bool:
        """Whether ``hit`` is the next item of a list that ``previous`` belongs to: same sentence and aside, nothing
        between them but a comma or one "or"/"and"/"nor" ("no dysphagia, vomiting, weight loss, melaena or ...").
        A negation reaches every item of the list it opens, however long the list."""
        if hit.first <= previous.last:
            return False
        a, b = toks[previous.last], toks[hit.first]
        if a.sentence != b.sentence or a.aside != b.aside or any(previous.last < s <= hit.first for s in stops.all):
            return False
        between = [t.stem for t in toks[previous.last + 1 : hit.first]]
        if b.owned and b.clause != a.clause:
            return False  # "no cough or cold, her wee smells strong": a new statement after the comma
        # the previous item is (or ends) a duration, "for" just before or inside it: "no poo for a week, tummy
        # swollen": an absence with its duration is said in full
        if _duration_between(toks, max(previous.first - 2, -1), previous.last + 1):
            return False
        if not between or (len(between) == 1 and between[0] in _LIST_JOINS):
            return True
        # items the knowledge does not hold between two it does: "no cough, breathing pauses, back arching or fever",
        # "no chest pain, palpitations, exertional symptoms or family history of sudden death" (round 13's vignettes)
        return len(between) <= _LIST_ITEM_WORDS and (between[0] in _LIST_JOINS or between[-1] in _LIST_JOINS)
