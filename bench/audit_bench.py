"""Audit trail benchmark: verify 100,000 records, export them to FHIR, and the write latency per message.

    python -m bench.audit_bench [--quick] [--postgres URL] [--out bench/results/audit.md]
    python -m bench.audit_bench --writes-only [--writes 1000] [--writers 32] [--postgres URL]

`--postgres` writes in a scratch schema of its own (dropped afterwards) unless the URL names a search_path.

Targets (issue 6): verify 100k < 10 s; FHIR export of 100k < 30 s with peak memory < 200 MB; writing the audit
record adds <= 2 ms at p50 to a message. The export runs in a child process so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, update

from compliance.audit import AuditEntry, AuditHead, AuditTrail, EngineAttempt, EntryFilter, TurnRecord
from compliance.audit.chain import GENESIS

KEY = b"bench-audit-key"
TARGETS = {"verify_s": 10.0, "export_s": 30.0, "export_peak_mb": 200.0, "write_p50_ms": 2.0}
URGENCY = {"emergency": "em", "consultation_24": "ne", "consultation": "ne", "self_care": "sc"}


def sample_turn(n: int) -> TurnRecord:
    level = ("self_care", "consultation", "consultation_24", "emergency")[n % 4]
    return TurnRecord.from_flat(
        {
            "session_id": f"bench-{n // 8}",
            "message_id": str(uuid.uuid4()),
            "client_msg_id": f"c-{n}",
            "received_at": datetime.now(UTC),
            "redacted_text": f"I am <PERSON_1>, sore throat and a mild fever for {n % 9} days, "
            "no trouble breathing; my number is <PHONE_1>.",
            "redaction_counts": {"PERSON": 1, "PHONE": 1},
            "level": level,
            "urgency": URGENCY[level],
            "red_flags": ["resp.stridor"] if level == "emergency" else [],
            "rationale": "matched sore-throat protocol, no red flags",
            "missing_info": ["age"],
            "protocol_version": "2026.1",
            "route": "engine_chain",
            "route_reason": "non-emergency",
            "engine": "local",
            "model": "templates",
            "engines_tried": [
                EngineAttempt(engine="openai", model="m", outcome="failed", reason="first-token timeout"),
                EngineAttempt(engine="local", model="templates", outcome="used", tokens=60),
            ],
            "output_redacted": "Rest, drink fluids and take paracetamol if needed. " * 4,
            "token_count": 60,
            "first_token_ms": 3.2,
            "total_ms": 48.0,
            "node_ms": {"redact": 4.1, "assess": 0.4, "route": 0.1, "generate": 40.0},
        }
    )


def fill(trail: AuditTrail, count: int, batch: int = 2000) -> None:
    """Append `count` chained turn records in bulk (one transaction per batch), as the trail would have written."""
    seq, mac = trail.head()
    start = datetime.now(UTC) - timedelta(days=1)
    entries, heads = AuditEntry.__table__, AuditHead.__table__
    variants = [sample_turn(n) for n in range(36)]
    sections = [record.sections() for record in variants]
    with trail.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # setup only: the timed writes below run with the trail's own synchronous=FULL
            conn.exec_driver_sql("PRAGMA synchronous=OFF")
        for first in range(0, count, batch):
            rows = []
            for n in range(first, min(first + batch, count)):
                record, body = variants[n % 36], sections[n % 36]
                seq += 1
                row = trail.entry_row(
                    seq,
                    mac,
                    str(uuid.uuid4()),
                    "turn",
                    start + timedelta(milliseconds=n),
                    body,
                    session_id=f"bench-{n // 8}",
                    message_id=str(uuid.uuid4()),
                    urgency=record.urgency,
                    level=record.level,
                )
                mac = row["mac"]
                rows.append(row)
            conn.execute(insert(entries), rows)
            conn.execute(update(heads).where(heads.c.id == 1).values(last_seq=seq, last_mac=mac))
            conn.commit()
        if sqlite:
            conn.exec_driver_sql("PRAGMA synchronous=FULL")
    assert mac != GENESIS


def bench_verify(trail: AuditTrail) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, records checked)."""
    started, cpu = time.perf_counter(), time.process_time()
    report = trail.verify()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if not report.ok:
        raise SystemExit(f"verify failed: {report.problem}")
    return elapsed, cpu, report.checked


