"""The soak phase (issue 20): many patients over minutes, window by window, and every message accounted for.

    python -m bench.soak [--sessions 2000] [--period-s 20] [--duration-s 300] [--window-s 30] [--workers 1]
                         [--out bench/results]

The real service (`triage serve` as bench/servers.py starts it: embedded local engine, SQLite audit, the
per-address limits lifted, admission control as shipped) and one asyncio client process (this one; the
`websockets` client of bench/load.py). The client opens `sessions` patient sessions and keeps each socket and
conversation for the whole soak; each sends a message (bench/messages.py, in rotation) every `period_s` seconds,
the first ones spread evenly over the first period so that the offered rate is steady (`sessions / period_s`
msg/s), for `duration_s` seconds; a session waits for its answer before the next message (a patient reads the
reply), so a message due meanwhile goes out late. A socket that drops is opened again as a new session at the
next message.

Reported per window of `window_s` seconds, by the time each message was sent: messages sent, answered (`done`),
refused (`busy`), other `error` frames, lost (no final frame: the socket dropped, or none within the grace period
after the soak), time to the `triage` frame (p50, p90, p99) and to the first `token` (p50, p99), and, at the
window's end, the server's resident memory (VmRSS of /proc/<pid>/status, its workers' added) and CPU. At the end:
totals, the lost messages, and, from the audit database once the server has stopped, the acknowledged messages
(those with a final frame) without exactly one turn record; and RSS growth from the first window to the last.
Files: bench/results/soak.json and soak.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import sqlite3
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
from websockets.asyncio.client import ClientConnection

from bench.load import Sample, ServerProbe, Tally, ask, open_session, raise_fd_limit
from bench.messages import MESSAGES
from bench.servers import ADMISSION_DEFAULTS, REPO, Server, app_server
from bench.stats import percentile

RESULTS = REPO / "bench" / "results"
MIB = 2**20


@dataclass(frozen=True)
class Plan:
    sessions: int = 2000
    period_s: float = 20.0
    duration_s: float = 300.0
    window_s: float = 30.0
    workers: int = 1
    #: How long answers still in flight when the soak ends are waited for; then they count as lost.
    grace_s: float = 30.0
    #: Sockets being opened at once before the soak starts.
    connect_concurrency: int = 100

    @property
    def offered_msg_s(self) -> float:
        return self.sessions / self.period_s

    @property
    def windows(self) -> int:
        return max(1, math.ceil(self.duration_s / self.window_s))


QUICK = Plan(sessions=20, period_s=2.0, duration_s=6.0, window_s=2.0, grace_s=20.0)


@dataclass
class Sent:
    """One message: when it went out (seconds into the soak), and its final frame's sample (None: lost)."""

    client_msg_id: str
    at_s: float
    sample: Sample | None = None

    @property
    def outcome(self) -> str:
        if self.sample is None:
            return "lost"
        if self.sample.error is None:
            return "answered"
        return "busy" if self.sample.error == "busy" else f"error:{self.sample.error}"


@dataclass
class Soak:
    """What the client saw: the messages, the server's memory and CPU at each window's end, socket trouble."""

    sent: list[Sent] = field(default_factory=list)
    marks: list[dict[str, float]] = field(default_factory=list)  # [start, end of window 1, ...]
    tally: Tally = field(default_factory=Tally)
    socket_errors: Counter[str] = field(default_factory=Counter)
    reconnects: int = 0
    open_s: float = 0.0
    client_cpu_s: float = 0.0


# ---------------------------------------------------------------- the server's memory


def vm_rss(pid: int) -> int:
    """Resident bytes of the server: VmRSS of /proc/<pid>/status, with its worker processes' (`--workers N`)."""
    pids = [pid]
    with contextlib.suppress(psutil.Error):
        pids += [child.pid for child in psutil.Process(pid).children(recursive=True)]
    total = 0
    for each in pids:
        with contextlib.suppress(OSError):  # a worker that just exited
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024  # kB
    return total


# ---------------------------------------------------------------- the client


