"""The `overload` phase (issue 20): offered load at a multiple (2x) of the capacity the `saturate` phase measured,
against a server with admission control at its defaults (app/admission.py).

    python -m bench.load '{"mode": "overload", "url": "...", "sessions": 400, "rate": 260, "duration": 20}'

Client side: `sessions` sessions, each sending a message after an exponential think time, so that all together
offer `rate` msg/s for `duration` s (after `warmup` s not counted); a refused message is not sent again, so the
offered load stays what it is (the worst case: clients that ignore `retry_after_s`). Every message sent is
accounted for: answered (`done` after its `triage`), refused (`busy`), another error, or lost (no final frame
within the grace period, or its socket dropped first). Reported: the admitted messages' time to `triage`, the
refused ones' time to `busy`, what became of the emergencies, and the lost ones. The server side
(`audit_records`) then checks that every message that got a final frame has exactly one audit record.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.load import ServerProbe, Tally, loads, open_session
from bench.messages import MESSAGES
from bench.stats import summary

#: Offered load as a multiple of the measured capacity.
FACTOR = 2.0
#: A message carrying this is an emergency (bench/messages.py): it must never be refused.
EMERGENCY_MARK = "crushing chest pain"


@dataclass
class Outcome:
    kind: str  # answered, busy, error:<code>
    triage_ms: float | None = None
    done_ms: float | None = None
    busy_ms: float | None = None


async def one_message(conn: Any, text: str, index: int) -> Outcome:
    await conn.send(json.dumps({"type": "message", "text": text, "client_msg_id": f"o-{index}"}))
    sent = time.perf_counter()
    triage_ms = None
    while True:
        raw = await conn.recv()
        if raw.startswith('{"type":"token"'):
            continue
        now = time.perf_counter()
        frame = loads(raw)
        kind = frame.get("type")
        if kind == "triage":
            triage_ms = (now - sent) * 1000
        elif kind == "done":
            return Outcome("answered", triage_ms, (now - sent) * 1000)
        elif kind == "error":
            code = str(frame.get("code"))
            if code == "busy":
                return Outcome("busy", triage_ms, busy_ms=(now - sent) * 1000)
            return Outcome(f"error:{code}", triage_ms)


async def run_overload(spec: dict[str, Any], probe: ServerProbe) -> dict[str, Any]:
    sessions, rate = spec["sessions"], spec["rate"]
    duration, warmup = spec["duration"], spec.get("warmup", 2.0)
    turns_per_session = spec.get("turns_per_session", 6)
    tally = Tally()
    sent_total: Counter[str] = Counter()  # every message of the phase, warm-up included (for the audit check)
    outcomes_total: Counter[str] = Counter()
    measured: list[tuple[Outcome, bool]] = []  # (outcome, emergency) of messages sent inside the window
    measured_sent = Counter[str]()
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + duration
    rng = random.Random(spec.get("seed", 11))
    per_session = rate / sessions
    window: dict[str, float | None] = {}

    async def mark() -> None:
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        window["cpu_start"], window["t_start"] = probe.cpu_s(), time.perf_counter()
        await asyncio.sleep(max(0.0, stop_at - time.perf_counter()))
        window["cpu_end"], window["t_end"] = probe.cpu_s(), time.perf_counter()

    async def session(srng: random.Random) -> None:
        index = srng.randrange(len(MESSAGES))
        while time.perf_counter() < stop_at:
            try:
                conn = await open_session(spec["url"], tally)
            except Exception:  # noqa: BLE001 - counted, the run goes on
                tally.connect_errors += 1
                await asyncio.sleep(0.1)
                continue
            try:
                for _ in range(turns_per_session):
                    await asyncio.sleep(srng.expovariate(per_session))
                    if time.perf_counter() >= stop_at:
                        break
                    text = MESSAGES[index % len(MESSAGES)]
                    emergency = EMERGENCY_MARK in text
                    inside = time.perf_counter() >= measure_from
                    sent_total["all"] += 1
                    if inside:
                        measured_sent["all"] += 1
                        measured_sent["emergency"] += emergency
                    outcome = await one_message(conn, text, index)
                    index += 1
                    outcomes_total[outcome.kind] += 1
                    if inside:
                        measured.append((outcome, emergency))
            except Exception as exc:  # noqa: BLE001 - the message in flight is lost; counted below
                tally.frame_errors.append(type(exc).__name__)
            finally:
                await conn.close()

    marker = asyncio.create_task(mark())
    tasks = [asyncio.create_task(session(random.Random(rng.random()))) for _ in range(sessions)]
    await marker
    _done, pending = await asyncio.wait(tasks, timeout=spec.get("grace", 30.0))
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    window_s = (window["t_end"] or 0) - (window["t_start"] or 0)
    kinds = Counter(outcome.kind for outcome, _ in measured)
    answered = [o for o, _ in measured if o.kind == "answered"]
    refused = [o for o, _ in measured if o.kind == "busy"]
    emergencies = [o for o, emergency in measured if emergency]
    cpu = None
    if window.get("cpu_start") is not None and window.get("cpu_end") is not None:
        cpu = window["cpu_end"] - window["cpu_start"]  # type: ignore[operator]
    return {
        "mode": "overload",
        "sessions": sessions,
        "offered_rate": rate,
        "window_s": round(window_s, 3),
        "sent": measured_sent["all"],
        "sent_msg_s": round(measured_sent["all"] / window_s, 2) if window_s else None,
        "answered": kinds["answered"],
        "admitted_msg_s": round(kinds["answered"] / window_s, 2) if window_s else None,
        "refused": kinds["busy"],
        "other_errors": sum(n for kind, n in kinds.items() if kind.startswith("error:")),
        "error_codes": {kind: n for kind, n in kinds.items() if kind.startswith("error:")},
        "lost": measured_sent["all"] - len(measured),
        "emergencies_sent": measured_sent["emergency"],
        "emergencies_answered": sum(1 for o in emergencies if o.kind == "answered"),
        "emergencies_refused": sum(1 for o in emergencies if o.kind == "busy"),
        "latency": {
            "admitted_triage_ms": summary(o.triage_ms for o in answered),
            "admitted_done_ms": summary(o.done_ms for o in answered),
            "busy_ms": summary(o.busy_ms for o in refused),
            "emergency_triage_ms": summary(o.triage_ms for o in emergencies if o.kind == "answered"),
        },
        "totals": {
            "sent": sent_total["all"],
            "final_frames": sum(outcomes_total.values()),
            "lost": sent_total["all"] - sum(outcomes_total.values()),
            **dict(outcomes_total),
        },
        "connect_errors": tally.connect_errors,
        "socket_errors": len(tally.frame_errors),
        "server_cpu_s": cpu,
        "server_cpu_ms_per_sent_msg": round(cpu * 1000 / measured_sent["all"], 3)
        if cpu and measured_sent["all"]
        else None,
        "session_ids": tally.session_ids,
    }


def audit_records(db_path: Path, session_ids: list[str]) -> dict[str, int]:
    """The phase's turn records by outcome (`complete`, `busy`, ...), from the server's own audit trail."""
    wanted = set(session_ids)
    counts: Counter[str] = Counter()
    if not db_path.exists():
        return {}
    with sqlite3.connect(db_path) as db:
        rows = db.execute("SELECT content FROM audit_entry WHERE kind = 'turn'").fetchall()
    for (content,) in rows:
        record = json.loads(content)
        if record.get("session_id") not in wanted:
            continue
        error = record.get("error") or {}
        status = (record.get("response") or {}).get("status", "complete")
        counts["busy" if error.get("error_type") == "busy" else status] += 1
        counts["all"] += 1
    return dict(counts)


def targets(overload: dict[str, Any]) -> list[tuple[str, float | None, float, bool, str, str]]:
    """(name, value, limit, higher_is_better, unit, note) rows for the report's targets table (issue 20); no `busy`
    row when nothing was refused (the offered load did not overload this run's server)."""
    lat = overload.get("latency") or {}
    busy = lat.get("busy_ms") or {}
    note = f"app-local at {FACTOR:g}x capacity ({overload.get('sent_msg_s')} msg/s sent)"
    rows = [
        (
            "overload: admitted messages' triage p99",
            (lat.get("admitted_triage_ms") or {}).get("p99"),
            100,
            False,
            "ms",
            note,
        ),
        ("overload: lost messages", overload.get("lost"), 0, False, "", "no final frame, or socket dropped"),
        ("overload: emergencies refused", overload.get("emergencies_refused"), 0, False, "", note),
    ]
    if busy.get("n"):
        rows.insert(
            1, ("overload: time to `busy` p99", busy.get("p99"), 50, False, "ms", f"{note}; max {busy.get('max')} ms")
        )
    return rows


# ---------------------------------------------------------------- triage first: streams against new messages

STREAM_TEXT = "I have had a runny nose and a mild sore throat since yesterday"
PROBE_TEXT = "I have a headache and feel tired, I slept badly last night"


async def run_streams(spec: dict[str, Any], probe: ServerProbe) -> dict[str, Any]:
    """`streams` sessions keep a long answer streaming (back to back); meanwhile a probe opens a fresh session every
    `probe_every_s`, sends one message and times its `triage` frame (then leaves: its answer is not waited for)."""
    duration, warmup = spec["duration"], spec.get("warmup", 2.0)
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + duration
    tally = Tally()
    tokens = Counter[str]()
    triage_ms: list[float] = []
    failures = Counter[str]()

    async def stream_forever() -> None:
        conn = await open_session(spec["url"], tally)
        try:
            while time.perf_counter() < stop_at:
                await conn.send(json.dumps({"type": "message", "text": STREAM_TEXT}))
                while True:
                    raw = await conn.recv()
                    if raw.startswith('{"type":"token"'):
                        if measure_from <= time.perf_counter() < stop_at:
                            tokens["window"] += 1
                        continue
                    kind = loads(raw).get("type")
                    if kind in ("done", "error"):
                        failures[kind] += kind == "error"
                        break
        finally:
            await conn.close()

    async def probe_once(index: int) -> None:
        try:
            conn = await open_session(spec["url"], tally)
        except Exception:  # noqa: BLE001
            failures["connect"] += 1
            return
        try:
            await conn.send(json.dumps({"type": "message", "text": PROBE_TEXT, "client_msg_id": f"p-{index}"}))
            sent = time.perf_counter()
            while True:
                frame = loads(await conn.recv())
                if frame.get("type") == "triage":
                    if sent >= measure_from:
                        triage_ms.append((time.perf_counter() - sent) * 1000)
                    return
                if frame.get("type") == "error":
                    failures[f"probe:{frame.get('code')}"] += 1
                    return
        finally:
            await conn.close()

    streams = [asyncio.create_task(stream_forever()) for _ in range(spec["streams"])]
    probes: list[asyncio.Task[None]] = []
    index = 0
    cpu0 = None
    while time.perf_counter() < stop_at:
        if cpu0 is None and time.perf_counter() >= measure_from:
            cpu0 = probe.cpu_s()
        probes.append(asyncio.create_task(probe_once(index)))
        index += 1
        await asyncio.sleep(spec.get("probe_every_s", 0.1))
    cpu1 = probe.cpu_s()
    await asyncio.wait([*streams, *probes], timeout=spec.get("grace", 30.0))
    for task in (*streams, *probes):
        task.cancel()
    await asyncio.gather(*streams, *probes, return_exceptions=True)
    return {
        "mode": "streams",
        "streams": spec["streams"],
        "window_s": duration,
        "probe_triage_ms": summary(triage_ms),
        "stream_tokens_per_s": round(tokens["window"] / duration, 1),
        "failures": dict(failures),
        "server_cpu_s": (cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else None,
    }


def measure_streams(streams: int, duration_s: float, root: Path, log: Any) -> dict[str, Any]:
    """The probe's time to `triage` with `streams` long answers streaming, token streaming yielding to pending
    triage work (as shipped) and not (`TRIAGE_STREAM_YIELDS_TO_TRIAGE=false`). Admission's limit is lifted so that
    only the yielding differs."""
    from bench.run import client
    from bench.servers import app_server, peer_server

    out: dict[str, Any] = {"streams": streams}
    with peer_server("stream_model", root / "stream_model") as model:
        for yields in (True, False):
            env = {
                "TRIAGE_OPENAI_BASE_URL": model.http + "/v1",
                "TRIAGE_ENGINE_MAX_TOKENS": "1024",
                "TRIAGE_TOTAL_TIMEOUT_S": "120",
                "TRIAGE_ADMIT_TARGET_MS": "100000",
                "TRIAGE_STREAM_YIELDS_TO_TRIAGE": str(yields).lower(),
            }
            name = "yields" if yields else "no_yield"
            with app_server(root / f"app-streams-{name}", engine="openai", env=env) as server:
                client({"url": server.ws, "mode": "serial", "messages": 1, "warmup_messages": 3}, 120)
                log(f"  streams: {streams} answers streaming, token streaming {name}")
                spec = {"url": server.ws, "server_pid": server.pid, "mode": "streams", "streams": streams}
                out[name] = client({**spec, "duration": duration_s, "warmup": 2.0}, 300)
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys
    import tempfile

    parser = argparse.ArgumentParser(prog="python -m bench.overload", description="triage first, measured")
    parser.add_argument("--streams", type=int, default=16, help="answers streaming at once")
    parser.add_argument("--duration", type=float, default=10.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-streams-") as tmp:
        result = measure_streams(args.streams, args.duration, Path(tmp), lambda line: print(line, file=sys.stderr))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
