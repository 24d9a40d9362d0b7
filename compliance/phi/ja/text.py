"""NFKC normalisation that remembers where each normalised character came from.

Japanese chat mixes full-width and half-width forms (０９０－１２３４, ｶﾛﾅｰﾙ, ㈱): the recognizers read one form,
NFKC, and every span they find is mapped back to the original text. Normalisation goes cluster by cluster (a
character with the voicing marks that follow it), so a half-width kana and its separate dakuten become one
character that maps back to both.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Voicing marks NFKC folds into the character before them: half-width (ﾞﾟ) and combining (゙゚).
_VOICING_MARKS = frozenset("\uff9e\uff9f\u3099\u309a")


@dataclass(frozen=True)
class NormalisedText:
    """`text` is NFKC of `original`; `origin[i]` and `origin_end[i]` bound the original characters behind text[i]."""

    original: str
    text: str
    origin: tuple[int, ...]
    origin_end: tuple[int, ...]

    @classmethod
    def of(cls, original: str) -> NormalisedText:
        if original.isascii():
            positions = tuple(range(len(original)))
            return cls(original, original, positions, tuple(range(1, len(original) + 1)))
        parts: list[str] = []
        origin: list[int] = []
        origin_end: list[int] = []
        index = 0
        while index < len(original):
            end = index + 1
            while end < len(original) and original[end] in _VOICING_MARKS:
                end += 1
            cluster = unicodedata.normalize("NFKC", original[index:end])
            parts.append(cluster)
            origin.extend([index] * len(cluster))
            origin_end.extend([end] * len(cluster))
            index = end
        return cls(original, "".join(parts), tuple(origin), tuple(origin_end))

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original span behind text[start:end] (end > start)."""
        return self.origin[start], self.origin_end[end - 1]