def export_child(url: str, out: str) -> None:
    """In a fresh process: export everything to FHIR, print seconds and peak RSS (MB)."""
    from compliance.audit import AccessEvent
    from compliance.export import export_stream

    trail = AuditTrail(url, KEY)
    started = time.perf_counter()
    requester = AccessEvent(actor="bench", role="cli", action="export", target="audit_trail")
    _, chunks = export_stream(trail, "fhir", EntryFilter(), requester)
    size = 0
    with open(out, "w", encoding="utf-8") as fh:
        for chunk in chunks:
            size += len(chunk)
            fh.write(chunk)
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"{elapsed:.3f} {usage.ru_maxrss / 1024:.1f} {size} {usage.ru_utime + usage.ru_stime:.3f}")


def bench_export(url: str, workdir: Path) -> tuple[float, float, int, float]:
    """(wall seconds, peak RSS MB, bytes, CPU seconds of the whole child process including start-up)."""
    out = workdir / "export.fhir.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.audit_bench", "--export-child", url, str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    elapsed, peak, size, cpu = done.stdout.split()
    return float(elapsed), float(peak), int(size), float(cpu)


def validate_sample(path: Path, limit: int = 200) -> str:
    """Check the head of the exported bundle against fhir.resources (when installed: the dev extra)."""
    try:
        from fhir.resources.R4B.bundle import Bundle
    except ImportError:
        return "not checked (fhir.resources not installed)"
    import json

    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    data["entry"] = data["entry"][:limit]
    Bundle.model_validate(data)
    return f"first {limit} entries valid against fhir.resources R4B Bundle/AuditEvent"


def bench_writes(trail: AuditTrail, count: int) -> dict[str, float]:
    """Per-message cost as the agent pays it: `asyncio.to_thread(trail.record_turn, record)`, awaited."""
    records = [sample_turn(n) for n in range(count)]

    def timed(record: TurnRecord) -> float:
        cpu = time.thread_time()
        trail.record_turn(record)
        return (time.thread_time() - cpu) * 1000

    async def run() -> tuple[list[float], list[float]]:
        times, cpus = [], []
        for record in records:
            started = time.perf_counter()
            cpus.append(await asyncio.to_thread(timed, record))
            times.append((time.perf_counter() - started) * 1000)
        return times, cpus

    times, cpus = asyncio.run(run())
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[int(len(times) * 0.95)],
        "p99": times[int(len(times) * 0.99)],
        "cpu_p50": statistics.median(cpus),
    }


def bench_group_writes(trail: AuditTrail, count: int, writers: int) -> dict[str, float]:
    """Per-turn latency as the service pays it under load: `writers` conversations at once, each awaiting its
    record before sending the next, all through one `TurnWriter` (group commit: the turns that arrive while a
    batch is being written share the next transaction)."""
    from compliance.audit.writer import TurnWriter

    records = [sample_turn(n) for n in range(count)]
    batches: list[int] = []
    write = trail.record_turns

    def counted(group: list[TurnRecord]) -> list[str]:
        batches.append(len(group))
        return write(group)

    trail.record_turns = counted  # type: ignore[method-assign]

    async def run() -> tuple[list[float], float]:
        writer = TurnWriter(trail)
        times: list[float] = []

        async def conversation(mine: list[TurnRecord]) -> None:
            for record in mine:
                started = time.perf_counter()
                await writer.record(record)
                times.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(conversation(records[w::writers]) for w in range(writers)))
        return times, time.perf_counter() - started

    try:
        times, wall = asyncio.run(run())
    finally:
        del trail.record_turns
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[int(len(times) * 0.95)],
        "p99": times[int(len(times) * 0.99)],
        "turns_per_s": count / wall,
        "mean_batch": statistics.mean(batches),
        "writers": writers,
    }