async def run_soak(url: str, server_pid: int, plan: Plan) -> Soak:
    soak = Soak()
    probe = ServerProbe(server_pid)
    gate = asyncio.Semaphore(plan.connect_concurrency)

    async def connect() -> ClientConnection | None:
        async with gate:
            try:
                return await open_session(url, soak.tally)
            except Exception:  # noqa: BLE001 - counted; the session tries again at its next message
                soak.tally.connect_errors += 1
                return None

    opened = time.perf_counter()
    conns = await asyncio.gather(*(connect() for _ in range(plan.sessions)))
    soak.open_s = time.perf_counter() - opened
    t0 = time.perf_counter()
    end = t0 + plan.duration_s

    def mark() -> dict[str, float]:
        return {
            "t_s": time.perf_counter() - t0,
            "rss": vm_rss(server_pid),
            "server_cpu_s": probe.cpu_s() or 0.0,
            "client_cpu_s": time.process_time(),
        }

    async def sample_windows() -> None:
        soak.marks.append(mark())
        for index in range(1, plan.windows + 1):
            await asyncio.sleep(max(0.0, t0 + min(index * plan.window_s, plan.duration_s) - time.perf_counter()))
            soak.marks.append(mark())

    async def patient(number: int, conn: ClientConnection | None) -> None:
        offset = plan.period_s * number / plan.sessions
        turn = 0
        try:
            while (due := t0 + offset + turn * plan.period_s) < end:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                if conn is None:
                    conn = await connect()
                    soak.reconnects += conn is not None
                if conn is not None:
                    index = number * 100_000 + turn
                    sent = Sent(f"b-{index}", time.perf_counter() - t0)
                    soak.sent.append(sent)
                    try:
                        sent.sample = await ask(conn, MESSAGES[(number + turn) % len(MESSAGES)], index)
                    except Exception as exc:  # noqa: BLE001 - the message in flight is lost; counted
                        soak.socket_errors[type(exc).__name__] += 1
                        await conn.close()
                        conn = None
                turn += 1
        finally:
            if conn is not None:
                await conn.close()

    sampler = asyncio.create_task(sample_windows())
    cpu0 = time.process_time()
    tasks = [asyncio.create_task(patient(number, conn)) for number, conn in enumerate(conns)]
    await sampler
    _done, pending = await asyncio.wait(tasks, timeout=plan.grace_s)
    for task in pending:  # answers still in flight after the grace period: lost
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    soak.client_cpu_s = time.process_time() - cpu0
    return soak


# ---------------------------------------------------------------- figures


def quantiles(values: list[float | None], qs: tuple[int, ...]) -> dict[str, float | int | None]:
    data = [v for v in values if v is not None]
    out: dict[str, float | int | None] = {"n": len(data)}
    for q in qs:
        value = percentile(data, q)
        out[f"p{q}"] = round(value, 2) if value is not None else None
    return out


def figures(messages: list[Sent]) -> dict[str, Any]:
    outcomes = Counter(m.outcome for m in messages)
    answered = [m.sample for m in messages if m.outcome == "answered" and m.sample is not None]
    return {
        "sent": len(messages),
        "answered": outcomes["answered"],
        "busy": outcomes["busy"],
        "errors": sum(n for kind, n in outcomes.items() if kind.startswith("error:")),
        "error_codes": {kind.removeprefix("error:"): n for kind, n in outcomes.items() if kind.startswith("error:")},
        "lost": outcomes["lost"],
        "triage_ms": quantiles([s.triage_ms for s in answered], (50, 90, 99)),
        "first_token_ms": quantiles([s.first_token_ms for s in answered], (50, 99)),
    }


