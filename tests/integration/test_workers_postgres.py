"""`triage serve --workers 2` on PostgreSQL (audit trail and checkpoints), with and without Redis for the hub.

With Redis each worker is a replica of the Redis hub (app/hub_redis.py); without it the workers share the
master's hub (app/hub_workers.py), which keeps the queue in PostgreSQL. Either way: a clinician's socket on one
worker follows a patient on the other, a conversation continues on whichever worker its reconnect lands, and the
one chain in PostgreSQL verifies. PostgreSQL and Redis at 127.0.0.1 (skip outside CI when unreachable).
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import subprocess
import sys

import psycopg
import pytest

from app.checkpoint import open_checkpointer
from app.users import UserStore
from tests.security.helpers import PASSWORD, sign_in
from tests.support.chat_client import ask, next_frame
from tests.support.servers import REPO
from tests.support.workers import connect_on, start_workers

pytestmark = [pytest.mark.scaleout, pytest.mark.integration, pytest.mark.postgres]

TEXTS = ["I have had a sore throat and a fever for two days", "it is 39 degrees now", "and my ears hurt too"]


@pytest.fixture(params=["postgres", pytest.param("postgres+redis", marks=pytest.mark.redis)])
def stores(request, postgres_schema_url: str) -> dict[str, str]:
    env = {
        "TRIAGE_DATABASE_URL": postgres_schema_url,
        "TRIAGE_CHECKPOINT_URL": postgres_schema_url,
        "TRIAGE_REQUIRE_KEYS": "true",
        "TRIAGE_AUDIT_HMAC_KEY": secrets.token_urlsafe(32),
        "TRIAGE_VAULT_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "TRIAGE_TOKEN_KEY": secrets.token_urlsafe(32),
    }
    if request.param == "postgres+redis":
        env["TRIAGE_REDIS_URL"] = request.getfixturevalue("redis_server_url")
        env["TRIAGE_REDIS_PREFIX"] = request.getfixturevalue("redis_prefix")
    return env


async def test_workers_on_postgres_share_the_queue_the_conversation_and_one_chain(tmp_path, stores):
    accounts = UserStore(stores["TRIAGE_DATABASE_URL"])
    accounts.create_schema()
    accounts.create("dr.pg", "clinician", PASSWORD)
    accounts.engine.dispose()
    app = start_workers(tmp_path, stores)
    try:
        token = await asyncio.to_thread(sign_in, app.http, "dr.pg")
        patient, hello, worker = await connect_on(app, "/ws/chat")
        session_id, resume = hello["session_id"], hello["token"]
        clinician, snapshot, _ = await connect_on(app, f"/ws/clinician?token={token}", away_from=worker)
        assert snapshot["type"] == "snapshot"
        answers = [await ask(patient, TEXTS[0])]
        async with asyncio.timeout(20):  # the other worker's clinician hears the patient's turn to its end
            while not ((e := await next_frame(clinician)).get("session_id") == session_id and e["type"] == "done"):
                pass
        await clinician.close()
        workers = [worker]
        for text in TEXTS[1:]:
            await patient.close()
            patient, hello, worker = await connect_on(
                app, f"/ws/chat?session_id={session_id}&resume={resume}", away_from=worker
            )
            assert hello["resumed"] is True
            workers.append(worker)
            answers.append(await ask(patient, text))
        await patient.close()
    finally:
        app.stop()
    assert len(set(workers)) == 2
    assert all(a[-1]["type"] == "done" for a in answers)
    async with open_checkpointer(stores["TRIAGE_CHECKPOINT_URL"]) as saver:
        saved = await saver.aget_tuple({"configurable": {"thread_id": session_id, "checkpoint_ns": ""}})
    assert [t["content"] for t in saved.checkpoint["channel_values"]["conversation"] if t["role"] == "user"] == TEXTS
    with psycopg.connect(stores["TRIAGE_DATABASE_URL"]) as conn:
        recorded = conn.execute(
            "SELECT message_id FROM audit_entry WHERE kind = 'turn' AND session_id = %s ORDER BY seq", (session_id,)
        ).fetchall()
    assert [row[0] for row in recorded] == [a[-1]["message_id"] for a in answers]
    verify = subprocess.run(
        [sys.executable, "-m", "app.cli", "audit", "verify"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **stores, "TRIAGE_DATA_DIR": str(tmp_path)},
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
