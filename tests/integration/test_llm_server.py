"""Against a real inference server: llama.cpp serving SmolLM2-135M-Instruct on loopback, through our WebSocket.

A recording proxy sits between the app and the server: it shows exactly what the engine received (redacted text
only) and notices when our side hangs up.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from tests.support.chat_client import (
    PHI_MESSAGE,
    PHI_VALUES,
    answer_text,
    ask,
    audit_turns,
    next_frame,
    open_chat,
    session_turns_settled,
    stored_bytes,
)
from tests.support.recording_proxy import RecordingProxy
from tests.support.servers import openai_engine_env, running_app, serving

pytestmark = [pytest.mark.integration, pytest.mark.llm_server]


@pytest.fixture(scope="module")
def proxy(llama_server):
    with serving(RecordingProxy(llama_server.url)) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def app(tmp_path_factory, proxy):
    # Generous budgets: on two shared CPU cores a loaded machine makes the model slow, not broken.
    env = openai_engine_env(
        proxy.url, "smollm2-135m-instruct", engine_max_tokens="64", first_token_timeout_s="90", total_timeout_s="200"
    )
    with running_app(tmp_path_factory.mktemp("llm"), env) as app:
        yield app


async def test_a_real_model_streams_through_the_socket_and_sees_only_redacted_text(app, proxy):
    calls = len(proxy.requests)
    conn, session_id = await open_chat(app.ws)
    async with conn:
        frames = await ask(conn, PHI_MESSAGE)
    kinds = [f["type"] for f in frames]
    assert kinds[0] == "triage" and kinds[-1] == "done" and set(kinds[1:-1]) == {"token"}
    # The guard releases the model's text a sentence at a time, after judging it: several frames, not one blob.
    assert kinds.count("token") >= 2, "the model's answer streams in several frames"
    (record,) = [r for r in audit_turns(app.data_dir) if r["session_id"] == session_id]
    first = record["engines_tried"][0]
    assert first["engine"] == "openai" and first["model"] == "smollm2-135m-instruct", record["engines_tried"]
    assert first["tokens"] > 3 and first["first_token_ms"] > 0
    assert first["outcome"] in ("used", "cut"), (
        first,
        record["node_ms"],
    )  # a small model may say something the guard withdraws
    if first["outcome"] == "used":
        assert frames[-1]["engine"] == "openai" and first["completed"]
    assert record["output_redacted"] == answer_text(frames)

    assert len(proxy.requests) == calls + 1
    sent = json.dumps(proxy.requests[-1])
    for value in PHI_VALUES:
        assert value not in sent, f"{value!r} reached the inference server"
        assert value not in answer_text(frames)
        assert value.encode() not in stored_bytes(app.data_dir)
    assert "<PERSON_1>" in sent and "sore throat" in sent


async def test_hanging_up_cancels_the_generation_and_leaves_one_interrupted_record(app, proxy):
    proxy.delay_s = 0.05  # keep the answer streaming long enough to hang up in the middle
    before = proxy.cancelled
    try:
        conn, session_id = await open_chat(app.ws)
        await conn.send(json.dumps({"type": "message", "text": "I have had a dry cough for a week"}))
        assert (await next_frame(conn))["type"] == "triage"
        assert (await asyncio.wait_for(next_frame(conn), 60))["type"] == "token"
        await conn.close()
        for _ in range(100):
            if proxy.cancelled > before:
                break
            await asyncio.sleep(0.05)
    finally:
        proxy.delay_s = 0.0
    assert proxy.cancelled == before + 1, "the engine request is closed when the client leaves"
    records = await session_turns_settled(app.data_dir, session_id)
    assert len(records) == 1 and records[0]["status"] == "interrupted"
    assert records[0]["engines_tried"][0]["engine"] == "openai"


def test_metrics_show_the_real_engine(app):
    text = httpx.get(app.http + "/metrics").text
    assert 'triage_engine_first_token_seconds_count{engine="openai"}' in text
