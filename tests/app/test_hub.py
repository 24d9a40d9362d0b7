"""The live session hub without a browser or a server: registry, ordering, events, takeover and delivery."""

from __future__ import annotations

import asyncio
import json

import pytest

from app.hub import HubConflict, InProcessHub, UnknownSession


async def turn(hub: InProcessHub, session_id: str, message_id: str, *, level: str, urgency: str, text: str = "") -> None:
    """What a chat socket publishes for one message, in the order it publishes it."""
    await hub.publish({"type": "triage", "session_id": session_id, "message_id": message_id, "level": level,
                       "urgency": urgency, "red_flags": ["chest_pain"] if urgency == "em" else [], "rationale": "r"})
    for word in ("Please ", "rest."):
        await hub.publish({"type": "token", "session_id": session_id, "message_id": message_id, "text": word})
    await hub.publish({"type": "done", "session_id": session_id, "message_id": message_id, "engine": "local", "audit_id": "a"})
    await hub.publish({"type": "patient_message", "session_id": session_id, "message_id": message_id, "text": text})


async def drain(events, count: int) -> list[dict]:
    return [await asyncio.wait_for(anext(events), 1) for _ in range(count)]


async def test_queue_is_ordered_by_urgency_then_waiting_time():
    hub = InProcessHub()
    for session_id in ("calm", "older-ne", "newer-ne", "emergency"):
        await hub.publish({"type": "patient_connected", "session_id": session_id})
    await turn(hub, "calm", "m1", level="self_care", urgency="sc")
    await turn(hub, "older-ne", "m2", level="consultation", urgency="ne")
    await asyncio.sleep(0.01)
    await turn(hub, "newer-ne", "m3", level="consultation", urgency="ne")
    await turn(hub, "emergency", "m4", level="emergency_ambulance", urgency="em")
    assert [s.session_id for s in hub.sessions()] == ["emergency", "older-ne", "newer-ne", "calm"]
    assert hub.sessions()[0].red_flags == ["chest_pain"]


async def test_a_later_milder_turn_does_not_sink_an_earlier_emergency():
    hub = InProcessHub()
    for session_id in ("was-emergency", "consultation"):
        await hub.publish({"type": "patient_connected", "session_id": session_id})
    await turn(hub, "was-emergency", "m1", level="emergency_ambulance", urgency="em")
    await turn(hub, "consultation", "m2", level="consultation", urgency="ne")
    await turn(hub, "was-emergency", "m3", level="self_care", urgency="sc")
    first = hub.sessions()[0]
    assert first.session_id == "was-emergency"
    assert first.urgency == "em" and first.level == "emergency_ambulance"
    assert first.red_flags == ["chest_pain"]


async def test_transcript_puts_the_patient_words_before_the_answer_they_prompted():
    hub = InProcessHub()
    await hub.publish({"type": "patient_connected", "session_id": "s"})
    await turn(hub, "s", "m1", level="self_care", urgency="sc", text="I have <PERSON_1>'s cold")
    record = hub.session("s")
    assert [e["kind"] for e in record.transcript] == ["patient", "assistant"]
    assert record.transcript[0]["text"] == "I have <PERSON_1>'s cold"
    assert record.transcript[1]["text"] == "Please rest."
    assert record.transcript[1]["triage"]["level"] == "self_care"
    assert record.summary.messages == 1 and record.summary.last_text.startswith("I have")


async def test_subscribers_get_each_event_then_the_changed_summary_as_json():
    hub = InProcessHub()
    async with hub.subscribe() as events:
        await hub.publish({"type": "patient_connected", "session_id": "s"})
        await hub.publish({"type": "token", "session_id": "s", "message_id": "m", "text": "x"})
        received = await drain(events, 3)
    assert [e["type"] for e in received] == ["patient_connected", "session", "token"]
    assert received[1]["session"]["status"] == "active"
    json.dumps(received)  # everything a backend would carry is plain JSON


