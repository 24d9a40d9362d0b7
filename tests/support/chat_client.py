"""A WebSocket chat client for tests, speaking the protocol in docs/contracts.md."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from compliance.audit import flat_turn

#: A message with a name, a phone number and a date of birth around clinical content that must survive.
PHI_MESSAGE = (
    "Hi, my name is Johnathan Whitaker, call me on 415-555-0192. My date of birth is 03/14/1962. "
    "I have had a sore throat and a runny nose for 3 days."
)
PHI_VALUES = ["Johnathan", "Whitaker", "415-555-0192", "03/14/1962"]


async def open_chat(ws_base: str) -> tuple[ClientConnection, str]:
    conn = await connect(ws_base + "/ws/chat", max_size=2**20)
    hello = json.loads(await conn.recv())
    assert hello["type"] == "session" and hello["session_id"]
    return conn, hello["session_id"]


async def next_frame(conn: ClientConnection) -> dict:
    return json.loads(await conn.recv())


async def ask(conn: ClientConnection, text: str, **extra) -> list[dict]:
    """Send one message; return every frame up to and including its `done` (or an `error`)."""
    await conn.send(json.dumps({"type": "message", "text": text, **extra}))
    frames = []
    while True:
        frame = await next_frame(conn)
        frames.append(frame)
        if frame["type"] in ("done", "error"):
            return frames


def answer_text(frames: list[dict]) -> str:
    return "".join(f["text"] for f in frames if f["type"] == "token")


def audit_turns(data_dir: Path) -> list[dict]:
    """Every per-message audit record, straight from the SQLite file, its sections flattened into one dict."""
    with sqlite3.connect(data_dir / "triage.db") as db:
        rows = db.execute("SELECT content FROM audit_entry WHERE kind = 'turn' ORDER BY seq").fetchall()
    return [flat_turn(json.loads(row[0])) for row in rows]


async def session_turns_settled(data_dir: Path, session_id: str, *, settle_s: float = 0.3) -> list[dict]:
    """A session's audit records once the first has appeared and a moment has passed for any (wrong) second one."""
    for _ in range(100):
        if any(r["session_id"] == session_id for r in audit_turns(data_dir)):
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(settle_s)
    return [r for r in audit_turns(data_dir) if r["session_id"] == session_id]


def stored_bytes(data_dir: Path) -> bytes:
    """Everything the service persisted (databases and their WAL files)."""
    return b"".join(p.read_bytes() for p in sorted(data_dir.glob("*.db*")))
