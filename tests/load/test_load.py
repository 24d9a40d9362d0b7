"""Load without loss: many concurrent chat sessions on loopback, some messages with PHI, some emergencies.

Every message gets exactly one `done` (after its `triage` frame), exactly one audit record exists for each,
no PHI appears in any log line or audit column, and the chain verifies. CI runs the short version
(100 sessions x 3 messages); `TRIAGE_LOAD_SESSIONS=500` (and `TRIAGE_LOAD_MESSAGES`) runs the full one.
Figures are printed, and written as JSON to `TRIAGE_LOAD_REPORT` when that is set.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter

import pytest
from websockets.asyncio.client import connect

from tests.support.servers import REPO, running_app

pytestmark = [pytest.mark.load, pytest.mark.integration]

SESSIONS = int(os.environ.get("TRIAGE_LOAD_SESSIONS", "100"))
MESSAGES = int(os.environ.get("TRIAGE_LOAD_MESSAGES", "3"))
UNLIMITED = {
    "TRIAGE_MAX_CONNECTIONS_PER_ADDR": "5000",
    "TRIAGE_MAX_CONNECTIONS": "5000",
    "TRIAGE_ADDR_MSGS_PER_S": "10000",
    "TRIAGE_ADDR_MSGS_BURST": "100000",
    # Every message of the burst must be answered: admission control (app/admission.py) would refuse most as busy.
    "TRIAGE_MAX_ACTIVE_TURNS": "100000",
    "TRIAGE_LOG_LEVEL": "info",
}
NAMES = ["Johnathan Whitaker", "Marisol Quintero", "Dmitri Volkonsky", "Priyanka Raghunathan", "Oluwaseun Adebayo"]


def _message(session: int, turn: int) -> tuple[str, list[str]]:
    """The text, and the PHI values in it that must never be stored or logged."""
    name = NAMES[session % len(NAMES)]
    phone = f"415-555-{session % 10000:04d}"
    kind = (session + turn) % 4
    if kind == 0:
        return f"My name is {name} and my number is {phone}. I have had a sore throat for two days.", [name, phone]
    if kind == 1:
        return "My father has crushing chest pain spreading to his left arm and he is sweating.", []
    if kind == 2:
        return f"This is {name} again, I also have a mild cough and a runny nose.", [name]
    return "I have a painful burning when I pee and need to go often since two days.", []


async def _session(ws: str, index: int, results: list[dict]) -> None:
    async with connect(ws + "/ws/chat", max_size=2**20, ping_interval=None, open_timeout=120) as conn:
        hello = json.loads(await conn.recv())
        for turn in range(MESSAGES):
            text, _ = _message(index, turn)
            sent = time.monotonic()
            await conn.send(json.dumps({"type": "message", "text": text, "client_msg_id": f"{index}-{turn}"}))
            frames, first_at = [], None
            while True:
                frame = json.loads(await asyncio.wait_for(conn.recv(), 300))
                first_at = first_at or time.monotonic()
                frames.append(frame)
                if frame["type"] in ("done", "error"):
                    break
            results.append(
                {
                    "session_id": hello["session_id"],
                    "client_msg_id": f"{index}-{turn}",
                    "frames": frames,
                    "first_ms": (first_at - sent) * 1000,
                    "total_ms": (time.monotonic() - sent) * 1000,
                }
            )


def _pct(values: list[float], q: float) -> float:
    return round(statistics.quantiles(values, n=100)[int(q) - 1], 1) if len(values) > 1 else round(values[0], 1)


async def test_concurrent_sessions_lose_nothing_and_leak_nothing(tmp_path):
    with running_app(tmp_path, UNLIMITED) as app:
        results: list[dict] = []
        started = time.monotonic()
        outcomes = await asyncio.gather(
            *(_session(app.ws, i, results) for i in range(SESSIONS)), return_exceptions=True
        )
        elapsed = time.monotonic() - started
        log_text = app.log_text()
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert len(results) == SESSIONS * MESSAGES

    # Every message: triage first, exactly one done, no error, one message id throughout.
    done_ids = []
    for result in results:
        kinds = Counter(f["type"] for f in result["frames"])
        assert result["frames"][0]["type"] == "triage" and kinds["done"] == 1 and kinds["error"] == 0, result
        assert len({f["message_id"] for f in result["frames"]}) == 1
        done_ids.append((result["frames"][-1]["message_id"], result["frames"][-1]["audit_id"]))
    emergencies = sum(r["frames"][0]["urgency"] == "em" for r in results)
    assert emergencies >= SESSIONS * MESSAGES // 5

    # Exactly one audit record per message, the one its `done` named.
    with sqlite3.connect(tmp_path / "triage.db") as db:
        turns = db.execute("SELECT message_id, audit_id FROM audit_entry WHERE kind = 'turn'").fetchall()
        everything = "\n".join(" ".join(str(c) for c in row) for row in db.execute("SELECT * FROM audit_entry"))
    assert Counter(m for m, _ in turns) == Counter(m for m, _ in done_ids)
    assert sorted(turns) == sorted(done_ids)

    # No PHI in any audit column or log line.
    phi = {value for i in range(SESSIONS) for t in range(MESSAGES) for value in _message(i, t)[1]}
    leaks = [v for v in phi if v in everything or v in log_text]
    assert leaks == []

    verify = subprocess.run(
        [sys.executable, "-m", "app.cli", "audit", "verify"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "TRIAGE_DATA_DIR": str(tmp_path)},
        timeout=300,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr

    first = [r["first_ms"] for r in results]
    total = [r["total_ms"] for r in results]
    figures = {
        "sessions": SESSIONS,
        "messages_per_session": MESSAGES,
        "messages": len(results),
        "emergencies": emergencies,
        "wall_s": round(elapsed, 1),
        "messages_per_s": round(len(results) / elapsed, 1),
        "triage_frame_ms": {"p50": _pct(first, 50), "p95": _pct(first, 95), "max": round(max(first), 1)},
        "done_ms": {"p50": _pct(total, 50), "p95": _pct(total, 95), "max": round(max(total), 1)},
        "cpus": os.cpu_count(),
    }
    print("load figures:", json.dumps(figures))
    if os.environ.get("TRIAGE_LOAD_REPORT"):
        with open(os.environ["TRIAGE_LOAD_REPORT"], "w") as fh:
            json.dump(figures, fh, indent=2)
