"""Graceful overload over the real service (issue 20): a process allowed one turn at a time, whose one turn is held
by a model peer that has not answered yet (FaultPeer's `slow_first`), so saturation is a fact, not a race.

While saturated: a message gets `busy` at once with `retry_after_s` and exactly one audit record saying so (its
text redacted), an emergency still gets the fixed emergency script, `/readyz` says `saturated` with the numbers,
`/healthz` stays ok and `/metrics` counts the refusal. When the held turn ends, `/readyz` recovers and messages
are answered again.
"""

from __future__ import annotations

import asyncio
import json
import re

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
)
from tests.support.fault_peer import FaultPeer

pytestmark = pytest.mark.integration

QUESTION = "I have had a dry cough for a week"
EMERGENCY = "My father has crushing chest pain spreading to his left arm and he is sweating"
FOLLOW_UP = "What should I do while we wait?"


@pytest.fixture(scope="module")
def make_peer():
    """The peer and `model_app`: tests/support/model_peer.py. `slow_first` holds a turn until its socket closes."""
    return lambda: FaultPeer(slow_s=600.0)


@pytest.fixture(scope="module")
def model_settings():
    return {
        "workers": "1",  # admission is per process: the held slot and the refused message must meet in one
        "max_active_turns": "1",
        "admit_wait_ms": "50",
        "busy_retry_after_s": "0.5",
        "first_token_timeout_s": "600",
        "total_timeout_s": "900",
    }


def session_records(app, session_id: str) -> list[dict]:
    return [r for r in audit_turns(app.data_dir) if r["session_id"] == session_id]


def readiness(app) -> httpx.Response:
    return httpx.get(app.http + "/readyz", timeout=10)


def metric(app, name: str) -> float:
    text = httpx.get(app.http + "/metrics", timeout=10).text
    found = re.search(rf"^{name} ([0-9.e+-]+)$", text, re.MULTILINE)
    assert found, f"{name} not in /metrics"
    return float(found.group(1))


async def wait_for(condition, what: str, timeout_s: float = 30.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():
            await asyncio.sleep(0.1)


async def test_saturated_service_refuses_with_busy_answers_emergencies_and_recovers(model_app, peer):
    refusals_before = metric(model_app, "triage_busy_refusals_total")
    peer.script("slow_first")
    holder, _ = await open_chat(model_app.ws)
    try:
        await holder.send(json.dumps({"type": "message", "text": QUESTION, "client_msg_id": "held"}))
        triage = await next_frame(holder)
        assert triage["type"] == "triage" and triage["urgency"] != "em"
        await wait_for(lambda: len(peer.requests) >= 1 and peer.served[-1] == "slow_first", "the model is asked")

        ready = readiness(model_app)
        assert ready.status_code == 503
        body = ready.json()
        assert body["reason"] == "saturated" and body["checks"]["capacity"] is False
        assert body["admission"]["active_turns"] == 1 and body["admission"]["max_active_turns"] == 1
        assert httpx.get(model_app.http + "/healthz").json() == {"status": "ok"}
        assert metric(model_app, "triage_active_turns") == 1

        refused_conn, refused_session = await open_chat(model_app.ws)
        async with refused_conn:
            frames = await ask(refused_conn, PHI_MESSAGE, client_msg_id="refused-1")
        assert len(frames) == 1, f"a refused message gets one frame and nothing else: {frames}"
        busy = frames[0]
        assert busy["type"] == "error" and busy["code"] == "busy" and busy["detail"]
        assert busy["retry_after_s"] > 0 and busy["client_msg_id"] == "refused-1"
        assert busy["message_id"]
        await wait_for(lambda: session_records(model_app, refused_session), "the refusal's record")
        records = await session_turns_settled(model_app.data_dir, refused_session)
        assert len(records) == 1, "exactly one audit record for a refused message"
        record = records[0]
        assert record["message_id"] == busy["message_id"]
        assert record["client_msg_id"] == "refused-1"
        assert (record["status"], record["error"], record["route"]) == ("error", "busy", "busy")
        assert record["urgency"] != "em", "the screen's assessment says why it was safe to refuse"
        assert record["output_redacted"] == "" and record["redacted_text"]
        assert not any(value in str(record) for value in PHI_VALUES)
        assert metric(model_app, "triage_busy_refusals_total") == refusals_before + 1

        requests_before = len(peer.requests)
        emergency_conn, emergency_session = await open_chat(model_app.ws)
        repeats_before = metric(model_app, "triage_emergency_repeats_total")
        async with emergency_conn:
            answer = await ask(emergency_conn, EMERGENCY, client_msg_id="em-1")
            follow_up = await ask(emergency_conn, FOLLOW_UP, client_msg_id="em-2")
        assert answer[0]["type"] == "triage" and answer[0]["urgency"] == "em" and answer[0]["red_flags"]
        assert answer[-1]["type"] == "done" and answer[-1]["engine"] == "emergency_script"
        assert "emergency" in answer_text(answer).lower()
        # The follow-up to an emergency already told is answered from the screen, with the script again: no turn
        # slot, no model, one record saying why.
        assert follow_up[0]["type"] == "triage" and follow_up[0]["urgency"] == "em"
        assert follow_up[-1]["type"] == "done" and follow_up[-1]["engine"] == "emergency_script"
        assert answer_text(follow_up) == answer_text(answer)
        assert len(peer.requests) == requests_before, "an emergency, or its follow-up, never waits for a model"
        await wait_for(lambda: len(session_records(model_app, emergency_session)) == 2, "both records")
        first, repeat = await session_turns_settled(model_app.data_dir, emergency_session)
        assert first["status"] == "complete" and first["route"] == "emergency_script"
        assert (repeat["status"], repeat["route"], repeat["client_msg_id"]) == ("complete", "emergency_script", "em-2")
        assert "already told" in repeat["route_reason"] and repeat["output_redacted"] == answer_text(follow_up)
        assert repeat["audit_id"] == follow_up[-1]["audit_id"]
        assert metric(model_app, "triage_admitted_over_bound_total") >= 1
        assert metric(model_app, "triage_emergency_repeats_total") == repeats_before + 1
        assert readiness(model_app).json()["admission"]["emergencies_repeated"] >= 1
    finally:
        await holder.close()  # the held turn ends (interrupted) and gives its slot back

    await wait_for(lambda: readiness(model_app).status_code == 200, "readiness recovers")
    recovered = readiness(model_app).json()
    assert recovered["status"] == "ready" and "reason" not in recovered
    assert recovered["admission"]["active_turns"] == 0 and recovered["admission"]["saturated"] is False
    assert recovered["admission"]["awaiting_triage"] == 0, "no turn or screen left counted as pending"
    conn, _ = await open_chat(model_app.ws)
    async with conn:
        frames = await ask(conn, QUESTION)
    assert frames[0]["type"] == "triage" and frames[-1]["type"] == "done" and frames[-1]["engine"] == "openai"
