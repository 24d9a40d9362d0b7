"""Reading a message: every concept and named condition it mentions, with ConText's verdict on each.

One ``Reader`` per knowledge base: a phrase index over every concept term (key ``f:<id>``), every
condition name (``c:<id>``) and every exclusion (``x:<id>`` for a concept, ``y:<id>`` for a condition's
name), plus the context rules. Pure: the same
normalised text always gives the same mentions.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.triage.context import Assertion, ContextRules
from agents.triage.knowledge import Knowledge
from agents.triage.phrases import PhraseIndex
from agents.triage.words import content_word, term_stems, tokens


@dataclass(frozen=True, slots=True)
class Mention:
    id: str
    """A concept id, or a condition id when ``named``."""
    named: bool
    assertion: Assertion
    words: str
    """The words of the text that matched (normalised), for the audit record and clinician views."""
    relative: bool = False
    """A family history only by a relative's event ("his father had a stroke"): ``reasoning.reason`` reads it as the
    patient's when the conversation says nothing else that counts now ("Dad had a stroke yesterday, what do I do")."""


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of a message the knowledge read: its content words, and those inside a matched term."""

    words: int = 0
    read: int = 0

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(self.words + other.words, self.read + other.read)

    @property
    def unread(self) -> int:
        return self.words - self.read


class Reader:
    def __init__(self, kb: Knowledge) -> None:
        entries: list[tuple[tuple[str, ...], str]] = []
        for concept in kb.concepts.values():
            entries.extend((term_stems(t), f"f:{concept.id}") for t in concept.terms)
            entries.extend((term_stems(t), f"x:{concept.id}") for t in concept.exclude)
        for condition in kb.conditions.values():
            entries.extend((term_stems(t), f"c:{condition.id}") for t in condition.named)
            entries.extend((term_stems(t), f"y:{condition.id}") for t in condition.exclude)
        self._index = PhraseIndex(entries, loose=True)
        self._context = ContextRules(kb.context)

    def read(self, text: str) -> tuple[Mention, ...]:
        """The mentions in one normalised message, in text order; one per (id, assertion)."""
        return self.read_counting(text)[0]

    def read_counting(self, text: str) -> tuple[tuple[Mention, ...], Coverage]:
        """The mentions, and how many of the message's content words fell inside a term the knowledge has."""
        toks = tokens(text)
        if not toks:
            return (), Coverage()
        hits = self._index.find(toks)
        covered = {i for h in hits for i in range(h.first, h.last + 1)}  # an exclusion is read too
        coverage = Coverage(words=sum(content_word(t) for t in toks), read=sum(content_word(toks[i]) for i in covered))
        excluded = [("c" if h.key[0] == "y" else "f", h.key[2:], h.first, h.last) for h in hits if h.key[0] in "xy"]
        triggers, stops = self._context.triggers(toks)
        seen: set[tuple[str, bool, Assertion]] = set()
        mentions: list[Mention] = []
        negated_item = None  # the last negated hit: the list it belongs to may run past the trigger's window
        for hit in sorted(hits, key=lambda h: (h.first, -h.last)):
            kind, ident = hit.key[0], hit.key[2:]
            if kind in "xy":
                continue
            if any(
                k == kind and x == ident and first <= hit.last and hit.first <= last for k, x, first, last in excluded
            ):
                continue
            assertion, by_relative = self._context.assert_hit_by(hit, toks, triggers, stops)
            if (
                assertion is Assertion.present
                and negated_item is not None
                and self._context.continues_list(toks, negated_item, hit, stops)
            ):
                assertion = Assertion.negated
            if assertion is Assertion.negated:
                negated_item = hit
            elif negated_item is not None and hit.first > negated_item.last:
                negated_item = None
            key = (ident, kind == "c", assertion)
            if key in seen:
                continue
            seen.add(key)
            words = " ".join(t.word for t in toks[hit.first : hit.last + 1])
            mentions.append(Mention(ident, kind == "c", assertion, words, by_relative))
        return tuple(mentions), coverage
