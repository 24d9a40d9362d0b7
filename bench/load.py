"""The load client: a separate process (so the server's CPU is its own) driving `/ws/chat` over loopback.

    python -m bench.load '{"url": "ws://127.0.0.1:8000/ws/chat", "mode": "load", "sessions": 200, ...}'

prints one JSON object on stdout, or writes it to the file named by the spec's `result_file` (what
`run_client` does: a result of thousands of samples is too big to trust to a pipe). Modes:
- `serial`: one session, `messages` messages one after another (unloaded latency);
- `load`: `sessions` sessions open at once, each sending a message after an exponential think time, so that
  all together offer `rate` messages per second for `duration` seconds (after `warmup` seconds not counted);
  a session reconnects as a new one after `turns_per_session` messages (conversations stay realistic);
- `saturate`: the same sessions, back to back with no think time: messages per second at saturation;
- `idle`: `sessions` connections opened and left idle: the server's resident memory per idle connection.
- `overload`: offered load beyond capacity against admission control; every message accounted for
  (bench/overload.py).

Times are from the moment a message is written to the socket to the arrival of its `triage` frame, its first
`token` and its `done`. When `server_pid` is given the client also samples the server's CPU time and RSS
(psutil), at the exact start and end of the measured window.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from bench.messages import MESSAGES

try:
    import orjson

    loads = orjson.loads
except ImportError:  # pragma: no cover
    loads = json.loads


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class ServerProbe:
    """CPU seconds and RSS of the server process (with its workers, summed), read from the client side."""

    def __init__(self, pid: int | None) -> None:
        self.proc = None
        if pid:
            import psutil

            self.proc = psutil.Process(pid)
        self.peak_rss = 0

    def _tree(self) -> list[Any]:
        """The server and its worker processes (`triage serve --workers N`); gone ones are skipped."""
        assert self.proc is not None
        return [self.proc, *self.proc.children(recursive=True)]

    def cpu_s(self) -> float | None:
        if self.proc is None:
            return None
        total = 0.0
        for proc in self._tree():
            with contextlib.suppress(Exception):  # a worker that just exited
                times = proc.cpu_times()
                total += times.user + times.system
        return total

    def rss(self) -> int | None:
        if self.proc is None:
            return None
        value = 0
        for proc in self._tree():
            with contextlib.suppress(Exception):
                value += proc.memory_info().rss
        self.peak_rss = max(self.peak_rss, value)
        return value

    async def watch_peak(self, stop: asyncio.Event, every_s: float = 0.25) -> None:
        while not stop.is_set():
            self.rss()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every_s)


@dataclass
class Sample:
    sent: float
    triage_ms: float | None = None
    first_token_ms: float | None = None
    done_ms: float | None = None
    tokens: int = 0
    error: str | None = None


@dataclass
class Tally:
    samples: list[Sample] = field(default_factory=list)
    session_ids: list[str] = field(default_factory=list)
    connect_errors: int = 0
    frame_errors: list[str] = field(default_factory=list)


async def open_session(url: str, tally: Tally) -> ClientConnection:
    conn = await connect(url, max_size=2**20, ping_interval=None, open_timeout=60, close_timeout=2)
    hello = loads(await conn.recv())
    if hello.get("type") != "session":
        raise RuntimeError(f"expected a session frame, got {hello!r}")
    tally.session_ids.append(hello["session_id"])
    return conn


async def ask(conn: ClientConnection, text: str, index: int) -> Sample:
    """One message, timed frame by frame until its `done` (or an `error`)."""
    sample = Sample(sent=time.perf_counter())
    await conn.send(json.dumps({"type": "message", "text": text, "client_msg_id": f"b-{index}"}))
    sent = sample.sent
    while True:
        raw = await conn.recv()
        now = time.perf_counter()
        # Token frames are the bulk: classify them without parsing the whole frame.
        if raw.startswith('{"type":"token"'):
            if sample.first_token_ms is None:
                sample.first_token_ms = (now - sent) * 1000
            sample.tokens += 1
            continue
        frame = loads(raw)
        kind = frame.get("type")
        if kind == "token":
            if sample.first_token_ms is None:
                sample.first_token_ms = (now - sent) * 1000
            sample.tokens += 1
        elif kind == "triage":
            sample.triage_ms = (now - sent) * 1000
        elif kind == "done":
            sample.done_ms = (now - sent) * 1000
            return sample
        elif kind == "error":
            sample.error = str(frame.get("code"))
            return sample


async def session_loop(
    url: str,
    tally: Tally,
    *,
    rate_per_session: float | None,
    measure_from: float,
    stop_at: float,
    turns_per_session: int,
    rng: random.Random,
) -> None:
    index = rng.randrange(len(MESSAGES))
    while time.perf_counter() < stop_at:
        try:
            conn = await open_session(url, tally)
        except Exception:  # noqa: BLE001 - counted, the run goes on
            tally.connect_errors += 1
            await asyncio.sleep(0.1)
            continue
        try:
            for _ in range(turns_per_session):
                if rate_per_session:
                    await asyncio.sleep(rng.expovariate(rate_per_session))
                if time.perf_counter() >= stop_at:
                    break
                sample = await ask(conn, MESSAGES[index % len(MESSAGES)], index)
                index += 1
                if sample.sent >= measure_from and sample.sent < stop_at:
                    tally.samples.append(sample)
        except Exception as exc:  # noqa: BLE001
            tally.frame_errors.append(type(exc).__name__)
        finally:
            await conn.close()


async def run_sessions(spec: dict[str, Any], probe: ServerProbe) -> dict[str, Any]:
    sessions = spec["sessions"]
    duration, warmup = spec["duration"], spec.get("warmup", 2.0)
    rate = spec.get("rate") if spec["mode"] == "load" else None
    tally = Tally()
    rss_before = probe.rss()
    now = time.perf_counter()
    measure_from = now + warmup
    stop_at = measure_from + duration
    rng = random.Random(spec.get("seed", 7))
    stop = asyncio.Event()
    watcher = asyncio.create_task(probe.watch_peak(stop))
    window: dict[str, float | None] = {}

    async def mark() -> None:
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        window["cpu_start"], window["rss_start"], window["t_start"] = probe.cpu_s(), probe.rss(), time.perf_counter()
        window["client_cpu_start"] = time.process_time()
        await asyncio.sleep(max(0.0, stop_at - time.perf_counter()))
        window["cpu_end"], window["rss_end"], window["t_end"] = probe.cpu_s(), probe.rss(), time.perf_counter()
        window["client_cpu_end"] = time.process_time()

    marker = asyncio.create_task(mark())
    per_session = (rate / sessions) if rate else None
    tasks = [
        asyncio.create_task(
            session_loop(
                spec["url"],
                tally,
                rate_per_session=per_session,
                measure_from=measure_from,
                stop_at=stop_at,
                turns_per_session=spec.get("turns_per_session", 6),
                rng=random.Random(rng.random()),
            )
        )
        for _ in range(sessions)
    ]
    await marker
    # Sessions finish the message in flight; give them a bounded grace period.
    _done, pending = await asyncio.wait(tasks, timeout=spec.get("grace", 30.0))
    for task in pending:
        task.cancel()
    stop.set()
    await watcher
    window_s = (window["t_end"] or 0) - (window["t_start"] or 0)
    completed = [s for s in tally.samples if s.done_ms is not None and s.error is None]
    cpu = None
    if window.get("cpu_start") is not None:
        cpu = window["cpu_end"] - window["cpu_start"]
    return {
        "mode": spec["mode"],
        "sessions": sessions,
        "offered_rate": rate,
        "window_s": round(window_s, 3),
        "messages": len(tally.samples),
        "completed": len(completed),
        "errors": sum(1 for s in tally.samples if s.error) + len(tally.frame_errors),
        "connect_errors": tally.connect_errors,
        "unfinished_sessions": len(pending),
        "throughput_msg_s": round(len(completed) / window_s, 2) if window_s else None,
        "server_cpu_s": cpu,
        "client_cpu_s": window["client_cpu_end"] - window["client_cpu_start"],
        "server_rss_before": rss_before,
        "server_rss_peak": probe.peak_rss or None,
        "samples": [[s.triage_ms, s.first_token_ms, s.done_ms, s.tokens] for s in completed],
        "session_ids": tally.session_ids,
    }


async def run_serial(spec: dict[str, Any], probe: ServerProbe) -> dict[str, Any]:
    tally = Tally()
    messages = spec.get("texts") or MESSAGES
    for index in range(spec.get("warmup_messages", 0)):  # not counted: first-use costs (imports, caches)
        warm = await open_session(spec["url"], Tally())
        await ask(warm, messages[index % len(messages)], index)
        await warm.close()
    conn = await open_session(spec["url"], tally)
    count = spec["messages"]
    cpu0, t0 = probe.cpu_s(), time.perf_counter()
    try:
        for index in range(count):
            if index and index % spec.get("turns_per_session", 6) == 0:
                await conn.close()
                conn = await open_session(spec["url"], tally)
            tally.samples.append(await ask(conn, messages[index % len(messages)], index))
    finally:
        await conn.close()
    elapsed = time.perf_counter() - t0
    cpu1 = probe.cpu_s()
    completed = [s for s in tally.samples if s.done_ms is not None and s.error is None]
    return {
        "mode": "serial",
        "sessions": 1,
        "window_s": round(elapsed, 3),
        "messages": len(tally.samples),
        "completed": len(completed),
        "errors": sum(1 for s in tally.samples if s.error),
        "server_cpu_s": (cpu1 - cpu0) if cpu0 is not None else None,
        "samples": [[s.triage_ms, s.first_token_ms, s.done_ms, s.tokens] for s in completed],
        "session_ids": tally.session_ids,
    }


async def run_idle(spec: dict[str, Any], probe: ServerProbe) -> dict[str, Any]:
    """Open `sessions` connections (each waits for its `session` frame), hold them, sample the server's RSS."""
    tally = Tally()
    gate = asyncio.Semaphore(spec.get("connect_concurrency", 100))
    rss_before = probe.rss()
    conns: list[ClientConnection] = []

    async def one() -> None:
        async with gate:
            try:
                conns.append(await open_session(spec["url"], tally))
            except Exception:  # noqa: BLE001
                tally.connect_errors += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(spec["sessions"])))
    open_s = time.perf_counter() - t0
    await asyncio.sleep(spec.get("settle_s", 2.0))
    rss_idle = probe.rss()
    # One message on every idle connection is not part of this mode; close them all.
    await asyncio.gather(*(c.close() for c in conns), return_exceptions=True)
    return {
        "mode": "idle",
        "sessions": spec["sessions"],
        "open": len(conns),
        "connect_errors": tally.connect_errors,
        "open_s": round(open_s, 3),
        "server_rss_before": rss_before,
        "server_rss_idle": rss_idle,
    }


