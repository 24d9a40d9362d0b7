"""A phrase index over stemmed tokens: every knowledge term (and context trigger) found in a message.

Terms are sequences of stems (``words.term_stems``); ``...`` lets up to ``MAX_GAP`` other words stand
between two stems of the same sentence (never a negation: "abdomen soft and not rigid" does not meet
"abdomen ... rigid"). The index is keyed on a term's first stem, so a message of n
tokens costs n dictionary look-ups plus the few candidate walks that start there.

A loose index (the findings' terms) also lets ``LOOSE_GAP`` words stand between any two words of a term
("heavy feeling in my chest" meets "heavy chest"), never across a sentence, a comma, a number or a negation
("chest not painful" does not meet "chest pain"); a term that begins with a negation ("no breathing") is
read word for word. Word order stays: reversed pairs read idioms wrongly
("cold out" is not "out cold").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from agents.triage.words import GAP, Token

_Entry = tuple[tuple[str, ...], str, frozenset[str]]
MAX_GAP = 3
LOOSE_GAP = 2
#: Words a loose gap may not hold: inside a match they would escape ConText (a trigger in a finding's own words
#: does not count).
#: A term that opens with one of these ("no breathing") is read word for word: loosened, "no sleep-disordered
#: breathing" would meet it.
_NEGATION_FIRST = frozenset("no not never without nor none nothing".split())
_BLOCKING = frozenset(
    "no not nt without never nor neither non isnt doesnt dont didnt wasnt werent hasnt havent arent wont cant cannot nothing none".split()
)


@dataclass(frozen=True, slots=True)
class Hit:
    key: str
    first: int
    """Index of the first token matched."""
    last: int
    """Index of the last token matched."""


class PhraseIndex:
    def __init__(self, entries: Iterable[tuple[tuple[str, ...], str]], *, loose: bool = False) -> None:
        by_first: dict[str, list[_Entry]] = defaultdict(list)
        for stems, key in entries:
            if not stems:
                continue
            words = frozenset(s for s in stems if s != GAP)
            if loose and GAP not in stems and len(stems) > 1 and stems[0] not in _NEGATION_FIRST:
                loosened: list[str] = [stems[0]]
                for stem in stems[1:]:
                    loosened += [_LOOSE, stem]
                by_first[stems[0]].append((tuple(loosened), key, words))
            else:
                by_first[stems[0]].append((stems, key, words))
        self._by_first = {first: tuple(sorted(found, key=lambda e: -len(e[0]))) for first, found in by_first.items()}

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_first.values())

    def find(self, toks: Sequence[Token]) -> list[Hit]:
        hits: list[Hit] = []
        present = frozenset(t.stem for t in toks)
        for i, tok in enumerate(toks):
            for stems, key, words in self._by_first.get(tok.stem, ()):
                if len(stems) == 1:
                    hits.append(Hit(key, i, i))
                elif words <= present:  # every word of the term occurs somewhere: worth walking
                    last = _walk(toks, i, stems, 1)
                    if last is not None:
                        hits.append(Hit(key, i, last))
        return hits


_LOOSE = "\x00loose"
_GAPS = {GAP: (MAX_GAP, True), _LOOSE: (LOOSE_GAP, True)}


def _walk(toks: Sequence[Token], pos: int, stems: tuple[str, ...], k: int) -> int | None:
    """Match ``stems[k:]`` after token ``pos`` (which matched ``stems[k-1]``); the last token's index or None."""
    if k == len(stems):
        return pos
    sentence = toks[pos].sentence
    gap = _GAPS.get(stems[k])
    if gap is not None:
        most, blocked = gap
        loose = stems[k] == _LOOSE
        want = stems[k + 1]
        for j in range(pos + 1, min(pos + 2 + most, len(toks))):
            if toks[j].sentence != sentence:
                return None
            # a loose gap stays in its clause and skips no number ("30, 7 weeks pregnant" is not "30 weeks pregnant")
            if loose and (toks[j].clause != toks[pos].clause or (toks[j].stem != want and toks[j].stem[:1].isdigit())):
                return None
            if toks[j].stem == want:  # the term's own word, even a negation ("baby not moving")
                found = _walk(toks, j, stems, k + 2)
                if found is not None:
                    return found
            if blocked and toks[j].stem in _BLOCKING:
                return None
        return None
    j = pos + 1
    if j < len(toks) and toks[j].sentence == sentence and toks[j].stem == stems[k]:
        return _walk(toks, j, stems, k + 1)
    return None
