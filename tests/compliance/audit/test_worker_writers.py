"""The worker processes of `triage serve --workers N` on one audit chain: two processes appending groups of turns
at the same moment make one valid chain; each worker's spool slot is its own (compliance/audit/spool_slots.py),
and the start-up sweep recovers every slot no live process holds."""

from __future__ import annotations

import itertools
import multiprocessing
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from compliance.audit import AuditTrail
from compliance.audit.spool import SpoolingTrail
from compliance.audit.spool_slots import SlotBusy, claim, recover_all, slot_dir, slots
from tests.compliance.conftest import AUDIT_KEY, turn

GROUPS = 60


def append_groups(database_url: str, writer: str, barrier, results) -> None:
    """Group commit as the turn writer does it: 1-3 turns per transaction, as fast as the lock allows."""
    trail = AuditTrail(database_url, AUDIT_KEY, checkpoint_every=50)
    try:
        barrier.wait(timeout=60)
        started = time.monotonic()
        ids: list[str] = []
        for group in range(GROUPS):
            ids += trail.record_turns([turn(writer, group * 3 + k) for k in range(1 + group % 3)])
        results.put((writer, ids, started, time.monotonic()))
    finally:
        trail.dispose()


def two_processes_at_once(database_url: str) -> list[tuple[str, list[str], float, float]]:
    AuditTrail(database_url, AUDIT_KEY).create_schema()
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(target=append_groups, args=(database_url, f"worker-{n}", barrier, results)) for n in range(2)
    ]
    for process in workers:
        process.start()
    try:
        finished = [results.get(timeout=240) for _ in workers]
    finally:
        for process in workers:
            process.join(timeout=60)
    assert all(process.exitcode == 0 for process in workers)
    return finished


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_processes_appending_groups_at_once_make_one_valid_chain(backend, tmp_path, request):
    url = request.getfixturevalue("postgres_url") if backend == "postgres" else f"sqlite:///{tmp_path / 'a.db'}"
    finished = two_processes_at_once(url)
    (_, first, start_a, end_a), (_, second, start_b, end_b) = finished
    assert start_a < end_b and start_b < end_a, "the two writers overlapped in time"
    trail = AuditTrail(url, AUDIT_KEY)
    try:
        report = trail.verify()
        assert report.ok, report.problem
        entries = list(trail.entries())
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        turns = [e for e in entries if e.kind == "turn"]
        assert sorted(e.audit_id for e in turns) == sorted(first + second)  # each once
        writers = [e.session_id for e in turns]
        switches = sum(1 for a, b in itertools.pairwise(writers) if a != b)
        assert switches > 1, "the chain interleaves both processes' groups"
        for writer in ("worker-0", "worker-1"):  # each process's groups in the order it wrote them
            own = [e.message_id for e in turns if e.session_id == writer]
            assert own == sorted(own, key=lambda m: int(m.rsplit("-", 1)[1]))
    finally:
        trail.dispose()


def _trail(tmp_path: Path) -> AuditTrail:
    trail = AuditTrail(f"sqlite:///{tmp_path / 'triage.db'}", AUDIT_KEY)
    trail.create_schema()
    return trail


def _mark(directory: Path, trail: AuditTrail, message_id: str) -> None:
    """A process that received `message_id` and died before its record."""
    spool = SpoolingTrail(trail, directory)
    spool.begin_turn("s-" + message_id, message_id, None, datetime.now(UTC))
    spool.close()


def test_a_slot_is_held_by_one_process_at_a_time(tmp_path):
    base = tmp_path / "audit-spool"
    held = claim(base, 0)
    with pytest.raises(SlotBusy):
        claim(base, 0, wait_s=0.1)
    other = claim(base, 1, wait_s=0.1)  # another worker's slot is free
    held.release()
    again = claim(base, 0, wait_s=0.1)  # free once its holder lets go (or dies)
    assert again.directory == slot_dir(base, 0) and [p.name for p in slots(base)] == ["worker-0", "worker-1"]
    again.release()
    other.release()


def test_the_start_up_sweep_recovers_every_free_slot_and_leaves_a_held_one(tmp_path):
    trail = _trail(tmp_path)
    base = tmp_path / "audit-spool"
    try:
        _mark(base, trail, "single")  # a run without workers
        _mark(slot_dir(base, 0), trail, "w0")
        _mark(slot_dir(base, 3), trail, "w3")  # a slot of a run with more workers than now
        _mark(slot_dir(base, 1), trail, "w1")
        live = claim(base, 1)  # a live worker's slot: not ours to recover
        interrupted = recover_all(trail, base, wait_s=0.1)
        assert sorted(interrupted) == ["single", "w0", "w3"]
        records = {e.message_id: e for e in trail.entries() if e.kind == "turn"}
        assert set(records) == {"single", "w0", "w3"}
        assert all(e.content["response"]["status"] == "interrupted" for e in records.values())
        assert recover_all(trail, base, wait_s=0.1) == []  # recorded once, never twice
        live.release()
        assert recover_all(trail, base, wait_s=0.1) == ["w1"]  # its holder gone: recovered at the next sweep
        assert trail.verify().ok
    finally:
        trail.dispose()
