"""Token streaming yields to turns still waiting for their `triage` frame (issue 20).

The event loop runs ready tasks in turn. With many answers streaming, each of their steps (a model's chunk through
the output guard, ~0.75 ms a token) runs before the next step of a newly admitted turn, and a turn needs many
steps (checkpoint read, redaction, the received marker, assessment) before its disposition goes out: the more
answers stream, the later a new patient hears how urgent their case is. So an admitted turn (or a message being
screened for a refusal) counts itself here (`begin`) until its first frame is out (`end`), and a streaming turn
waits before each chunk the engine yields (`yield_to_triage`, the turn's `pace`, agents/nodes/generate.py)
while any such turn is pending: streaming pauses, the pending turns have the loop, the chunks follow. The pause
is capped (`max_pause_s` per chunk) so that a turn waiting on something slow (a checkpoint database, the disk)
cannot stall every stream; and because every pending turn holds an admission slot (app/admission.py), paused
streams hold theirs too and no new turn is admitted meanwhile: the pending set drains.
"""

from __future__ import annotations

import asyncio

#: Longest a chunk waits for pending triage work before it is streamed anyway.
MAX_PAUSE_S = 0.05


class TriageFirst:
    def __init__(self, *, enabled: bool = True, max_pause_s: float = MAX_PAUSE_S) -> None:
        self.enabled = enabled
        self.max_pause_s = max_pause_s
        self._pending = 0
        self._clear = asyncio.Event()
        self._clear.set()

    @property
    def pending(self) -> int:
        """Admitted turns whose `triage` frame is not out yet."""
        return self._pending

    def begin(self) -> None:
        self._pending += 1
        self._clear.clear()

    def end(self) -> None:
        self._pending -= 1
        if self._pending == 0:
            self._clear.set()

    async def yield_to_triage(self) -> None:
        """Return at once when no turn awaits its triage frame; else when none does, or after `max_pause_s`."""
        if not self._pending or not self.enabled:
            return
        try:
            async with asyncio.timeout(self.max_pause_s):
                await self._clear.wait()
        except TimeoutError:
            pass
