"""How late the event loop runs what is due (issue 20): the wait every unread message and every streaming chunk
pays before any of our code sees it.

Admission control learns from admitted turns' time to their `triage` frame (app/turn_limit.py), but a message
whose frame sits unread while the loop is busy is not a turn yet: a saturated loop (long answers streaming,
refusals being screened) delays it before admission can see it. So a watcher sleeps `every_s` at a time and
reports how much later than due it woke; admission treats a lag above its target like a slow turn.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

#: How often the loop's lag is sampled (one timer wake-up each).
EVERY_S = 0.02


async def watch_lag(on_sample: Callable[[float, float], None], every_s: float = EVERY_S) -> None:
    """Forever: `on_sample(lag_s, now)` after each `every_s` sleep (`now`: time.monotonic())."""
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + every_s
        await asyncio.sleep(every_s)
        on_sample(max(0.0, loop.time() - due), time.monotonic())
