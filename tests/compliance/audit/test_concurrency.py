"""Several writers at once (threads, processes, separate trail objects as replicas would have) still make one
valid chain: every record present once, seqs contiguous, every MAC and link good."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor

import pytest

from compliance.audit import AuditTrail
from tests.compliance.conftest import AUDIT_KEY, turn

THREADS, PROCESSES, EACH = 6, 3, 40


def write_many(database_url: str, writer: str, count: int) -> list[str]:
    trail = AuditTrail(database_url, AUDIT_KEY, checkpoint_every=25)
    try:
        return [trail.record_turn(turn(writer, n)) for n in range(count)]
    finally:
        trail.dispose()


def _expect_one_chain(database_url: str, ids: list[str]) -> None:
    trail = AuditTrail(database_url, AUDIT_KEY)
    try:
        report = trail.verify()
        assert report.ok, report.problem
        entries = list(trail.entries())
        turns = [e.audit_id for e in entries if e.kind == "turn"]
        assert sorted(turns) == sorted(ids)
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        assert report.checkpoints == len(entries) - len(ids) > 0
    finally:
        trail.dispose()


def _concurrent(database_url: str) -> list[str]:
    AuditTrail(database_url, AUDIT_KEY).create_schema()
    context = multiprocessing.get_context("spawn")
    with context.Pool(PROCESSES) as pool, ThreadPoolExecutor(THREADS) as threads:
        processes = [pool.apply_async(write_many, (database_url, f"proc-{p}", EACH)) for p in range(PROCESSES)]
        threaded = [threads.submit(write_many, database_url, f"thread-{t}", EACH) for t in range(THREADS)]
        ids = [i for f in threaded for i in f.result(timeout=240)]
        ids += [i for r in processes for i in r.get(timeout=240)]
    assert len(ids) == (THREADS + PROCESSES) * EACH
    return ids


@pytest.mark.postgres
def test_threads_and_processes_append_one_chain_on_postgres(postgres_url):
    _expect_one_chain(postgres_url, _concurrent(postgres_url))


def test_threads_and_processes_append_one_chain_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    _expect_one_chain(url, _concurrent(url))


@pytest.mark.postgres
def test_concurrent_schema_creation_is_safe_on_postgres(postgres_url):
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: AuditTrail(postgres_url, AUDIT_KEY).create_schema(), range(4)))
    assert AuditTrail(postgres_url, AUDIT_KEY).verify().ok