async def main_async(spec: dict[str, Any]) -> dict[str, Any]:
    probe = ServerProbe(spec.get("server_pid"))
    mode = spec["mode"]
    if mode == "serial":
        return await run_serial(spec, probe)
    if mode in ("load", "saturate"):
        return await run_sessions(spec, probe)
    if mode == "idle":
        return await run_idle(spec, probe)
    if mode == "overload":  # bench/overload.py (issue 20)
        from bench.overload import run_overload

        return await run_overload(spec, probe)
    if mode == "streams":  # bench/overload.py (issue 20)
        from bench.overload import run_streams

        return await run_streams(spec, probe)
    raise SystemExit(f"unknown mode {mode!r}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    spec = json.loads(argv[0])
    raise_fd_limit()
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # pragma: no cover
        runner = asyncio.run
    result = runner(main_async(spec))
    result["fd_limit"] = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if spec.get("result_file"):
        Path(spec["result_file"]).write_text(json.dumps(result), encoding="utf-8")
        return 0
    # The event loop may leave the stdout pipe non-blocking: a result over the pipe's 64 KiB could then be cut
    # short. Prefer `result_file` (CI once read a result cut at 160 KiB even with this).
    os.set_blocking(sys.stdout.fileno(), True)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


def run_client(spec: dict[str, Any], timeout_s: float | None = None) -> dict[str, Any]:
    """Run one phase in a fresh client process and return its result, passed back through a file."""
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        result_file = Path(tmp) / "result.json"
        proc = subprocess.run(
            [sys.executable, "-m", "bench.load", json.dumps({**spec, "result_file": str(result_file)})],
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
        if proc.returncode != 0 or not result_file.exists():
            raise RuntimeError(f"load client failed ({proc.returncode}): {proc.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
        return result


if __name__ == "__main__":
    sys.exit(main())
