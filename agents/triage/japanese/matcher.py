"""Terms found in text without spaces: a character trie, longest match first.

    m = Matcher([("胸が痛", "f:chest_pain"), ("胸...痛", "f:chest_pain"), ("熱中症", "x")], boundaries="。、")
    m.find("胸のあたりが痛い")  -> [Match(start=0, end=7, keys=("f:chest_pain",))]

A term is its characters, or two parts around ``...`` with up to ``MAX_GAP`` characters of the same clause
between them (no boundary character). Every place a term matches is a candidate; candidates are taken longest
first, counting the term's own characters (not its gap), then the one with the smaller gap, then the earlier, and
a candidate that overlaps one already taken is dropped. So 右下腹部痛 is read as one term, not as 下腹部痛 inside
it, and 熱中症 (an ``ignore`` word) keeps 熱 from reading as fever. A string listed under several keys gives them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

GAP = "..."
MAX_GAP = 5
_END = ""


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int
    keys: tuple[str, ...]

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


class Matcher:
    def __init__(self, entries: Iterable[tuple[str, str]], *, boundaries: str = "", ignore: str = "x") -> None:
        grouped: dict[tuple[str, str | None], list[str]] = {}
        for term, key in entries:
            head, _, tail = term.partition(GAP)
            keys = grouped.setdefault((head, tail or None), [])
            if key not in keys:
                keys.append(key)
        self._root: dict[str, dict] = {}
        for (head, tail), keys in grouped.items():
            node = self._root
            for ch in head:
                node = node.setdefault(ch, {})
            node.setdefault(_END, []).append((tail, tuple(keys)))
        self._boundaries = frozenset(boundaries)
        self._ignore = ignore

    def candidates(self, text: str) -> list[tuple[int, int, int, tuple[str, ...], int]]:
        """(own characters, start, end, keys, gap) for every place a term matches."""
        found = []
        n = len(text)
        root = self._root
        for i in range(n):
            node = root.get(text[i])
            j = i + 1
            while node is not None:
                ends = node.get(_END)
                if ends is not None:
                    for tail, keys in ends:
                        if tail is None:
                            found.append((j - i, i, j, keys, 0))
                            continue
                        for k in range(j, min(j + MAX_GAP + 1, n)):
                            if text.startswith(tail, k):
                                found.append((j - i + len(tail), i, k + len(tail), keys, k - j))
                                break
                            if text[k] in self._boundaries:
                                break
                if j >= n:
                    break
                node = node.get(text[j])
                j += 1
        return found

    def find(self, text: str, blocked: Sequence[Match] = ()) -> list[Match]:
        """The matches taken, longest first, in text order; none overlaps another or one of ``blocked``."""
        taken: list[Match] = list(blocked)
        chosen: list[Match] = []
        ranked = sorted(self.candidates(text), key=lambda c: (-c[0], c[4], c[3] == (self._ignore,), c[1]))
        for _, start, end, keys, _gap in ranked:
            if any(m.overlaps(start, end) for m in taken):
                continue
            match = Match(start, end, keys)
            taken.append(match)
            chosen.append(match)
        chosen.sort(key=lambda m: m.start)
        return chosen
