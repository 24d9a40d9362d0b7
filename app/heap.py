"""The heap after start-up: the clinical engine warmed, and what start-up built kept out of the cycle collector.

Nearly all of a serving process's objects are made at start-up (the spaCy and Presidio pipelines, the knowledge
base, the learned weights: millions of objects) and never become garbage, yet every full collection of Python's
cycle collector walked them all, stopping the event loop while it did. `gc.freeze()` moves them to a permanent
generation the collector does not walk: about a sixth less server CPU per message and no start-up-sized pauses
(bench/results/profile.md, session 21). Objects made later are collected as before.

The engine loads its knowledge on first use; warming it here first means the first patient does not wait for
that, and what it loads is frozen with the rest. Thawed when the app stops, so that a process that builds
several apps (the tests) can still collect a stopped one's cycles.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from agents.triage import assess

#: One message per reader (English, Japanese): assessing them loads everything the engine reads lazily.
_WARM_UP = (("I have had a cough for a week", "en"), ("咳が1週間続いています", "ja"))


@contextmanager
def settled() -> Iterator[None]:
    """Warm the engine, collect once and freeze what is left; on exit, thaw it."""
    for text, lang in _WARM_UP:
        assess(text, lang=lang)
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
