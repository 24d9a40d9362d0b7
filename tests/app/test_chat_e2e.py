"""The whole path over a real socket: browser protocol -> graph -> redaction -> engine -> audit."""

from __future__ import annotations

import json

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
from tests.support.openai_peer import RecordingPeer
from tests.support.servers import openai_engine_env, running_app, serving

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def local_app(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("local")) as app:
        yield app


async def test_frames_arrive_in_protocol_order_with_one_audit_record_each(local_app):
    before = len(audit_turns(local_app.data_dir))
    conn, session_id = await open_chat(local_app.ws)
    async with conn:
        frames = await ask(conn, "I have had a runny nose and a mild sore throat since yesterday", client_msg_id="c-1")
        second = await ask(conn, "Also a bit of a cough now, no fever")
    for turn in (frames, second):
        kinds = [f["type"] for f in turn]
        assert kinds[0] == "triage"
        assert kinds[-1] == "done"
        assert kinds.count("token") > 1, "the answer must stream in several tokens"
        assert set(kinds[1:-1]) == {"token"}
        ids = {f["message_id"] for f in turn}
        assert len(ids) == 1
        assert turn[0]["level"] in {"self_care", "consultation", "consultation_24", "emergency", "emergency_ambulance"}
        assert turn[0]["urgency"] in {"em", "ne", "sc"}
        assert isinstance(turn[0]["red_flags"], list)
        assert turn[-1]["engine"] == "local"
        assert turn[-1]["audit_id"]
    records = audit_turns(local_app.data_dir)[before:]
    assert len(records) == 2
    assert [r["audit_id"] for r in records] == [frames[-1]["audit_id"], second[-1]["audit_id"]]
    assert all(r["session_id"] == session_id and r["status"] == "complete" for r in records)
    assert records[0]["client_msg_id"] == "c-1"
    assert records[0]["output_redacted"] == answer_text(frames)
    assert records[0]["level"] == frames[0]["level"]
    assert set(records[0]["node_ms"]) >= {"redact", "assess", "route", "generate", "reply"}


async def test_emergency_gets_the_fixed_script_without_a_model(model_app, peer):
    calls = len(peer.requests)
    conn, _ = await open_chat(model_app.ws)
    async with conn:
        frames = await ask(conn, "My father has crushing chest pain spreading to his left arm and he is sweating")
    assert frames[0]["urgency"] == "em"
    assert frames[0]["red_flags"]
    assert frames[-1]["engine"] == "emergency_script"
    assert "emergency" in answer_text(frames).lower()
    assert len(peer.requests) == calls, "no model may be asked about an emergency"


async def test_phi_never_reaches_the_engine_or_the_stored_data(model_app, peer):
    calls = len(peer.requests)
    conn, _ = await open_chat(model_app.ws)
    async with conn:
        frames = await ask(conn, PHI_MESSAGE)
    assert frames[-1]["type"] == "done" and frames[-1]["engine"] == "openai"
    assert len(peer.requests) == calls + 1
    sent = json.dumps(peer.requests[-1])
    stored = stored_bytes(model_app.data_dir)
    for value in PHI_VALUES:
        assert value not in sent, f"{value!r} reached the engine"
        assert value.encode() not in stored, f"{value!r} was stored"
    assert "<PERSON_1>" in sent
    assert "sore throat" in sent and "3 days" in sent, "clinical content must survive redaction"
    record = next(r for r in audit_turns(model_app.data_dir) if r["audit_id"] == frames[-1]["audit_id"])
    assert record["redaction_counts"].get("PERSON", 0) >= 1
    assert record["engine"] == "openai" and record["model"] == "peer"


async def test_second_message_is_answered_with_the_first_in_context(model_app, peer):
    conn, _ = await open_chat(model_app.ws)
    async with conn:
        await ask(conn, "I have had a dry cough for four days")
        await ask(conn, "Now I also have a mild earache on the left")
    messages = peer.requests[-1]["messages"]
    contents = [m["content"] for m in messages if m["role"] == "user"]
    assert any("dry cough for four days" in c for c in contents[:-1])
    assert "earache" in contents[-1]
    assert any(m["role"] == "assistant" for m in messages), "the previous answer is part of the context"


@pytest.mark.parametrize(
    "raw, code",
    [
        ("this is not json", "invalid_json"),
        ('{"type": "shout", "text": "hi"}', "unknown_type"),
        ('{"type": "message"}', "invalid_frame"),
        ('{"type": "message", "text": "   "}', "empty_text"),
        ('{"type": "message", "text": 42}', "invalid_frame"),
        ('{"type": "message", "text": "hi", "client_msg_id": "Jo Smith 415-555-0192"}', "invalid_frame"),
        (json.dumps({"type": "message", "text": "hi", "client_msg_id": "x" * 129}), "invalid_frame"),
        (json.dumps({"type": "message", "text": "a" * 4001}), "text_too_long"),
        ("[1, 2, 3]", "invalid_frame"),
        (b"\x00\x01binary", "binary_frame"),
    ],
)
async def test_bad_frames_get_an_error_and_the_connection_keeps_working(local_app, raw, code):
    conn, _ = await open_chat(local_app.ws)
    async with conn:
        await conn.send(raw)
        error = await next_frame(conn)
        assert error["type"] == "error" and error["code"] == code and error["detail"]
        frames = await ask(conn, "I have a mild headache after a long day at work")
        assert frames[0]["type"] == "triage" and frames[-1]["type"] == "done"


async def test_client_that_leaves_mid_answer_leaves_one_interrupted_record(tmp_path):
    with (
        serving(RecordingPeer(answer=" ".join(["word"] * 200), delay_s=0.05)) as slow,
        running_app(tmp_path / "data", openai_engine_env(slow.url, "default")) as app,
    ):
        conn, session_id = await open_chat(app.ws)
        await conn.send(json.dumps({"type": "message", "text": "I have a dry cough for a week"}))
        assert (await next_frame(conn))["type"] == "triage"
        assert (await next_frame(conn))["type"] == "token"
        await conn.close()
        records = await session_turns_settled(app.data_dir, session_id)
        assert len(records) == 1
        assert records[0]["status"] == "interrupted"
        assert records[0]["level"] and records[0]["engine"] == "openai"
        assert 0 < records[0]["token_count"] < 200
        assert slow.cancelled == 1, "the engine request is cancelled when the client leaves"


def test_health_and_readiness(local_app):
    import httpx

    assert httpx.get(local_app.http + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(local_app.http + "/readyz").json()
    assert ready["status"] == "ready" and all(ready["checks"].values())
    page = httpx.get(local_app.http + "/")
    assert page.status_code == 200 and "/ws/chat" not in page.text and "chat.js" in page.text


async def test_the_patient_gets_no_diagnosis_and_the_record_keeps_the_reasoning(local_app):
    conn, session_id = await open_chat(local_app.ws)
    async with conn:
        frames = await ask(
            conn, "I'm 30, 7 weeks pregnant, with lower abdominal pain and vaginal bleeding, and I feel faint"
        )
    triage = frames[0]
    assert triage["type"] == "triage" and triage["urgency"] == "em"
    assert "conditions" not in triage  # conditions are for clinicians and the audit record only
    records = await session_turns_settled(local_app.data_dir, session_id)
    assert len(records) == 1
    assert records[0]["engine_version"] and records[0]["knowledge_version"]
    assert records[0]["findings"] and any(c["id"] == "ectopic_pregnancy" for c in records[0]["conditions"])
