"""Terms found in text without spaces: a character trie, longest match first.

    m = Matcher([("胸が痛", "f:chest_pain"), ("胸...痛", "f:chest_pain"), ("熱中症", "x")], boundaries="。、")
    m.find("胸のあたりが痛い")  -> [Match(start=0, end=7, keys=("f:chest_pain",))]

A term is its characters, or two parts around ``...`` with up to ``MAX_GAP`` characters of the same clause
between them (no boundary character). Every place a term matches is a candidate; candidates are taken longest
first, counting the term's own characters (not its gap), then the one that starts earlier (右手...しびれ before
手がしびれ: the side is part of the finding), then the one with the smaller gap, and
a candidate whose first part overlaps what one already taken holds is dropped (two terms with a gap may share
the same first part: お尻の穴が腫れてズキズキ is a lump and pain there). A term holds its characters; a term
with a gap holds only its first part, so the words in its gap and its last part stay readable (のどがすごく痛い:
a sore throat and "very painful"; 胸と頭が痛い: chest pain and headache). So 右下腹部痛 is read as one term, not as 下腹部痛 inside
it, and 熱中症 (an ``ignore`` word) keeps 熱 from reading as fever. A string listed under several keys gives them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

GAP = "..."
MAX_GAP = 8
_END = ""


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int
    keys: tuple[str, ...]
    held: int = 0
    """Where the characters the match holds end (its first part's end for a term with a gap; else ``end``)."""

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < (self.held or self.end)


class Matcher:
    def __init__(self, entries: Iterable[tuple[str, str]], *, boundaries: str = "", ignore: str = "x") -> None:
        grouped: dict[tuple[str, str | None], list[str]] = {}
        for term, key in entries:
            head, _, tail = term.partition(GAP)
            keys = grouped.setdefault((head, tail or None), [])
            if key not in keys:
                keys.append(key)
        # A trie: one dict per character; under _END, the (second part or None, keys) of the terms ending there.
        self._root: dict[str, Any] = {}
        for (first, second), keys in grouped.items():
            node = self._root
            for ch in first:
                node = node.setdefault(ch, {})
            node.setdefault(_END, []).append((second, tuple(keys)))
        self._boundaries = frozenset(boundaries)
        self._ignore = ignore

    def candidates(self, text: str) -> list[tuple[int, int, int, tuple[str, ...], int, int]]:
        """(own characters, start, end, keys, gap, end of the first part) for every place a term matches."""
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
                            found.append((j - i, i, j, keys, 0, j))
                            continue
                        for k in range(j, min(j + MAX_GAP + 1, n)):
                            if text.startswith(tail, k):
                                found.append((j - i + len(tail), i, k + len(tail), keys, k - j, j))
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
        ranked = sorted(self.candidates(text), key=lambda c: (-c[0], c[1], c[4], c[3] == (self._ignore,)))
        for _, start, end, keys, gap, head in ranked:
            # a part may be said of twice (お尻の穴が腫れてズキズキ: a lump and pain): gap terms may share a first part
            if any(
                m.overlaps(start, head) and not (gap and m.held < m.end and (m.start, m.held) == (start, head))
                for m in taken
            ):
                continue
            match = Match(start, end, keys, head if gap else end)
            taken.append(match)
            chosen.append(match)
        chosen.sort(key=lambda m: m.start)
        return chosen
