"""Where streamed Japanese text may be cut: Japanese writes no spaces, so a word boundary is no safe place.

The streaming guard holds back everything after the last clause or sentence end (。！？ a closing quote, a
line break, and 、 or a comma unless it follows a digit or a Latin letter: 090-1234-5678、 may still be part
of a list of numbers). A name, its honorific and the cue before it (息子のゆうとくん) arrive within one clause,
so the detector sees them together. A clause longer than `max_hold` goes out but for its last TAIL_CHARS.
"""

from __future__ import annotations

BREAKS = frozenset("。！？!?\n」』")
SOFT_BREAKS = frozenset("、,，")
TAIL_CHARS = 24


def japanese_hold_point(pending: str, max_hold: int) -> int:
    """Index in `pending` before which the text may go now."""
    for index in range(len(pending) - 1, -1, -1):
        ch = pending[index]
        if ch in BREAKS:
            return index + 1
        if ch in SOFT_BREAKS and index > 0 and not _may_continue(pending[index - 1]):
            return index + 1
    if len(pending) <= max_hold:
        return 0
    return len(pending) - TAIL_CHARS


def _may_continue(ch: str) -> bool:
    return ch.isdigit() or (ch.isascii() and ch.isalnum())