def windows(soak: Soak, plan: Plan) -> list[dict[str, Any]]:
    by_window: list[list[Sent]] = [[] for _ in range(plan.windows)]
    for message in soak.sent:
        by_window[min(int(message.at_s // plan.window_s), plan.windows - 1)].append(message)
    rows = []
    for index, messages in enumerate(by_window):
        first, last = soak.marks[index], soak.marks[index + 1]
        span = (last["t_s"] - first["t_s"]) or 1.0
        rows.append(
            {
                "from_s": round(index * plan.window_s, 3),
                "to_s": round(min((index + 1) * plan.window_s, plan.duration_s), 3),
                **figures(messages),
                "rss_mib": round(last["rss"] / MIB, 1),
                "server_cpu_cores": round((last["server_cpu_s"] - first["server_cpu_s"]) / span, 2),
                "client_cpu_cores": round((last["client_cpu_s"] - first["client_cpu_s"]) / span, 2),
            }
        )
    return rows


def audit_check(db_path: Path, session_ids: list[str], messages: list[Sent]) -> dict[str, int]:
    """Turn records of the soak's sessions, by `client_msg_id`: each acknowledged message (a final frame) must have
    exactly one."""
    wanted = set(session_ids)
    records: Counter[str] = Counter()
    if db_path.exists():
        with sqlite3.connect(db_path) as db:
            rows = db.execute("SELECT content FROM audit_entry WHERE kind = 'turn'").fetchall()
        for (content,) in rows:
            record = json.loads(content)
            if record.get("session_id") in wanted:
                records[str((record.get("message") or record).get("client_msg_id"))] += 1
    acknowledged = [m.client_msg_id for m in messages if m.sample is not None]
    lost = {m.client_msg_id for m in messages if m.sample is None}
    return {
        "turn_records": sum(records.values()),
        "acknowledged": len(acknowledged),
        "acknowledged_without_record": sum(1 for m in acknowledged if records[m] == 0),
        "acknowledged_with_several_records": sum(1 for m in acknowledged if records[m] > 1),
        "records_of_lost_messages": sum(records[m] for m in lost),
    }


#: Admission's counters (app/admission.py), as `/metrics` names them: what the red-flag screen did with the messages
#: that found no turn slot in time.
ADMISSION_COUNTERS = {
    "refused_busy": "triage_busy_refusals_total",
    "admitted_over_bound": "triage_admitted_over_bound_total",
    "emergency_repeats": "triage_emergency_repeats_total",
}


def admission_counts(http: str) -> dict[str, int]:
    """The server's admission counters now (every worker's, summed by `/metrics`)."""
    with urllib.request.urlopen(f"{http}/metrics", timeout=10) as response:
        text = response.read().decode()
    values = {}
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        values[name] = value
    return {key: round(float(values.get(metric, 0))) for key, metric in ADMISSION_COUNTERS.items()}


# ---------------------------------------------------------------- one soak


def measure(plan: Plan, root: Path, log: Any) -> dict[str, Any]:
    """Start the service, soak it, stop it, read its audit database; the results as soak.json holds them."""
    from bench.run import client, machine

    data_dir = root / "app-local-soak"
    env = {**ADMISSION_DEFAULTS, "TRIAGE_WORKERS": str(plan.workers)}
    if plan.workers > 1:
        env["TRIAGE_LOG_FORMAT"] = "text"  # the ready notice, printed once every worker accepts connections
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "plan": {**asdict(plan), "offered_msg_s": plan.offered_msg_s},
        "machine": machine(),
        "server": {"system": "app-local", "workers": plan.workers, "env": env},
    }
    fd_limit = raise_fd_limit()
    with app_server(data_dir, env=env) as server:
        if plan.workers > 1:
            _await_ready_notice(server)
        client({"url": server.ws, "mode": "serial", "messages": 2, "warmup_messages": 20}, 300)
        results["server"]["rss_before_mib"] = round(vm_rss(server.pid) / MIB, 1)
        log(
            f"soak: {plan.sessions} sessions, a message every {plan.period_s:g} s each "
            f"({plan.offered_msg_s:g} msg/s), {plan.duration_s:g} s, windows of {plan.window_s:g} s"
        )
        soak = _run(run_soak(server.ws, server.pid, plan))
        results["admission"] = admission_counts(server.http)
    results["windows"] = windows(soak, plan)
    total = figures(soak.sent)
    audit = audit_check(data_dir / "triage.db", soak.tally.session_ids, soak.sent)
    total["sent_msg_s"] = round(len(soak.sent) / plan.duration_s, 2)
    results["totals"] = total
    results["lost"] = {
        "no_final_frame": total["lost"],
        "no_audit_record": audit["acknowledged_without_record"],
        "several_audit_records": audit["acknowledged_with_several_records"],
    }
    results["audit"] = audit
    first, last = results["windows"][0]["rss_mib"], results["windows"][-1]["rss_mib"]
    results["rss"] = {
        "sessions_open_mib": round(soak.marks[0]["rss"] / MIB, 1),
        "first_window_mib": first,
        "last_window_mib": last,
        "growth_mib": round(last - first, 1),
    }
    results["connections"] = {
        "opened": len(soak.tally.session_ids),
        "open_s": round(soak.open_s, 2),
        "connect_errors": soak.tally.connect_errors,
        "reconnects": soak.reconnects,
        "socket_errors": dict(soak.socket_errors),
    }
    results["client"] = {
        "cpu_s": round(soak.client_cpu_s, 2),
        "cpu_cores": round(soak.client_cpu_s / (plan.duration_s or 1), 3),
        "fd_limit": fd_limit,
    }
    results["machine"]["loadavg_at_end"] = [round(v, 2) for v in os.getloadavg()]
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return results


def _run(coroutine: Any) -> Soak:
    try:
        import uvloop

        return uvloop.run(coroutine)
    except ImportError:  # pragma: no cover
        return asyncio.run(coroutine)


def _await_ready_notice(server: Server, timeout_s: float = 180.0) -> None:
    deadline = time.monotonic() + timeout_s
    while "Triage is ready" not in server.log_tail(100_000):
        if time.monotonic() > deadline:
            raise TimeoutError(f"workers not ready after {timeout_s}s; log tail:\n{server.log_tail()}")
        time.sleep(0.2)


# ---------------------------------------------------------------- files


def _fmt(value: Any, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def markdown(results: dict[str, Any]) -> str:
    plan, m, t = results["plan"], results["machine"], results["totals"]
    lost, audit, rss, conn = results["lost"], results["audit"], results["rss"], results["connections"]
    lines = [
        f"# Soak ({plan['sessions']} sessions, {plan['duration_s']:g} s, {results['started_at']})",
        "",
        f"Machine: {m['nproc']} cores, {m['cpu_model']}, {m['ram_gib']} GiB RAM, Python {m['python']}; "
        f"load average {m['loadavg_at_start']} at start, {m.get('loadavg_at_end')} at end. "
        f"Server and load client share these cores (loopback).",
        "",
        f"app-local ({plan['workers']} worker{'s' if plan['workers'] > 1 else ''}, SQLite audit, admission control as "
        f"shipped); {plan['sessions']} sessions opened in {conn['open_s']:g} s and held, each sending a message every "
        f"{plan['period_s']:g} s ({plan['offered_msg_s']:g} msg/s offered) for {plan['duration_s']:g} s; one asyncio "
        f"client process ({results['client']['cpu_cores']:g} cores). Messages by the window they were sent in; "
        "latency in ms from the client's send to the frame; RSS and CPU at each window's end.",
        "",
        "| window s | sent | answered | busy | errors | lost | triage p50 | p90 | p99 | first token p50 | p99 "
        "| RSS MiB | server cores |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for w in results["windows"]:
        tr, ft = w["triage_ms"], w["first_token_ms"]
        lines.append(
            f"| {w['from_s']:g}-{w['to_s']:g} | {w['sent']} | {w['answered']} | {w['busy']} | {w['errors']} | "
            f"{w['lost']} | {_fmt(tr['p50'])} | {_fmt(tr['p90'])} | {_fmt(tr['p99'])} | {_fmt(ft['p50'])} | "
            f"{_fmt(ft['p99'])} | {_fmt(w['rss_mib'])} | {_fmt(w['server_cpu_cores'], 2)} |"
        )
    tr, ft = t["triage_ms"], t["first_token_ms"]
    lines += [
        f"| **all** | {t['sent']} | {t['answered']} | {t['busy']} | {t['errors']} | {t['lost']} | {_fmt(tr['p50'])} | "
        f"{_fmt(tr['p90'])} | {_fmt(tr['p99'])} | {_fmt(ft['p50'])} | {_fmt(ft['p99'])} | | |",
        "",
        f"Sent {t['sent']} ({t['sent_msg_s']:g} msg/s); error codes {t['error_codes'] or 'none'}. **Lost: "
        f"{lost['no_final_frame']}** without a final frame, **{lost['no_audit_record']}** acknowledged without an audit "
        f"record, {lost['several_audit_records']} with several ({audit['turn_records']} turn records for "
        f"{audit['acknowledged']} acknowledged messages). Connections: {conn['opened']} sessions, "
        f"{conn['connect_errors']} failed to connect, {conn['reconnects']} reopened, socket errors "
        f"{conn['socket_errors'] or 'none'}.",
        "",
        *_admission_line(results.get("admission")),
        f"RSS: {_fmt(results['server']['rss_before_mib'])} MiB before the sessions, {_fmt(rss['sessions_open_mib'])} "
        f"with them open, {_fmt(rss['first_window_mib'])} after the first window, {_fmt(rss['last_window_mib'])} after "
        f"the last: **{rss['growth_mib']:+.1f} MiB** from the first window to the last.",
        "",
    ]
    return "\n".join(lines)


def _admission_line(counts: dict[str, int] | None) -> list[str]:
    if counts is None:  # a soak.json from before the counters were read
        return []
    screened = sum(counts.values())
    return [
        f"Messages that found no turn slot within the wait, read by the red-flag screen: {screened} (refused "
        f"`busy` {counts['refused_busy']}, emergencies admitted over the bound {counts['admitted_over_bound']}, "
        f"follow-ups to an emergency answered from the screen {counts['emergency_repeats']}).",
        "",
    ]


def write(results: dict[str, Any], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "soak.json").write_text(json.dumps(results, indent=1) + "\n")
    (out_dir / "soak.md").write_text(markdown(results))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    default = Plan()
    parser.add_argument("--sessions", type=int, default=default.sessions, help="patient sessions held open")
    parser.add_argument("--period-s", type=float, default=default.period_s, help="seconds between a session's messages")
    parser.add_argument("--duration-s", type=float, default=default.duration_s, help="seconds of sending")
    parser.add_argument("--window-s", type=float, default=default.window_s, help="seconds per reported window")
    parser.add_argument("--workers", type=int, default=default.workers, help="`triage serve --workers`")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for soak.json and soak.md")
    args = parser.parse_args(argv)
    plan = Plan(
        sessions=args.sessions,
        period_s=args.period_s,
        duration_s=args.duration_s,
        window_s=args.window_s,
        workers=args.workers,
    )

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        results = measure(plan, Path(tmp), log)
    results["command"] = "python -m bench.soak " + " ".join(sys.argv[1:] if argv is None else argv)
    write(results, args.out)
    print(markdown(results))
    log(f"results: {args.out / 'soak.json'}, {args.out / 'soak.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
