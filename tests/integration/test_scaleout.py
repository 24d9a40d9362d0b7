"""Two replicas sharing PostgreSQL and Redis (issue 10): any replica serves any session.

A patient chats on replica A and appears in the queue of a clinician on replica B, who takes over and
replies; the patient gets the reply on A. A is then killed; the patient resumes on B and the conversation
goes on where it was (the LangGraph checkpoint in PostgreSQL). The one audit chain verifies across both.
PostgreSQL and Redis: 127.0.0.1 (skip outside CI when unreachable, fail in CI); a fresh schema and Redis
prefix per run.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator

import httpx
import psycopg
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from app.checkpoint import open_checkpointer
from app.users import UserStore
from tests.security.helpers import PASSWORD, sign_in
from tests.support.chat_client import ask, next_frame
from tests.support.servers import REPO, AppProcess

pytestmark = [pytest.mark.scaleout, pytest.mark.integration, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def shared_env(postgres_schema_url: str, redis_server_url: str, redis_prefix: str) -> dict[str, str]:
    return {
        "TRIAGE_DATABASE_URL": postgres_schema_url,
        "TRIAGE_CHECKPOINT_URL": postgres_schema_url,
        "TRIAGE_REDIS_URL": redis_server_url,
        "TRIAGE_REDIS_PREFIX": redis_prefix,
        "TRIAGE_REQUIRE_KEYS": "true",
        "TRIAGE_AUDIT_HMAC_KEY": secrets.token_urlsafe(32),
        "TRIAGE_VAULT_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "TRIAGE_TOKEN_KEY": secrets.token_urlsafe(32),
    }


@pytest.fixture
def replicas(tmp_path, shared_env) -> Iterator[tuple[AppProcess, AppProcess]]:
    a = AppProcess(tmp_path / "a", shared_env)
    b = AppProcess(tmp_path / "b", shared_env)
    try:
        a.start()
        b.start()
        yield a, b
    finally:
        for replica in (a, b):
            replica.stop()


async def frame_of_type(conn, kind: str, timeout_s: float = 10.0) -> dict:
    async with asyncio.timeout(timeout_s):
        while (frame := await next_frame(conn))["type"] != kind:
            pass
    return frame


async def queued_on(client: httpx.AsyncClient, base: str, session_id: str, timeout_s: float = 10.0) -> dict:
    async with asyncio.timeout(timeout_s):
        while True:
            sessions = (await client.get(base + "/api/clinician/sessions")).raise_for_status().json()["sessions"]
            found = [s for s in sessions if s["session_id"] == session_id and s["urgency"]]
            if found:
                return found[0]
            await asyncio.sleep(0.1)


async def stored_user_turns(url: str, session_id: str) -> list[str]:
    async with open_checkpointer(url) as saver:
        saved = await saver.aget_tuple({"configurable": {"thread_id": session_id, "checkpoint_ns": ""}})
    turns = saved.checkpoint["channel_values"].get("conversation", []) if saved else []
    return [t["content"] for t in turns if t["role"] == "user"]


def audit_rows(url: str, session_id: str) -> list[tuple[str, str]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT kind, message_id FROM audit_entry WHERE session_id = %s ORDER BY seq", (session_id,)
        ).fetchall()


async def test_two_replicas_share_queue_takeover_conversation_and_audit_chain(replicas, shared_env) -> None:
    a, b = replicas
    accounts = UserStore(shared_env["TRIAGE_DATABASE_URL"])  # one account table for both replicas
    accounts.create_schema()
    accounts.create("dr.b", "clinician", PASSWORD)
    accounts.engine.dispose()
    clinician = sign_in(a.http, "dr.b")  # signed in on A, honoured on B
    headers = {"authorization": f"Bearer {clinician}"}

    # The patient on A.
    patient = await connect(a.ws + "/ws/chat")
    hello = json.loads(await patient.recv())
    session_id, resume = hello["session_id"], hello["token"]
    first = await ask(patient, "I have had a sore throat and a fever for two days")
    assert first[-1]["type"] == "done"

    async with httpx.AsyncClient(headers=headers, timeout=10) as staff:
        # ...is in the queue of the clinician on B, who takes over and replies.
        queued = await queued_on(staff, b.http, session_id)
        assert queued["connected"] is True and queued["urgency"] in ("em", "ne", "sc")
        (await staff.post(f"{b.http}/api/clinician/sessions/{session_id}/takeover")).raise_for_status()
        assert await frame_of_type(patient, "handoff") == {"type": "handoff", "to": "clinician"}
        reply = await staff.post(
            f"{b.http}/api/clinician/sessions/{session_id}/reply",
            json={"text": "I am a nurse; please tell me your temperature."},
        )
        assert reply.raise_for_status().json()["delivered"] is True
        clinician_frame = await frame_of_type(patient, "clinician")
        assert clinician_frame["text"] == "I am a nurse; please tell me your temperature."

        # A dies mid-session; the patient resumes on B with the same session.
        a.stop(signal.SIGKILL)
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(patient.recv(), 10)
        patient = await connect(f"{b.ws}/ws/chat?session_id={session_id}&resume={resume}")
        hello = json.loads(await patient.recv())
        assert hello["session_id"] == session_id and hello["resumed"] is True
        assert hello.get("clinician_in_charge") is True  # B knew of the takeover all along
        second = await ask(patient, "It is 39.5 degrees now and I feel worse")
        assert second[-1]["type"] == "done"
        # B's queue shows the session back, still in the clinician's hands.
        back = await queued_on(staff, b.http, session_id)
        assert back["clinician"] == "dr.b" and back["connected"] is True
        await patient.close()

        # The conversation went on where it was: both turns in one checkpointed thread.
        turns = await stored_user_turns(shared_env["TRIAGE_CHECKPOINT_URL"], session_id)
        assert len(turns) == 2 and "sore throat" in turns[0] and "39.5" in turns[1]

    # One audit chain, written by both replicas, verifies.
    turn_ids = [m for kind, m in audit_rows(shared_env["TRIAGE_DATABASE_URL"], session_id) if kind == "turn"]
    assert turn_ids == [first[-1]["message_id"], second[-1]["message_id"]]
    verify = subprocess.run(
        [sys.executable, "-m", "app.cli", "audit", "verify"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **shared_env, "TRIAGE_DATA_DIR": str(b.data_dir)},
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
