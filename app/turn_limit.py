"""How many chat turns to run at once, adapted to how fast admitted turns reach their `triage` frame (issue 20).

A fixed bound cannot know what one process can carry: that depends on the engine (a local template answers in
a few milliseconds, a remote model streams for seconds while the CPU idles), on the messages, and on what else
the machine is doing. So the bound moves, additive increase and multiplicative decrease (TCP's AIMD, as in
Netflix's concurrency-limits): each admitted turn reports the time from its admission to its `triage` frame;
one slower than `target_s` shrinks the limit by a quarter (once per `cooldown_s`, so that one congested moment
counts once), one within it grows the limit by 1/limit (about one slot per limit's worth of good turns). The limit
stays between `floor` and `ceiling` (`TRIAGE_MAX_ACTIVE_TURNS`).
"""

from __future__ import annotations

#: A decrease shrinks the limit to this fraction.
DECREASE = 0.75


class TurnLimit:
    def __init__(self, ceiling: int, target_s: float, *, floor: int = 1, cooldown_s: float | None = None) -> None:
        self.ceiling = ceiling
        self.floor = min(floor, ceiling)
        self.target_s = target_s
        self.cooldown_s = cooldown_s if cooldown_s is not None else 2 * target_s
        self._limit = float(ceiling)
        self._last_decrease = float("-inf")

    @property
    def value(self) -> int:
        """Turns that may run at once now."""
        return int(self._limit)

    def observe(self, to_triage_s: float, now: float) -> None:
        """An admitted turn reached its `triage` frame `to_triage_s` after admission (`now`: a monotonic clock)."""
        if to_triage_s > self.target_s:
            if now - self._last_decrease >= self.cooldown_s:
                self._limit = max(float(self.floor), self._limit * DECREASE)
                self._last_decrease = now
        elif self._limit < self.ceiling:
            self._limit = min(float(self.ceiling), self._limit + 1 / self._limit)
