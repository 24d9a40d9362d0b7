"""Throughput of `triage serve --workers N` against one worker (issue 20: `--workers 2` >= 1.6x one worker).

    python -m bench.workers_bench [--workers 1,2] [--sessions 200] [--duration 15] [--repeats 3]
                                  [--out bench/results/workers.md]

Each configuration is the real service (local engine, SQLite, the per-address limits lifted as in
bench/servers.py) driven by bench/load.py's `saturate` phase from a separate client process: `--sessions`
sessions sending back to back, so messages per second is what the service completes at saturation. The
configurations alternate (1, 2, 1, 2, ...) so that a shared machine's drift falls on both alike; each gets a fresh
server and data directory, and is measured only once every worker accepts connections. Reported per
configuration: the median of the repeats' msg/s (and each repeat's), triage p50 / p99, the server's CPU per
message (master and workers together), the client's CPU per message, and the machine's load meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from bench.run import busy_cpu_s, client, machine
from bench.servers import Server, app_server
from bench.stats import latency_summary

RESULTS = Path(__file__).resolve().parent / "results"


def tree_cpu_s(pid: int) -> float:
    """CPU seconds of the server: the master and its workers."""
    total = 0.0
    master = psutil.Process(pid)
    for proc in (master, *master.children(recursive=True)):
        times = proc.cpu_times()
        total += times.user + times.system
    return total


def holders(server: Server) -> set[int]:
    return {p.pid for p in psutil.Process(server.pid).children()}


async def _workers_answering(server: Server, workers: int, timeout_s: float) -> None:
    """Open sockets until each of the `workers` processes has answered one with its `session` frame."""
    from websockets.asyncio.client import connect

    if workers == 1:
        return
    seen: set[int] = set()
    deadline = time.monotonic() + timeout_s
    while len(seen) < workers:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {len(seen)} of {workers} workers answered")
        try:
            async with connect(server.ws, open_timeout=5) as conn:
                await conn.recv()
                port = conn.local_address[1]
                for pid in holders(server):
                    if any(c.raddr and c.raddr.port == port for c in psutil.Process(pid).net_connections("tcp")):
                        seen.add(pid)
        except OSError:
            await asyncio.sleep(0.2)


def measure(workers: int, root: Path, sessions: int, duration: float, log: Any) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"w{workers}-", dir=root))
    server = app_server(data_dir, env={"TRIAGE_WORKERS": str(workers)})
    with server:
        asyncio.run(_workers_answering(server, workers, 180))
        base = {"url": server.ws, "server_pid": server.pid}
        client({**base, "mode": "serial", "messages": 10, "warmup_messages": 10}, 300)  # warm every cache once
        busy0, tree0 = busy_cpu_s(), tree_cpu_s(server.pid)
        result = client(
            {**base, "mode": "saturate", "sessions": sessions, "duration": duration, "warmup": 3.0}, duration + 300
        )
        busy, tree = busy_cpu_s() - busy0, tree_cpu_s(server.pid) - tree0
    completed = result["completed"] or 1
    latency = latency_summary(result.get("samples", []))
    row = {
        "workers": workers,
        "msg_s": result["throughput_msg_s"],
        "completed": result["completed"],
        "errors": result["errors"],
        "triage_ms": latency.get("triage_ms"),
        "server_cpu_ms_per_msg": round((result["server_cpu_s"] or 0) * 1000 / completed, 2),
        "client_cpu_ms_per_msg": round(result["client_cpu_s"] * 1000 / completed, 2),
        "loadavg": result["machine"]["loadavg"],
        # the machine's busy time left after the server (master and workers) and the load client, per second
        "other_processes_cores": round(
            max(busy - tree - result["machine"]["client_process_cpu_s"], 0.0) / result["machine"]["wall_s"], 2
        ),
    }
    log(f"  workers={workers}: {row['msg_s']} msg/s, server CPU {row['server_cpu_ms_per_msg']} ms/msg")
    return row


def markdown(results: dict[str, Any]) -> str:
    by = results["by_workers"]
    lines = [
        "# Throughput with several worker processes (`triage serve --workers N`)",
        "",
        f"`{results['command']}`, {results['started_at']}. Machine: {results['machine']['nproc']} CPUs "
        f"({results['machine']['cpu_model']}), {results['machine']['ram_gib']} GiB, Python "
        f"{results['machine']['python']}, **shared with other jobs** (load average "
        f"{results['machine']['loadavg_at_start']} at start, {results['loadavg_at_end']} at end); the load client "
        "runs on the same cores.",
        "",
        "| workers | msg/s (median) | each repeat | triage p50 / p99 ms | server CPU ms/msg | client CPU ms/msg "
        "| server cores busy | msg/s per server core | other jobs' cores |",
        "| --: | --: | --- | --- | --: | --: | --: | --: | --: |",
    ]
    for workers, rows in by.items():
        rates = [r["msg_s"] for r in rows]
        p50 = statistics.median(r["triage_ms"]["p50"] for r in rows if r["triage_ms"])
        p99 = statistics.median(r["triage_ms"]["p99"] for r in rows if r["triage_ms"])
        lines.append(
            f"| {workers} | {statistics.median(rates):.1f} | {', '.join(f'{r:.0f}' for r in rates)} | "
            f"{p50:.1f} / {p99:.1f} | {statistics.median(r['server_cpu_ms_per_msg'] for r in rows):.2f} | "
            f"{statistics.median(r['client_cpu_ms_per_msg'] for r in rows):.2f} | "
            f"{statistics.median(r['msg_s'] * r['server_cpu_ms_per_msg'] / 1000 for r in rows):.2f} | "
            f"{statistics.median(1000 / r['server_cpu_ms_per_msg'] for r in rows):.0f} | "
            f"{statistics.median(r['other_processes_cores'] or 0 for r in rows):.2f} |"
        )
    if results.get("ratio") is not None:
        lines += ["", f"Ratio, {max(by)} workers / 1 worker (medians): **{results['ratio']:.2f}x** (target >= 1.6x)."]
    lines += [
        "",
        "Server cores busy = msg/s x server CPU per message: how much of the machine the service got; msg/s per "
        "server core = 1000 / server CPU ms per message. Other jobs' cores: the machine's busy time not spent by the "
        "server or the load client, during the phase. On a machine other jobs share, the ratio of msg/s says how "
        "much CPU the second worker found free as much as how well it uses it; msg/s per server core says the "
        "latter.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workers_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2", help="comma separated worker counts")
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS / "workers.md")
    args = parser.parse_args(argv)
    counts = [int(w) for w in args.workers.split(",")]

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    results: dict[str, Any] = {
        "command": "python -m bench.workers_bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "by_workers": {w: [] for w in counts},
    }
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmp:
        for repeat in range(args.repeats):
            log(f"repeat {repeat + 1} of {args.repeats}")
            for workers in counts:
                results["by_workers"][workers].append(measure(workers, Path(tmp), args.sessions, args.duration, log))
    results["loadavg_at_end"] = [round(v, 2) for v in os.getloadavg()]
    medians = {w: statistics.median(r["msg_s"] for r in rows) for w, rows in results["by_workers"].items()}
    results["ratio"] = medians[max(counts)] / medians[1] if 1 in medians and max(counts) > 1 else None
    text = markdown(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=1, default=str))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
