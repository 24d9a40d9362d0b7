"""How long the service takes to start: process launch to the first `200` from `/readyz`, and the import alone.

    python -m bench.startup [--runs 5] [--output bench/results/startup.md]

A restart's length is how long patients wait after a crash or a deploy (their widgets reconnect when it is ready),
and every test that starts a server pays it. Each run starts `triage serve` on a free port with a fresh data folder
(the first start's keys included), as one process and as the default (a master and a worker per core), waits for
readiness and stops it; the import alone is timed in a fresh
interpreter (`python -c "import app.main"`). The page names the machine and its calibration loop
(bench.triage_bench's), so runs on busy and quiet machines can be told apart.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from app.cli import default_workers
from bench.triage_bench import calibration_seconds

OUTPUT = Path(__file__).parent / "results" / "startup.md"
READY_TIMEOUT_S = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def time_to_ready(workers: int) -> float:
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "TRIAGE_DATA_DIR": data_dir, "TRIAGE_WORKERS": str(workers)}
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while not ready(f"http://127.0.0.1:{port}/readyz"):
                if proc.poll() is not None:
                    raise SystemExit(f"the service exited with {proc.returncode} before it was ready")
                if time.perf_counter() - started > READY_TIMEOUT_S:
                    raise SystemExit("the service was not ready in time")
                time.sleep(0.05)
            return time.perf_counter() - started
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def time_to_import() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import app.main"], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    calibration = calibration_seconds()
    imports = [time_to_import() for _ in range(args.runs)]
    default = default_workers()
    single = [time_to_ready(1) for _ in range(args.runs)]
    several = [time_to_ready(default) for _ in range(args.runs)] if default > 1 else []
    lines = [
        f"# Service start-up ({datetime.now(UTC).isoformat(timespec='seconds')})",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}; calibration loop {calibration:.3f} s (bench.triage_bench's yardstick); "
        f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())} at the end.",
        "",
        "| measure | runs | median s | min s | max s |",
        "|---|--:|--:|--:|--:|",
    ]
    rows = [
        ("`import app.main` in a fresh interpreter", imports),
        ("`triage serve` (one process) to `/readyz` 200", single),
        (f"`triage serve` (the default: a master and {default} workers) to `/readyz` 200", several),
    ]
    for name, values in [(name, values) for name, values in rows if values]:
        lines.append(
            f"| {name} | {len(values)} | {statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f} |"
        )
    page = "\n".join(lines) + "\n"
    print(page)
    args.output.write_text(page, encoding="utf-8")


if __name__ == "__main__":
    main()
