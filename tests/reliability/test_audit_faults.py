"""Issue 16 over the real service: the audit database locked by another process, its file moved away and put
back, a SIGKILL with messages in flight, a truncated tail, and key rotation.

Each test runs `triage serve` as a child process on its own data directory and talks to it over its socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from compliance.audit import AuditTrail
from tests.support.chat_client import audit_turns, open_chat
from tests.support.openai_peer import RecordingPeer
from tests.support.servers import REPO, AppProcess, openai_engine_env, running_app, serve_in_thread

pytestmark = pytest.mark.integration

COUGH = "I have had a cough for a week"
CHEST = "now I have crushing chest pain and I am sweating"
MILD = "I have had a runny nose and a mild sore throat since yesterday"

#: Another process holding an exclusive transaction on the audit database (in WAL mode: the write lock; every
#: writer waits, readers go on).
LOCKER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
db.execute("ROLLBACK")
"""


def cli(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "TRIAGE_DATA_DIR": str(data_dir), **(env or {})},
        timeout=120,
    )


class Chat:
    """One socket; every frame kept with the time it arrived, so pipelined messages can be timed."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.frames: list[tuple[float, dict]] = []
        self.sent: list[float] = []
        self._arrived = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, ws: str) -> Chat:
        conn, _ = await open_chat(ws)
        return cls(conn)

    async def _read(self) -> None:
        try:
            async for raw in self.conn:
                self.frames.append((time.monotonic(), json.loads(raw)))
                self._arrived.set()
        except Exception:  # noqa: BLE001 - the connection went away (a killed server)
            pass
        finally:
            self._arrived.set()

    async def send(self, text: str, **extra) -> None:
        self.sent.append(time.monotonic())
        await self.conn.send(json.dumps({"type": "message", "text": text, **extra}))

    def of_type(self, kind: str) -> list[tuple[float, dict]]:
        return [(at, f) for at, f in self.frames if f["type"] == kind]

    async def wait_for(self, kind: str, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while len(self.of_type(kind)) < count:
            if time.monotonic() > deadline or self._reader.done():
                raise TimeoutError(f"{len(self.of_type(kind))} of {count} {kind} frames after {timeout}s")
            self._arrived.clear()
            with_timeout = max(deadline - time.monotonic(), 0.01)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), with_timeout)

    def triage_latencies(self) -> list[float]:
        """Seconds from each message sent to its `triage` frame (they come in the order the messages went)."""
        return [at - sent for (at, _), sent in zip(self.of_type("triage"), self.sent, strict=False)]

    async def close(self) -> None:
        await self.conn.close()
        self._reader.cancel()


async def conversation_rounds(app: AppProcess, rounds: int) -> tuple[list[float], list[str]]:
    """The issue's scenario, `rounds` times: a cough, then half a second later an emergency, on one socket.
    Returns every message's time to its `triage` frame and every `done` frame's audit id."""
    latencies, audit_ids = [], []
    for _ in range(rounds):
        chat = await Chat.open(app.ws)
        await chat.send(COUGH)
        await asyncio.sleep(0.5)
        await chat.send(CHEST)
        await chat.wait_for("triage", 2, timeout=10)
        await chat.wait_for("done", 2, timeout=10)
        triage = [f for _, f in chat.of_type("triage")]
        assert [t["urgency"] for t in triage][1] == "em", triage
        latencies += chat.triage_latencies()
        audit_ids += [f["audit_id"] for _, f in chat.of_type("done")]
        assert not chat.of_type("error"), chat.frames
        await chat.close()
    return latencies, audit_ids


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98] if len(values) > 1 else values[0]


def ready(app: AppProcess) -> httpx.Response:
    return httpx.get(app.http + "/readyz", timeout=5)


def wait_until_ready(app: AppProcess, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while ready(app).status_code != 200:
        assert time.monotonic() < deadline, ready(app).json()
        time.sleep(0.2)


async def test_a_locked_audit_database_does_not_delay_triage_and_loses_no_record(tmp_path):
    """Another process holds an exclusive transaction on the database: `triage` frames (the emergency's included) come as fast as
    with a free database, `/readyz` says why it is not ready, and every record reaches the chain afterwards."""
    with running_app(tmp_path) as app:
        await conversation_rounds(app, 1)  # warm-up: models loaded, caches filled
        normal, normal_ids = await conversation_rounds(app, 8)
        locker = subprocess.Popen(
            [sys.executable, "-c", LOCKER, str(tmp_path / "triage.db")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert locker.stdout.readline().strip() == "locked"
            started = time.monotonic()
            locked, locked_ids = await conversation_rounds(app, 8)
            locked_for = time.monotonic() - started
            during = ready(app)
            spooled = (tmp_path / "audit-spool" / "spool.jsonl").read_text().splitlines()
        finally:
            locker.stdin.close()
            locker.wait(timeout=10)
        wait_until_ready(app)  # the background replay empties the spool within a few seconds
        _after, after_ids = await conversation_rounds(app, 1)
    print(
        f"\ntriage p50/p99 normal {statistics.median(normal) * 1000:.1f}/{p99(normal) * 1000:.1f} ms, "
        f"database locked {statistics.median(locked) * 1000:.1f}/{p99(locked) * 1000:.1f} ms "
        f"({len(locked)} messages in {locked_for:.1f}s; {len(spooled)} entries spooled)"
    )
    assert p99(locked) <= p99(normal) + 0.050, (normal, locked)
    assert during.status_code == 503 and during.json()["audit"]["spool_pending"] > 0
    assert not during.json()["checks"]["audit_writes"] or not during.json()["checks"]["audit_spool_empty"]
    assert len(spooled) == len(locked_ids)  # every record made while locked went to the spool...
    turns = audit_turns(tmp_path)
    assert [t["audit_id"] for t in turns][
        -len(normal_ids + locked_ids + after_ids) :
    ] == normal_ids + locked_ids + after_ids
    assert len({t["audit_id"] for t in turns}) == len(turns)  # ...and from there to the chain, once each, in order
    result = cli(tmp_path, "audit", "verify")
    assert result.returncode == 0, result.stdout + result.stderr


async def test_a_database_file_moved_away_and_back_loses_no_record_and_starts_no_second_chain(tmp_path):
    """The issue's file-replacement scenario: the database moved away; `verify` refuses (and creates nothing);
    an empty chain appears at the path; 10 messages; the files put back; 3 more. No record goes to the stranger,
    none is lost, no restart is needed, and the one chain verifies."""
    aside = tmp_path / "aside"
    aside.mkdir()
    data = tmp_path / "data"
    with running_app(data, {"TRIAGE_CONN_MSGS_BURST": "100"}) as app:
        chat = await Chat.open(app.ws)
        for n in range(3):
            await chat.send(f"{MILD} ({n})")
            await chat.wait_for("done", n + 1, timeout=20)
        files = sorted(data.glob("triage.db*"))
        for path in files:
            path.rename(aside / path.name)
        refused = cli(data, "audit", "verify")
        assert refused.returncode == 2 and "no audit database" in refused.stderr
        assert not (data / "triage.db").exists()  # verify created nothing
        export = cli(data, "audit", "export", "--format", "jsonl")
        assert export.returncode == 2 and not (data / "triage.db").exists()
        stranger = AuditTrail(f"sqlite:///{data / 'triage.db'}", b"whoever made this")  # what verify used to do
        stranger.create_schema()
        stranger.dispose()
        for n in range(3, 13):
            await chat.send(f"{MILD} ({n})")
            await chat.wait_for("done", n + 1, timeout=20)
        diverged = ready(app)
        stranger_turns = audit_turns(data)
        for path in sorted(data.glob("triage.db*")):
            path.unlink()
        for path in files:
            (aside / path.name).rename(path)
        for n in range(13, 16):
            await chat.send(f"{MILD} ({n})")
            await chat.wait_for("done", n + 1, timeout=20)
        wait_until_ready(app)  # the same process, no restart: stale connections were recycled
        done_ids = [f["audit_id"] for _, f in chat.of_type("done")]
        await chat.close()
    assert stranger_turns == []  # not one record went into the database that replaced ours
    assert diverged.status_code == 503 and diverged.json()["audit"]["spool_pending"] >= 10, diverged.json()
    turns = audit_turns(data)
    assert [t["audit_id"] for t in turns] == done_ids  # all 16, once each, in order, complete
    assert all(t["status"] == "complete" and t["redacted_text"] for t in turns)
    result = cli(data, "audit", "verify")
    assert result.returncode == 0, result.stdout + result.stderr


async def test_every_acknowledged_message_has_a_record_after_a_sigkill(tmp_path):
    """The README's line: a message whose `triage` frame was sent has exactly one record, whatever happens
    next; one cut short by a SIGKILL is recorded as interrupted with the disposition and the redacted text the
    patient was shown."""
    peer = RecordingPeer(answer=" ".join(["Rest and drink plenty of fluids."] * 40), delay_s=0.02)
    with serve_in_thread(peer.app) as peer_url:
        env = openai_engine_env(peer_url, "peer")
        app = AppProcess(tmp_path, env).start()
        chats: list[Chat] = []
        try:
            for c in range(4):
                chat = await Chat.open(app.ws)
                chats.append(chat)
                for n in range(3):
                    await chat.send(f"My name is Johnathan Whitaker. {MILD} ({c}.{n})", client_msg_id=f"c{c}-{n}")
            await chats[0].wait_for("token", 5, timeout=30)
            app.proc.send_signal(signal.SIGKILL)
            app.proc.wait(timeout=10)
        finally:
            app.stop()
        for chat in chats:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(chat.close(), 2)
        AppProcess(tmp_path, env, port=app.port).start().stop()  # the restart records what was cut short
    told = {f["message_id"]: f for chat in chats for _, f in chat.frames if f["type"] == "triage"}
    done = {f["message_id"]: f for chat in chats for _, f in chat.frames if f["type"] == "done"}
    assert told and len(done) < len(told)  # some answers were cut short
    turns = audit_turns(tmp_path)
    by_message = {}
    for turn in turns:
        assert turn["message_id"] not in by_message, "two records for one message"
        by_message[turn["message_id"]] = turn
    for message_id, triage in told.items():
        record = by_message[message_id]  # acknowledged: recorded
        if message_id in done:
            assert record["status"] == "complete" and record["audit_id"] == done[message_id]["audit_id"]
        else:
            assert (record["status"], record["error"]) == ("interrupted", "process_restarted")
            assert (record["level"], record["urgency"]) == (triage["level"], triage["urgency"])
            assert "<PERSON_" in record["redacted_text"] and "Whitaker" not in record["redacted_text"]
    result = cli(tmp_path, "audit", "verify")
    assert result.returncode == 0, result.stdout + result.stderr


async def test_deleting_the_newest_entries_and_rolling_the_head_back_is_caught(tmp_path):
    with running_app(tmp_path) as app:
        chat = await Chat.open(app.ws)
        for n in range(5):
            await chat.send(f"{MILD} ({n})")
            await chat.wait_for("done", n + 1, timeout=20)
        await chat.close()
    assert cli(tmp_path, "audit", "verify").returncode == 0
    with sqlite3.connect(tmp_path / "triage.db") as db:  # someone with write access to the database
        seq, mac = db.execute("SELECT seq, prev_mac FROM audit_entry ORDER BY seq DESC LIMIT 1 OFFSET 1").fetchone()
        db.execute("DELETE FROM audit_entry WHERE seq >= ?", (seq,))
        db.execute("UPDATE audit_head SET last_seq = ?, last_mac = ?", (seq - 1, mac))
    result = cli(tmp_path, "audit", "verify")
    assert result.returncode == 1, result.stdout
    report = json.loads(result.stdout)
    assert report["problem"]["kind"] == "tail_missing" and "journal" in report["problem"]["detail"]
    assert report["journal_checked"] > 0


async def test_rotated_keys_sign_new_records_and_older_ones_still_verify(tmp_path):
    """`triage keys rotate`: new records carry the new audit key's id, older ones keep verifying with the retired
    key; a conversation from before the rotation resumes (its patient token and its vault were made with the
    retired token and vault keys) and keeps its placeholders."""
    with running_app(tmp_path) as app:
        conn = await connect(app.ws + "/ws/chat")
        hello = json.loads(await conn.recv())
        chat = Chat(conn)
        await chat.send(f"My name is Johnathan Whitaker. {MILD}")
        await chat.wait_for("done", 1, timeout=20)
        await chat.close()
    first = chat.of_type("done")[0][1]
    before = json.loads(cli(tmp_path, "keys", "list").stdout)
    rotated = cli(tmp_path, "keys", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    after = json.loads(cli(tmp_path, "keys", "list").stdout)
    for name in ("audit", "vault", "token"):
        assert after[name]["current"] != before[name]["current"]
        assert after[name]["retired"] == [before[name]["current"]]
    with running_app(tmp_path) as app:
        conn = await connect(f"{app.ws}/ws/chat?session_id={hello['session_id']}&resume={hello['token']}")
        again = json.loads(await conn.recv())
        chat = Chat(conn)
        await chat.send(f"It is Johnathan Whitaker again. {MILD}")
        await chat.wait_for("done", 1, timeout=20)
        await chat.close()
    assert again["session_id"] == hello["session_id"] and again["resumed"] is True
    assert not chat.of_type("error"), chat.frames
    second = chat.of_type("done")[0][1]
    with sqlite3.connect(tmp_path / "triage.db") as db:
        key_ids = dict(db.execute("SELECT audit_id, key_id FROM audit_entry WHERE kind = 'turn'").fetchall())
    assert key_ids[first["audit_id"]] == before["audit"]["current"]
    assert key_ids[second["audit_id"]] == after["audit"]["current"]
    texts = {t["audit_id"]: t["redacted_text"] for t in audit_turns(tmp_path)}
    assert "<PERSON_1>" in texts[first["audit_id"]] and "<PERSON_1>" in texts[second["audit_id"]]  # one vault
    result = cli(tmp_path, "audit", "verify")
    assert result.returncode == 0, result.stdout + result.stderr
    secrets = json.loads((tmp_path / "secrets.json").read_text())
    secrets.pop("audit_hmac_key_retired")  # without the retired key the older records cannot be checked
    (tmp_path / "secrets.json").write_text(json.dumps(secrets))
    result = cli(tmp_path, "audit", "verify")
    assert result.returncode == 1 and "seq 1" in result.stderr
