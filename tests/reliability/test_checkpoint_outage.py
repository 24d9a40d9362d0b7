"""The checkpointer wrapper (app/resilient_checkpoint.py): a failing store costs a turn its context, never its
answer; after a failure the store is left alone for the cooldown, then one call probes it (a clock, not sleeps)."""

from __future__ import annotations

import asyncio

import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver

from app.resilient_checkpoint import ResilientCheckpointer

CONFIG = {"configurable": {"thread_id": "s1", "checkpoint_ns": ""}}
SAVED = object()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Store(BaseCheckpointSaver):
    """A checkpoint store that answers, fails like an unreachable database, or hangs."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False
        self.hanging = False
        self.entered = asyncio.Event()
        self.calls = 0

    async def aget_tuple(self, config):
        self.calls += 1
        if self.down:
            raise OSError("connection refused")
        if self.hanging:
            self.entered.set()
            await asyncio.Event().wait()  # until cancelled
        return SAVED

    async def aput(self, config, checkpoint, metadata, new_versions):
        self.calls += 1
        if self.down:
            raise OSError("connection refused")
        return config


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def test_after_a_failure_calls_skip_for_the_cooldown_then_one_probe_closes_it(clock):
    store = Store()
    saver = ResilientCheckpointer(store, cooldown_s=5.0, clock=clock)
    assert await saver.aget_tuple(CONFIG) is SAVED
    store.down = True
    assert await saver.aget_tuple(CONFIG) is None  # "no saved state": the turn goes on without its context
    saved = await saver.aput(CONFIG, {"id": "c1"}, {}, {})
    assert saved["configurable"]["checkpoint_id"] == "c1" and store.calls == 2  # skipped, not tried
    clock.now += 4.9
    assert await saver.aget_tuple(CONFIG) is None and store.calls == 2
    clock.now += 0.1
    assert await saver.aget_tuple(CONFIG) is None and store.calls == 3  # the probe, still down
    clock.now += 5.0  # the same cooldown again, not doubled
    store.down = False
    assert await saver.aget_tuple(CONFIG) is SAVED and store.calls == 4
    assert saver.breaker.state.value == "closed"
    assert await saver.aget_tuple(CONFIG) is SAVED and store.calls == 5


async def test_a_probe_cancelled_midway_does_not_keep_the_store_shut(clock):
    store = Store()
    saver = ResilientCheckpointer(store, cooldown_s=5.0, clock=clock)
    store.down = True
    await saver.aget_tuple(CONFIG)
    clock.now += 5.0
    store.down, store.hanging = False, True
    probe = asyncio.ensure_future(saver.aget_tuple(CONFIG))
    await store.entered.wait()
    assert await saver.aget_tuple(CONFIG) is None and store.calls == 2  # one probe at a time
    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe
    store.hanging = False
    assert await saver.aget_tuple(CONFIG) is SAVED and store.calls == 3
