"""Profile the server's hot path under load: py-spy samples the app (GIL holders only, i.e. CPU) while the load
client saturates it, then the samples are folded into inclusive/self tables.

    python -m bench.profile                       # app, local engine, 50 sessions back to back for 20 s
    python -m bench.profile --engine zero --sessions 100 --seconds 30 --top 60
    python -m bench.profile --raw /tmp/prof.txt   # keep py-spy's collapsed stacks (flamegraph input)

py-spy (dev extra) attaches to the server process; it needs ptrace rights (root, or CAP_SYS_PTRACE).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench.load import run_client
from bench.servers import app_server


def fold(raw: Path) -> tuple[int, Counter[str], Counter[str]]:
    """Inclusive and self sample counts per frame, from py-spy's `raw` (collapsed stacks) output."""
    total, inclusive, own = 0, Counter(), Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        frames = stack.split(";")
        total += n
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    return total, inclusive, own


def table(total: int, counts: Counter[str], top: int, skip_above: float = 1.0) -> list[str]:
    rows = []
    for frame, n in counts.most_common():
        share = n / total if total else 0.0
        if share >= skip_above:
            continue  # the event loop's own frames: present in every sample
        rows.append(f"| {100 * share:5.1f}% | `{frame[:140]}` |")
        if len(rows) >= top:
            break
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", default="local")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rate", type=int, default=100, help="py-spy samples per second")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--raw", type=Path, default=None)
    args = parser.parse_args(argv)
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        raw = args.raw or Path(tmp) / "stacks.txt"
        with app_server(Path(tmp) / "app", engine=args.engine) as server:

            def load(mode: str, **spec: object) -> dict:
                body = {"url": server.ws, "server_pid": server.pid, "mode": mode, **spec}
                return run_client(body)

            load("serial", messages=10, warmup_messages=5)
            recorder = subprocess.Popen(
                [
                    spy,
                    "record",
                    "--gil",
                    "--nonblocking",
                    "-p",
                    str(server.pid),
                    "-r",
                    str(args.rate),
                    "-d",
                    str(int(args.seconds + 2)),
                    "-f",
                    "raw",
                    "-o",
                    str(raw),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            result = load("saturate", sessions=args.sessions, duration=args.seconds, warmup=1.0)
            recorder.wait()
        total, inclusive, own = fold(raw)
    done = result["completed"] or 1
    print(
        f"engine {args.engine}, {args.sessions} sessions back to back for {args.seconds:g} s: "
        f"{result['throughput_msg_s']} msg/s, server CPU {1000 * result['server_cpu_s'] / done:.2f} ms/msg, "
        f"{total} samples\n"
    )
    print("| inclusive | frame |\n|--:|---|")
    print("\n".join(table(total, inclusive, args.top, skip_above=0.5)))
    print("\n| self | frame |\n|--:|---|")
    print("\n".join(table(total, own, min(args.top, 25))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
