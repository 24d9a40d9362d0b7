"""Faults over the real app: the audit database goes away mid-conversation; the process is SIGKILLed mid-answer;
every model engine is down or talks nonsense."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import StreamingResponse
from starlette.routing import Route

from tests.reliability.tcp_proxy import CuttableProxy
from tests.support.chat_client import answer_text, ask, audit_turns, next_frame, open_chat
from tests.support.openai_peer import RecordingPeer
from tests.support.servers import REPO, AppProcess, free_port, openai_engine_env, running_app, serve_in_thread
from tests.support.services import PG_ADMIN_URL

pytestmark = pytest.mark.integration

EMERGENCY = "My husband Johnathan Whitaker has crushing chest pain spreading to his left arm and is sweating"
MILD = "I have had a runny nose and a mild sore throat since yesterday"


def verify(data_dir, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "audit", "verify"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "TRIAGE_DATA_DIR": str(data_dir), **(env or {})},
        timeout=120,
    )


def _pg_turns(schema: str) -> list[dict]:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, options=f"-csearch_path={schema}") as conn:
        rows = conn.execute("SELECT content FROM audit_entry WHERE kind = 'turn' ORDER BY seq").fetchall()
    return [json.loads(row[0]) for row in rows]


@pytest.mark.postgres
async def test_database_outage_answers_every_message_and_loses_no_record(tmp_path, postgres_schema):
    proxy = CuttableProxy(("127.0.0.1", 5432)).start()
    url = f"postgresql://postgres@127.0.0.1:{proxy.port}/test?options=-csearch_path%3D{postgres_schema}"
    with running_app(tmp_path, {"TRIAGE_DATABASE_URL": url}) as app:
        conn, _ = await open_chat(app.ws)
        async with conn:
            before = await ask(conn, MILD)
            proxy.cut()
            started = time.monotonic()
            emergency = await asyncio.wait_for(ask(conn, EMERGENCY), 60)
            mild = await asyncio.wait_for(ask(conn, MILD + ", and a cough"), 60)
            answered_in = time.monotonic() - started
            assert httpx.get(app.http + "/readyz").status_code == 503
            spool = (tmp_path / "audit-spool" / "spool.jsonl").read_text()
            proxy.restore()
            deadline = time.monotonic() + 30
            while (tmp_path / "audit-spool" / "spool.jsonl").read_text() and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
            after = await ask(conn, "Thank you")
    proxy.cut()
    assert emergency[0].get("urgency") == "em" and emergency[-1]["type"] == "done", emergency
    assert mild[-1]["type"] == "done" and answered_in < 30
    assert len(spool.splitlines()) == 2 and "Whitaker" not in spool and "<PERSON_" in spool
    turns = _pg_turns(postgres_schema)
    done = [turn[-1]["audit_id"] for turn in (before, emergency, mild, after)]
    assert [t["audit_id"] for t in turns] == done  # every record, once, in the order the messages came
    assert [t["assessment"]["urgency"] for t in turns][1] == "em"
    assert all("Whitaker" not in json.dumps(t) for t in turns)
    direct = f"postgresql://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{postgres_schema}"
    result = verify(tmp_path, {"TRIAGE_DATABASE_URL": direct})
    assert result.returncode == 0, result.stdout + result.stderr


async def test_sigkill_mid_answer_leaves_the_message_recorded_as_interrupted(tmp_path):
    peer = RecordingPeer(answer=" ".join(["Rest and drink plenty of fluids."] * 30), delay_s=0.03)
    with serve_in_thread(peer.app) as peer_url:
        env = openai_engine_env(peer_url, "peer")
        app = AppProcess(tmp_path, env).start()
        try:
            conn, session_id = await open_chat(app.ws)
            first = await ask(conn, "I have a mild cough")
            await conn.send(json.dumps({"type": "message", "text": MILD, "client_msg_id": "killed"}))
            frames = [await next_frame(conn)]
            while sum(f["type"] == "token" for f in frames) < 3:
                frames.append(await asyncio.wait_for(next_frame(conn), 30))
            app.proc.send_signal(signal.SIGKILL)
            app.proc.wait(timeout=10)
        finally:
            app.stop()
        message_id = frames[0]["message_id"]
        assert [r["message_id"] for r in audit_turns(tmp_path)] == [first[-1]["message_id"]]
        restarted = AppProcess(tmp_path, env, port=app.port).start()
        restarted.stop()
    turns = audit_turns(tmp_path)
    assert [t["message_id"] for t in turns] == [first[-1]["message_id"], message_id]
    cut = turns[-1]
    assert cut["session_id"] == session_id and cut["client_msg_id"] == "killed"
    assert cut["status"] == "interrupted" and cut["error"] == "process_restarted"
    result = verify(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def _garbage_peer() -> Starlette:
    """An OpenAI-compatible peer that misbehaves: HTTP 200 with a stream that is not what it claims to be."""

    async def chat(_request):
        async def events():
            yield "data: {this is not json\n\n"
            yield "data: " + json.dumps({"choices": "nope"}) + "\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return Starlette(routes=[Route("/v1/chat/completions", chat, methods=["POST"])])


async def test_engines_down_or_misbehaving_every_message_is_still_answered_and_recorded(tmp_path):
    with serve_in_thread(_garbage_peer()) as garbage_url:
        env = {
            "TRIAGE_ENGINE": "openai,groq",
            "TRIAGE_OPENAI_BASE_URL": f"http://127.0.0.1:{free_port()}/v1",
            "TRIAGE_GROQ_BASE_URL": garbage_url + "/v1",
            "TRIAGE_GROQ_API_KEY": "test-key",
            "TRIAGE_FIRST_TOKEN_TIMEOUT_S": "1.0",
        }
        with running_app(tmp_path, env) as app:
            conn, _ = await open_chat(app.ws)
            async with conn:
                answers = [await asyncio.wait_for(ask(conn, text), 60) for text in (MILD, MILD + " again", EMERGENCY)]
    for frames in answers:
        assert frames[0]["type"] == "triage" and frames[-1]["type"] == "done"
        assert answer_text(frames).strip()
    assert answers[0][-1]["engine"] == "local" and answers[1][-1]["engine"] == "local"
    assert answers[2][-1]["engine"] == "emergency_script"
    turns = audit_turns(tmp_path)
    assert [t["audit_id"] for t in turns] == [a[-1]["audit_id"] for a in answers]
    tried = [a["engine"] for a in turns[0]["engines_tried"]]
    assert tried[:2] == ["openai", "groq"] and turns[0]["engine"] == "local"
    assert all(t["status"] == "complete" for t in turns)