def _group_writes_child(url: str, count: int, writers: int, barrier: Any, results: Any) -> None:
    trail = AuditTrail(url, KEY)
    try:
        barrier.wait(timeout=120)
        results.put(bench_group_writes(trail, count, writers))
    finally:
        trail.dispose()


def bench_group_writes_processes(url: str, count: int, writers: int, processes: int) -> dict[str, float]:
    """`bench_group_writes` in `processes` processes at once (the workers of `triage serve --workers N`), each
    with its share of the conversations, on one chain; the slowest process's percentiles, the sum of rates."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(processes), context.Queue()
    children = [
        context.Process(
            target=_group_writes_child, args=(url, count // processes, writers // processes, barrier, results)
        )
        for _ in range(processes)
    ]
    for child in children:
        child.start()
    found = [results.get(timeout=600) for _ in children]
    for child in children:
        child.join(timeout=60)
    return {
        "p50": max(r["p50"] for r in found),
        "p95": max(r["p95"] for r in found),
        "p99": max(r["p99"] for r in found),
        "turns_per_s": sum(r["turns_per_s"] for r in found),
        "mean_batch": statistics.mean(r["mean_batch"] for r in found),
        "writers": writers,
    }


@contextmanager
def scratch_schema(url: str) -> Iterator[str]:
    """`url` in a schema of its own (created, then dropped), unless it already names a search_path: the bench
    may run against a database other programs use."""
    if "search_path" in url:
        yield url
        return
    import psycopg

    schema = f"audit_bench_{uuid.uuid4().hex[:10]}"
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def writes_only(args: argparse.Namespace) -> int:
    """`--writes-only`: the write latency alone, one writer and `--writers` at once, on SQLite and PostgreSQL."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="audit-bench-") as tmp:
        targets = [("SQLite", f"sqlite:///{Path(tmp) / 'audit.db'}")]
        with ExitStack() as stack:
            if args.postgres:
                targets.append(("PostgreSQL", stack.enter_context(scratch_schema(args.postgres))))
            for name, url in targets:
                trail = AuditTrail(url, KEY)
                trail.create_schema()
                alone = bench_writes(trail, args.writes)
                grouped = bench_group_writes(trail, args.writes * 2, args.writers)
                trail.dispose()
                two = bench_group_writes_processes(url, args.writes * 2, args.writers, 2)
                assert AuditTrail(url, KEY).verify().ok
                rows.append((name, alone, grouped, two))
    lines = [
        f"`python -m bench.audit_bench --writes-only --writes {args.writes} --writers {args.writers}"
        f"{' --postgres URL' if args.postgres else ''}` on {platform.node() or 'this machine'}, {os.cpu_count()} CPUs, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f}",
        "",
        "| database | one writer: p50 / p95 / p99 ms | CPU p50 ms | "
        f"{args.writers} writers, one process: p50 / p95 / p99 ms, turns/s, turns per transaction | "
        f"{args.writers} writers in 2 processes: p50 / p95 / p99 ms, turns/s, turns per transaction |",
        "| --- | --- | --- | --- | --- |",
    ]

    def grouped_cell(g: dict[str, float]) -> str:
        return f"{g['p50']:.2f} / {g['p95']:.2f} / {g['p99']:.2f}, {g['turns_per_s']:.0f}/s, {g['mean_batch']:.1f}"

    for name, alone, grouped, two in rows:
        lines.append(
            f"| {name} | {alone['p50']:.2f} / {alone['p95']:.2f} / {alone['p99']:.2f} | {alone['cpu_p50']:.2f} | "
            f"{grouped_cell(grouped)} | {grouped_cell(two)} |"
        )
    print("\n".join(lines))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.audit_bench")
    parser.add_argument("--quick", action="store_true", help="10,000 records and 300 writes (a smoke run)")
    parser.add_argument("--postgres", help="also measure writes on this PostgreSQL URL (a scratch database)")
    parser.add_argument("--out", type=Path, default=Path("bench/results/audit.md"))
    parser.add_argument("--export-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--writes-only", action="store_true", help="only the write latency (printed, not saved)")
    parser.add_argument("--writes", type=int, default=1000, help="--writes-only: records per measurement")
    parser.add_argument("--writers", type=int, default=32, help="--writes-only: conversations writing at once")
    args = parser.parse_args(argv)
    if args.export_child:
        export_child(*args.export_child)
        return 0
    if args.writes_only:
        return writes_only(args)

    records = 10_000 if args.quick else 100_000
    writes = 300 if args.quick else 2000
    with tempfile.TemporaryDirectory(prefix="audit-bench-") as tmp:
        workdir = Path(tmp)
        url = f"sqlite:///{workdir / 'audit.db'}"
        trail = AuditTrail(url, KEY)
        trail.create_schema()
        started = time.perf_counter()
        fill(trail, records)
        fill_s = time.perf_counter() - started
        load_before = os.getloadavg()[0]
        verify_s, verify_cpu, checked = bench_verify(trail)
        export_s, peak_mb, size, export_cpu = bench_export(url, workdir)
        valid = validate_sample(workdir / "export.fhir.json")
        write_sqlite = bench_writes(trail, writes)
        trail.dispose()
        write_pg = None
        if args.postgres:
            with scratch_schema(args.postgres) as pg_url:
                pg = AuditTrail(pg_url, KEY)
                pg.create_schema()
                write_pg = bench_writes(pg, writes)
                pg.dispose()

    scale = records / 100_000
    passed = {
        "verify_s": verify_s / scale < TARGETS["verify_s"],
        "export_s": export_s / scale < TARGETS["export_s"],
        "export_peak_mb": peak_mb < TARGETS["export_peak_mb"],
        "write_p50_ms": write_sqlite["p50"] <= TARGETS["write_p50_ms"],
    }
    lines = [
        "# Audit trail benchmark",
        "",
        f"`python -m bench.audit_bench{' --quick' if args.quick else ''}` on {platform.node() or 'this machine'}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, SQLite (WAL, synchronous=FULL), "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average {load_before:.1f} before the timed part, "
        f"{os.getloadavg()[0]:.1f} after (wall times on a shared machine include waiting; CPU times do not).",
        "",
        "| measure | wall | CPU | target | |",
        "| --- | --- | --- | --- | --- |",
        f"| verify {checked:,} records (one streaming pass) | {verify_s:.2f} s | {verify_cpu:.2f} s | < 10 s per 100k | {'ok' if passed['verify_s'] else 'MISSED'} |",
        f"| export {records:,} records to FHIR R4 Bundle ({size / 1e6:.0f} MB) | {export_s:.2f} s | {export_cpu:.2f} s | < 30 s per 100k | {'ok' if passed['export_s'] else 'MISSED'} |",
        f"| peak memory of the exporting process (RSS) | {peak_mb:.0f} MB | | < 200 MB | {'ok' if passed['export_peak_mb'] else 'MISSED'} |",
        f"| write one turn record, p50 / p95 / p99 ({writes} writes, SQLite) | {write_sqlite['p50']:.2f} / {write_sqlite['p95']:.2f} / {write_sqlite['p99']:.2f} ms | p50 {write_sqlite['cpu_p50']:.2f} ms | p50 <= 2 ms | {'ok' if passed['write_p50_ms'] else 'MISSED'} |",
    ]
    if write_pg:
        lines.append(
            f"| write one turn record, p50 / p95 / p99 ({writes} writes, PostgreSQL) | {write_pg['p50']:.2f} / {write_pg['p95']:.2f} / {write_pg['p99']:.2f} ms | p50 {write_pg['cpu_p50']:.2f} ms | (reported) | |"
        )
    lines += [
        "",
        f"Filling {records:,} chained records in bulk took {fill_s:.1f} s (setup, not a target). FHIR output: {valid}.",
        "Write latency is measured as the agent pays it: `await asyncio.to_thread(trail.record_turn, record)`, "
        "committed (durable) before it returns; no write-behind queue.",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))
    return 0 if all(passed.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
