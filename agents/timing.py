"""Per-node wall time, kept in the turn trace for the audit record and the benchmark."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from agents.state import TurnTrace


@contextmanager
def timed(trace: TurnTrace, node: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        trace.response.node_ms[node] = round((time.perf_counter() - started) * 1000, 3)