async def test_takeover_pauses_the_agent_and_delivers_handoff_and_replies_to_the_patient():
    hub = InProcessHub()
    await hub.publish({"type": "patient_connected", "session_id": "s"})
    async with hub.patient_inbox("s") as inbox:
        summary = await hub.takeover("s", "dr.lee")
        assert summary.status == "taken_over" and hub.in_charge("s") == "dr.lee"
        assert inbox.get_nowait() == {"type": "handoff", "to": "clinician"}
        assert await hub.deliver_to_patient("s", {"type": "clinician", "text": "hi"}) == 1
        assert inbox.get_nowait()["type"] == "clinician"
        with pytest.raises(HubConflict):
            await hub.takeover("s", "dr.other")
        with pytest.raises(HubConflict):
            await hub.release("s", "dr.other")
        await hub.release("s", "dr.lee")
        assert inbox.get_nowait() == {"type": "handoff", "to": "agent"}
    assert hub.in_charge("s") is None and hub.session("s").summary.status == "active"
    assert await hub.deliver_to_patient("s", {"type": "clinician", "text": "gone"}) == 0


async def test_a_clinician_reply_clears_waiting_and_is_kept_in_the_transcript():
    hub = InProcessHub()
    await turn(hub, "s", "m1", level="consultation", urgency="ne")
    assert hub.session("s").summary.waiting_since is not None
    await hub.publish({"type": "clinician_message", "session_id": "s", "message_id": "c1", "text": "ok", "clinician": "dr.lee"})
    assert hub.session("s").summary.waiting_since is None
    assert hub.session("s").transcript[-1]["kind"] == "clinician"


async def test_disconnect_and_resume_keep_the_session_and_who_is_in_charge():
    hub = InProcessHub()
    await hub.publish({"type": "patient_connected", "session_id": "s"})
    await hub.takeover("s", "dr.lee")
    await hub.publish({"type": "patient_disconnected", "session_id": "s"})
    assert hub.session("s").summary.status == "disconnected"
    await hub.publish({"type": "patient_connected", "session_id": "s"})
    assert hub.session("s").summary.status == "taken_over"


async def test_unknown_sessions_and_stray_events():
    hub = InProcessHub()
    await hub.publish({"type": "token", "session_id": "nobody", "message_id": "m", "text": "x"})
    with pytest.raises(UnknownSession):
        hub.session("nobody")
    assert hub.sessions() == []


async def test_a_subscriber_that_falls_too_far_behind_is_dropped_not_the_publisher_blocked(monkeypatch):
    monkeypatch.setattr("app.hub.SUBSCRIBER_BACKLOG", 3)
    hub = InProcessHub()
    async with hub.subscribe() as events:
        for i in range(10):
            await hub.publish({"type": "token", "session_id": "s", "message_id": "m", "text": str(i)})
        seen = [e async for e in events]
    assert len(seen) < 3


async def test_old_disconnected_sessions_are_pruned_first():
    hub = InProcessHub(max_sessions=2)
    await hub.publish({"type": "patient_connected", "session_id": "live"})
    await hub.publish({"type": "patient_connected", "session_id": "gone"})
    await hub.publish({"type": "patient_disconnected", "session_id": "gone"})
    await hub.publish({"type": "patient_connected", "session_id": "new"})
    assert {s.session_id for s in hub.sessions()} == {"live", "new"}


def test_a_message_the_engine_could_not_read_waits_ahead_of_other_non_emergencies():
    from app.hub import SessionRecord, SessionSummary, apply_event

    sessions: dict[str, SessionRecord] = {}
    for sid, level, urgency, unread in (("routine", "consultation_24", "ne", False), ("unread", "consultation_24", "ne", True),
                                        ("emergency", "emergency", "em", False)):
        apply_event(sessions, {"type": "triage", "session_id": sid, "message_id": "m", "level": level, "urgency": urgency,
                               "red_flags": [], "needs_clinician": unread, "conditions": [{"name": "X", "level": level, "via": "pattern"}]})
    order = [s.summary.session_id for s in sorted(sessions.values(), key=lambda r: r.summary.sort_key())]
    assert order == ["emergency", "unread", "routine"]
    assert sessions["unread"].summary.needs_clinician and sessions["routine"].summary.conditions
    assert isinstance(sessions["routine"].summary, SessionSummary)
