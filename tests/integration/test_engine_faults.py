"""Fault injection over the real app: a misbehaving OpenAI-compatible peer on loopback.

Each fault: the user still gets a complete answer, the failover or guard intervention is in the turn's audit
record, and there is exactly one audit record for the message.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from agents.engines.local import advice
from agents.engines.router import FAILOVER_SEAM, GUARD_SEAM
from tests.support.chat_client import answer_text, ask, audit_turns, open_chat
from tests.support.fault_peer import GOOD_ANSWER, FaultPeer

pytestmark = pytest.mark.integration

QUESTION = "I have had a dry cough for a week"
NEEDS_A_DOCTOR = (
    "I have had heartburn most days for three weeks"  # consultation: "no need to see a doctor" contradicts it
)
LOCAL_ENDING = "call emergency services (911)."
LEAD = advice("consultation").disposition + " "  # both questions are routine appointments: our sentence comes first


@pytest.fixture(scope="module")
def make_peer():
    """The peer and `model_app`: tests/support/model_peer.py."""
    return lambda: FaultPeer(slow_s=4.0, retry_after=1)


@pytest.fixture(scope="module")
def model_settings():
    # These tests fail the peer on purpose, one after another: keep the breaker out of the way.
    return {"first_token_timeout_s": "1.5", "breaker_failure_threshold": "50"}


async def one_turn(app, text: str = QUESTION) -> tuple[list[dict], dict]:
    """Ask once on a fresh session; return the frames and the session's one audit record."""
    conn, session_id = await open_chat(app.ws)
    async with conn:
        frames = await ask(conn, text)
    assert next(f["type"] for f in frames) == "triage" and frames[-1]["type"] == "done", frames[-3:]
    assert frames[0]["urgency"] != "em", "the fault tests need a message that goes to the engine chain"
    records = [r for r in audit_turns(app.data_dir) if r["session_id"] == session_id]
    assert len(records) == 1, f"exactly one audit record per message, got {len(records)}"
    record = records[0]
    assert record["status"] == "complete" and record["audit_id"] == frames[-1]["audit_id"]
    assert record["output_redacted"] == answer_text(frames)
    return frames, record


def tried(record: dict) -> list[tuple[str, str, str | None]]:
    return [(a["engine"], a["outcome"], a.get("error_kind")) for a in record["engines_tried"]]


async def test_a_healthy_peer_answers(model_app, peer):
    frames, record = await one_turn(model_app)
    assert frames[-1]["engine"] == "openai" and frames[0]["level"] == "consultation"
    assert answer_text(frames).strip() == LEAD + GOOD_ANSWER
    assert tried(record) == [("openai", "used", None)]
    assert record["engines_tried"][0]["completed"] is True


@pytest.mark.parametrize(
    "fault, kind, seam",
    [
        ("http_500", "http_500", False),
        ("slow_first", "first_token_timeout", False),
        ("cut", "stream_broken", True),
        ("malformed", "malformed_sse", True),
    ],
)
async def test_faults_fail_over_to_the_local_engine(model_app, peer, fault, kind, seam):
    peer.script(fault)
    frames, record = await one_turn(model_app)
    answer = answer_text(frames)
    assert frames[-1]["engine"] == "local"
    assert answer.rstrip().endswith(LOCAL_ENDING), "the user gets the whole local answer"
    assert (FAILOVER_SEAM in answer) is seam, "a seam exactly when the peer had already said something"
    assert tried(record) == [("openai", "failed", kind), ("local", "used", None)]
    assert record["engine"] == "local" and record["engines_tried"][1]["completed"] is True
    if seam:
        assert answer.startswith(LEAD + "Please see"), "what the peer said before failing is judged and released"
        assert record["engines_tried"][0]["tokens"] >= 1


async def test_slow_peer_request_is_cancelled_not_left_running(model_app, peer):
    before = peer.cancelled
    peer.script("slow_first")
    await one_turn(model_app)
    for _ in range(50):
        if peer.cancelled > before:
            break
        await asyncio.sleep(0.05)
    assert peer.cancelled == before + 1


async def test_429_opens_the_breaker_for_retry_after_then_a_probe_closes_it(model_app, peer):
    peer.script("http_429")
    calls = len(peer.requests)
    frames, record = await one_turn(model_app)
    assert frames[-1]["engine"] == "local"
    first = record["engines_tried"][0]
    assert (first["outcome"], first["status_code"], first["retry_after_s"]) == ("failed", 429, 1.0)

    frames, record = await one_turn(model_app)
    assert len(peer.requests) == calls + 1, "while the circuit is open the peer is not asked"
    assert tried(record)[0] == ("openai", "skipped", "breaker_open")
    assert answer_text(frames).rstrip().endswith(LOCAL_ENDING)

    await asyncio.sleep(1.2)
    frames, record = await one_turn(model_app)
    assert frames[-1]["engine"] == "openai"
    assert record["engines_tried"][0]["breaker"] == "half_open", "the first request after Retry-After is the probe"
    frames, record = await one_turn(model_app)
    assert record["engines_tried"][0]["breaker"] == "closed"


async def test_an_answer_that_contradicts_the_disposition_is_replaced_then_cut(model_app, peer):
    # "... no need to see a doctor. Just rest.": the first sentence is replaced by ours, the second contradiction
    # ends the model's answer and our template follows.
    peer.script("contradict")
    frames, record = await one_turn(model_app, NEEDS_A_DOCTOR)
    assert frames[0]["urgency"] == "ne" and frames[0]["level"] == "consultation"
    answer = answer_text(frames)
    assert "nothing serious" not in answer.lower() and "no need to see a doctor" not in answer.lower()
    assert "just rest" not in answer.lower()
    assert GUARD_SEAM in answer and answer.rstrip().endswith(LOCAL_ENDING)
    assert answer.split(GUARD_SEAM)[0] == LEAD + advice("consultation").safe + " "
    assert frames[-1]["engine"] == "local"
    assert tried(record) == [("openai", "cut", "home_care_suffices"), ("local", "used", None)]
    events = [e for e in record["guard_events"] if e.startswith("contradiction:")]
    assert [e.split(":")[1] for e in events] == ["no_doctor_needed", "home_care_suffices"]
    assert "no need to see a doctor" in events[0] and "replaced" in events[0] and record["level"] in events[0]
    assert "cut" in events[1]


def test_metrics_expose_engine_latency_failovers_and_breaker_state(model_app):
    text = httpx.get(model_app.http + "/metrics").text
    assert 'triage_engine_first_token_seconds_count{engine="openai"}' in text
    assert 'triage_engine_tokens_per_second_count{engine="openai"}' in text
    assert 'triage_engine_failovers_total{engine="openai",reason="http_500"} 1.0' in text
    assert 'triage_engine_failovers_total{engine="openai",reason="breaker_open"} 1.0' in text
    assert 'triage_engine_breaker_state{engine="openai"} 0.0' in text
    assert 'triage_guard_interventions_total{reason="no_doctor_needed"} 1.0' in text  # a sentence replaced
    assert 'triage_guard_interventions_total{reason="home_care_suffices"} 1.0' in text  # the answer cut
