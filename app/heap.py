"""The heap after start-up: the clinical engine warmed, and what start-up built kept out of the cycle collector.

Nearly all of a serving process's objects are made at start-up (the spaCy and Presidio pipelines, the knowledge
base, the learned weights: millions of objects) and never become garbage, yet every full collection of Python's
cycle collector walked them all, stopping the event loop while it did. `gc.freeze()` moves them to a permanent
generation the collector does not walk: about a sixth less server CPU per message and no start-up-sized pauses
(bench/results/profile.md, session 21). Objects made later are collected as before.

What a serving process makes later is mostly as long-lived: each open socket holds a few hundred objects (its
suspended coroutines through the middleware stack, queues, locks, timers) for as long as the patient stays. With
2,000 sockets open the default thresholds started a full collection every 15-20 s, each walking about half a
million such objects for 200-400 ms with the event loop stopped, and finding nothing: measured under the soak
(notes/issue-20.md, session 23), full collections after start-up collected 0 objects; under reconnecting sessions, 14
objects a closed socket. So a full collection waits for `FULL_COLLECTION_AFTER` middle collections instead of 10
(at 100 messages a second, about six minutes); young and middle collections, which free nearly all of a turn's
cycles, run as before, and cyclic garbage that does reach the old generation waits at most that long.

The engine loads its knowledge on first use; warming it here first means the first patient does not wait for
that, and what it loads is frozen with the rest. Thawed when the app stops, so that a process that builds
several apps (the tests) can still collect a stopped one's cycles.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from agents.triage import assess

#: One message per reader and learned layer (English, Taglish, Japanese): assessing them loads everything the engine
#: reads lazily.
_WARM_UP = (
    ("I have had a cough for a week", "en"),
    ("may ubo po ako ng isang linggo na", "en"),
    ("咳が1週間続いています", "ja"),
)

#: Middle-generation collections between two full ones (Python's default: 10).
FULL_COLLECTION_AFTER = 1000


@contextmanager
def quiet_collector() -> Iterator[None]:
    """Collect once, freeze what is left and space out full collections; on exit, undo both. The master of
    `triage serve --workers N` (app/supervisor.py) does this too: its shared limits answer every message's rate
    check, and a full collection of its start-up heap and the hub's registry stopped them all for 200 ms."""
    gc.collect()
    gc.freeze()
    young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_AFTER)
    try:
        yield
    finally:
        gc.set_threshold(young, middle, old)
        gc.unfreeze()


@contextmanager
def settled() -> Iterator[None]:
    """Warm the engine, then keep the collector quiet (`quiet_collector`) while the app serves."""
    for text, lang in _WARM_UP:
        assess(text, lang=lang)
    with quiet_collector():
        yield
