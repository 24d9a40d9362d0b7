"""Group commit: records submitted while a batch is being written share the next transaction, in order, and
each caller still gets its own audit id once its record is durable (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from compliance.audit.group_commit import GroupCommit
from compliance.audit.writer import TurnWriter
from tests.compliance.conftest import turn


async def test_records_written_together_keep_order_and_one_valid_chain(trail) -> None:
    batches: list[int] = []
    write = trail.record_turns

    def counted(records):
        batches.append(len(records))
        return write(records)

    trail.record_turns = counted  # type: ignore[method-assign]
    writer = TurnWriter(trail)
    records = [turn("s-g", n) for n in range(60)]
    ids = await asyncio.gather(*(writer.record(r) for r in records))
    assert len(set(ids)) == 60
    assert sum(batches) == 60 and len(batches) < 60  # some shared a transaction
    entries = [e for e in trail.entries() if e.kind == "turn"]
    assert [e.audit_id for e in entries] == ids  # chain order is submission order
    assert [e.message_id for e in entries] == [r.message_id for r in records]
    report = trail.verify()
    assert report.ok, report.problem
    assert report.checkpoints == 6  # the trail's periodic checkpoints still land inside batches (every 10)


async def test_an_idle_writer_writes_at_once_alone() -> None:
    seen: list[list[int]] = []
    gate = GroupCommit(lambda items: (seen.append(items), [i * 2 for i in items])[1])
    assert await gate.submit(1) == 2
    assert await gate.submit(2) == 4
    assert seen == [[1], [2]]


async def test_items_arriving_during_a_write_go_in_the_next_batch() -> None:
    started, release = threading.Event(), threading.Event()
    seen: list[list[int]] = []

    def write(items):
        seen.append(list(items))
        if len(seen) == 1:
            started.set()
            release.wait(5)
        return items

    gate = GroupCommit(write)
    first = gate.submit(0)
    await asyncio.to_thread(started.wait, 5)
    later = [gate.submit(n) for n in range(1, 6)]
    release.set()
    assert await first == 0
    assert await asyncio.gather(*later) == [1, 2, 3, 4, 5]
    assert seen == [[0], [1, 2, 3, 4, 5]]


async def test_a_failed_batch_fails_each_of_its_callers_and_the_next_batch_still_runs() -> None:
    calls = 0

    def write(items):
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("disk on fire")
        return items

    gate = GroupCommit(write)
    doomed = gate.submit("a")
    with pytest.raises(RuntimeError, match="disk on fire"):
        await doomed
    assert await gate.submit("b") == "b"
    await gate.drain()
