"""Reading a Japanese message: every concept and named condition it mentions, with the context's verdict on each.

    reader = JapaneseReader(kb)
    reader.read("胸がぎゅーっと痛くて、冷や汗が出ています。熱はありません。")
    # Reading(mentions=(Mention("chest_pain", ...present), Mention("crushing_chest_pain", ...), Mention("sweating", ...),
    #                   Mention("fever", ..., negated)), conditional=())

Concept terms and condition names are matched in two passes (each longest first, with the ``ignore`` words), so a
condition's name and a finding inside it are both read, as the English reader reads overlapping phrases. Pure: the
same text always gives the same reading; the mentions are the English reader's (agents/triage/reading.py), so the
same reasoning (conditions, physiology, red flags) reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.triage.context import Assertion
from agents.triage.japanese.context import JapaneseContext
from agents.triage.japanese.matcher import GAP, Match, Matcher
from agents.triage.japanese.readings import MIN_PART, MIN_TERM, term_reading, text_reading
from agents.triage.japanese.text import normalise, polite_form
from agents.triage.knowledge import Knowledge
from agents.triage.reading import Mention

_BOUNDARIES = "。、！？!?\n,;"
_SENTENCE_ENDS = "。！？!?\n"


@dataclass(frozen=True, slots=True)
class Conditional:
    """A mention that counts only when one of ``with_any`` is read in the conversation (出血 in a pregnancy)."""

    mention: Mention
    with_any: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Reading:
    mentions: tuple[Mention, ...]
    conditional: tuple[Conditional, ...] = ()


class JapaneseReader:
    def __init__(self, kb: Knowledge) -> None:
        ja = kb.ja
        if ja is None:
            raise ValueError("the knowledge base has no Japanese vocabulary (knowledge/ja/)")
        ignore = [(normalise(w), "x") for w in ja.ignore]
        words_of_their_own = {w for w, _ in ignore}
        concepts = list(ignore)
        self._with_any: dict[str, tuple[str, ...]] = {}
        self._covers = {
            ident: (frozenset(concept.covers), tuple(normalise(w) for w in concept.covers_when))
            for ident, concept in ja.concepts.items()
            if concept.covers
        }
        for ident, concept in ja.concepts.items():
            for kind, terms in (("f", concept.all_terms()), ("g", concept.context_terms)):
                for term in _with_chat_forms(terms):
                    if term not in terms and normalise(term) in words_of_their_own:
                        continue  # a chat form that is a word of its own (体が重 -> 体重, body weight)
                    concepts.extend((normalise(term), f"{kind}:{ref}") for ref in (ident, *concept.also))
            if concept.context_terms:
                self._with_any.update((ref, concept.with_any) for ref in (ident, *concept.also))
        names = list(ignore)
        for ident, condition in ja.conditions.items():
            names.extend((normalise(t), f"c:{ident}") for t in _with_chat_forms(condition.named))
        self._concepts = Matcher(concepts, boundaries=_BOUNDARIES)
        self._names = Matcher(names, boundaries=_BOUNDARIES)
        self._concept_readings = Matcher(_readings(concepts), boundaries=_BOUNDARIES)
        self._name_readings = Matcher(_readings(names), boundaries=_BOUNDARIES)
        self._context = JapaneseContext(ja.context)
        self._risks = frozenset(ident for ident, concept in kb.concepts.items() if concept.kind == "risk")

    def read(self, text: str) -> Reading:
        """The mentions of one message (raw or normalised text), in text order; one per (id, named, assertion)."""
        text = normalise(text)
        found = [*self._concepts.find(text), *self._names.find(text)]
        found += self._read_aloud(text, found)
        found = _uncovered(text, [m for m in found if m.keys != ("x",)], self._covers)
        if not found:
            return Reading(())
        found.sort(key=lambda m: (m.start, -m.end))
        slots = _slots(found)
        verdicts = self._context.assertions(text, slots)
        mentions: list[Mention] = []
        conditional: list[Conditional] = []
        seen: set[tuple[str, bool, Assertion]] = set()
        for match in found:
            assertion = verdicts[next(i for i, (a, b) in enumerate(slots) if a <= match.start and match.end <= b)]
            if (
                assertion is Assertion.present
                and any(k[0] == "c" or k[2:] in self._risks for k in match.keys)
                and self._context.of_a_relative(text, match.start)
            ):
                assertion = Assertion.family
            words = text[match.start : match.end]
            for key in match.keys:
                kind, ident = key[0], key[2:]
                if kind == "x":
                    continue
                mention = Mention(ident, kind == "c", assertion, words)
                if kind == "g":
                    conditional.append(Conditional(mention, self._with_any[ident]))
                    continue
                if (ident, kind == "c", assertion) in seen:
                    continue
                seen.add((ident, kind == "c", assertion))
                mentions.append(mention)
        return Reading(tuple(mentions), tuple(conditional))

    def _read_aloud(self, text: str, found: list[Match]) -> list[Match]:
        """Terms matched on the text's reading (agents/triage/japanese/readings.py) where nothing was matched on its
        characters: a word written in kana that the vocabulary holds in kanji."""
        reading = text_reading(text)
        if not any(reading.kana_word):
            return []
        more: list[Match] = []
        for m in (*self._concept_readings.find(reading.kana), *self._name_readings.find(reading.kana)):
            span = reading.span(m.start, m.end)
            held = reading.span(m.start, m.held or m.end)
            if span is None or held is None or any(o.overlaps(span[0], held[1]) for o in (*found, *more)):
                continue
            more.append(Match(span[0], span[1], m.keys, held[1] if m.held < m.end else span[1]))
        return more


def _uncovered(text: str, found: list[Match], covers: dict[str, tuple[frozenset[str], tuple[str, ...]]]) -> list[Match]:
    """The matches, less those that start inside a match of a concept covering all they name (``covers``)."""
    covering: list[tuple[int, int, frozenset[str]]] = []
    for m in found:
        for key in m.keys:
            ids, when = covers.get(key[2:], (frozenset(), ()))
            if ids and any(w in _sentence(text, m.start, m.end) for w in when):
                covering.append((m.start, m.end, ids))
    if not covering:
        return found
    kept = []
    for m in found:
        inside = [ids for start, end, ids in covering if start <= m.start < end and (start, end) != (m.start, m.end)]
        if not (inside and {k[2:] for k in m.keys} <= frozenset().union(*inside)):
            kept.append(m)
    return kept


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around a span (to the nearest 。！？!? or line break either side)."""
    left = max(text.rfind(mark, 0, start) for mark in _SENTENCE_ENDS)
    rights = [i for mark in _SENTENCE_ENDS if (i := text.find(mark, end)) >= 0]
    return text[left + 1 : min(rights, default=len(text))]


def _readings(entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The entries' terms as read aloud, where that differs from how they are written (each part of a gap term)."""
    out = []
    for term, key in entries:
        parts = term.split(GAP)
        sounds = [term_reading(part) or part for part in parts]
        if sounds != parts and min(map(len, sounds)) >= MIN_PART and sum(map(len, sounds)) >= MIN_TERM:
            out.append((GAP.join(sounds), key))
    return out


def _with_chat_forms(terms: tuple[str, ...]) -> list[str]:
    """The terms, and for each that ends in a plain negative's stem its polite form (歩けな, 歩けません); and each
    also without the particles を and が after a noun written in kanji or katakana, as chat drops them (ボタン電池を飲
    -> ボタン電池飲, 胎動を感じな -> 胎動感じな)."""
    out = list(terms)
    for term in terms:
        head, gap, tail = term.rpartition("...")
        polite = polite_form(tail)
        if polite is not None:
            out.append(head + gap + polite)
    out.extend(dropped for term in list(out) if (dropped := particles_dropped(term)) != term)
    return out


def particles_dropped(term: str) -> str:
    """The term without を or が where one follows a kanji or katakana noun and a word goes on after it."""
    kept = []
    for i, ch in enumerate(term):
        if ch in "をが" and 0 < i < len(term) - 1 and _noun_char(term[i - 1]) and term[i + 1] != ".":
            continue
        kept.append(ch)
    return "".join(kept)


def _noun_char(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u30a1" <= ch <= "\u30fa" or ch == "\u30fc"


def _slots(found: list[Match]) -> list[tuple[int, int]]:
    """Spans of the findings, overlapping ones merged (a condition's name and a finding inside it share a verdict)."""
    slots: list[tuple[int, int]] = []
    for m in found:
        if slots and m.start < slots[-1][1]:
            slots[-1] = (slots[-1][0], max(slots[-1][1], m.end))
        else:
            slots.append((m.start, m.end))
    return slots
