"""The live session hub without a browser or a server: registry, ordering, events, takeover and delivery."""

from __future__ import annotations

import asyncio
import json

import pytest

from app.hub import HubConflict, InProcessHub, UnknownSession


async def turn(
    hub: InProcessHub,
    session_id: str,
    message_id: str,
    *,
    level: str,
    urgency: str,
    text: str = "",
    at: str | None = None,
) -> None:
    """What a chat socket publishes for one message, in the order it publishes it (stamped `at`, when given, as the
    hub stamps an event that arrives without a time)."""
    stamp = {"at": at} if at else {}
    await hub.publish(
        {
            **stamp,
            "type": "triage",
            "session_id": session_id,
            "message_id": message_id,
            "level": level,
            "urgency": urgency,
            "red_flags": ["chest_pain"] if urgency == "em" else [],
            "rationale": "r",
        }
    )
    for word in ("Please ", "rest."):
        await hub.publish({**stamp, "type": "token", "session_id": session_id, "message_id": message_id, "text": word})
    await hub.publish(
        {
            **stamp,
            "type": "done",
            "session_id": session_id,
            "message_id": message_id,
            "engine": "local",
            "audit_id": "a",
        }
    )
    await hub.publish(
        {**stamp, "type": "patient_message", "session_id": session_id, "message_id": message_id, "text": text}
    )


async def drain(events, count: int) -> list[dict]:
    return [await asyncio.wait_for(anext(events), 1) for _ in range(count)]


async def test_queue_is_ordered_by_urgency_then_waiting_time():
    hub = InProcessHub()
    for session_id in ("calm", "older-ne", "newer-ne", "emergency"):
        await hub.publish({"type": "patient_connected", "session_id": session_id})
    await turn(hub, "calm", "m1", level="self_care", urgency="sc")
    # the newer one published first: the queue orders by when each began waiting, not by arrival
    await turn(hub, "newer-ne", "m3", level="consultation", urgency="ne", at="2026-01-01T09:00:05+00:00")
    await turn(hub, "older-ne", "m2", level="consultation", urgency="ne", at="2026-01-01T09:00:00+00:00")
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


async def test_a_transcript_turn_keeps_its_disposition_and_the_summary_its_reasons():
    """Each of up to 200 turns of every live session is in memory: a turn keeps what the transcript shows of it, the
    summary keeps the reasons of the most urgent turn (the audit trail keeps every turn's)."""
    hub = InProcessHub()
    await hub.publish({"type": "patient_connected", "session_id": "s"})
    reasons = {
        "rationale": "Chest pain with sweating can be a heart attack.",
        "conditions": [{"name": "Acute coronary syndrome", "level": "emergency_ambulance", "via": "pattern"}],
        "findings": [{"id": "chest_pain", "name": "chest pain"}],
        "red_flag_labels": [{"id": "chest_pain", "name": "Chest pain"}],
    }
    await hub.publish(
        {
            "type": "triage",
            "session_id": "s",
            "message_id": "m1",
            "level": "emergency_ambulance",
            "urgency": "em",
            "red_flags": ["chest_pain"],
            "needs_clinician": False,
            **reasons,
        }
    )
    record = hub.session("s")
    assert record.transcript[0]["triage"] == {
        "level": "emergency_ambulance",
        "urgency": "em",
        "red_flags": ["chest_pain"],
        "needs_clinician": False,
    }
    assert record.summary.rationale == reasons["rationale"]
    assert record.summary.conditions == reasons["conditions"] and record.summary.findings == reasons["findings"]


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
    await hub.publish(
        {"type": "clinician_message", "session_id": "s", "message_id": "c1", "text": "ok", "clinician": "dr.lee"}
    )
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
    for sid, level, urgency, unread in (
        ("routine", "consultation_24", "ne", False),
        ("unread", "consultation_24", "ne", True),
        ("emergency", "emergency", "em", False),
    ):
        apply_event(
            sessions,
            {
                "type": "triage",
                "session_id": sid,
                "message_id": "m",
                "level": level,
                "urgency": urgency,
                "red_flags": [],
                "needs_clinician": unread,
                "conditions": [{"name": "X", "level": level, "via": "pattern"}],
            },
        )
    order = [s.summary.session_id for s in sorted(sessions.values(), key=lambda r: r.summary.sort_key())]
    assert order == ["emergency", "unread", "routine"]
    assert sessions["unread"].summary.needs_clinician and sessions["routine"].summary.conditions
    assert isinstance(sessions["routine"].summary, SessionSummary)


async def test_queue_lifecycle_open_assigned_resolved_with_who_and_when():
    hub = InProcessHub()
    await turn(hub, "s", "m1", level="consultation_24", urgency="ne")
    summary = hub.session("s").summary
    assert summary.state == "open" and summary.assigned_to is None
    await hub.assign("s", "dr.lee", by="nurse.kay")
    assert (summary.state, summary.assigned_to, summary.assigned_by) == ("assigned", "dr.lee", "nurse.kay")
    assert summary.assigned_at
    await hub.resolve("s", by="dr.lee")
    assert (summary.state, summary.resolved_by) == ("resolved", "dr.lee") and summary.resolved_at
    assert summary.waiting_since is None
    with pytest.raises(HubConflict):
        await hub.resolve("s", by="dr.lee")
    await hub.reopen("s", by="dr.lee")
    assert summary.state == "assigned" and summary.resolved_by is None  # back to whoever had it
    await hub.unassign("s", by="dr.lee")
    assert summary.state == "open" and summary.assigned_to is None
    with pytest.raises(HubConflict):
        await hub.unassign("s", by="dr.lee")


async def test_a_new_message_reopens_a_resolved_session_and_an_emergency_comes_back_on_top():
    hub = InProcessHub()
    for sid in ("calm", "routine"):
        await hub.publish({"type": "patient_connected", "session_id": sid})
    await turn(hub, "calm", "m1", level="self_care", urgency="sc")
    await turn(hub, "routine", "m2", level="consultation", urgency="ne")
    await hub.resolve("calm", by="dr.lee")
    assert [s.session_id for s in hub.sessions()] == ["routine", "calm"]  # resolved ones last
    await turn(hub, "calm", "m3", level="emergency_ambulance", urgency="em")
    first = hub.sessions()[0]
    assert first.session_id == "calm" and first.state == "open" and first.waiting_since


async def test_resolving_needs_the_conversation_handed_back_and_takeover_assigns():
    hub = InProcessHub()
    await hub.publish({"type": "patient_connected", "session_id": "s"})
    await hub.takeover("s", "dr.lee")
    summary = hub.session("s").summary
    assert (summary.state, summary.assigned_to) == ("assigned", "dr.lee")
    with pytest.raises(HubConflict):
        await hub.resolve("s", by="dr.lee")
    await hub.release("s", "dr.lee")
    await hub.resolve("s", by="dr.lee")
    assert summary.state == "resolved"


async def test_offline_sessions_wait_below_every_live_one():
    hub = InProcessHub()
    for sid in ("left", "live-stroke", "live-cough"):
        await hub.publish({"type": "patient_connected", "session_id": sid})
    await turn(hub, "left", "m1", level="emergency_ambulance", urgency="em")
    await turn(hub, "live-stroke", "m2", level="emergency_ambulance", urgency="em")
    await turn(hub, "live-cough", "m3", level="consultation", urgency="ne")
    await hub.publish({"type": "patient_disconnected", "session_id": "left"})
    assert [s.session_id for s in hub.sessions()] == ["live-stroke", "live-cough", "left"]


async def test_events_applied_twice_change_nothing_more():
    """A replayed log may overlap what a registry already holds (app/hub_redis.py)."""
    from app.hub import SessionRecord, apply_event

    events = [
        {"type": "patient_connected", "session_id": "s", "at": "2025-01-01T10:00:00+00:00"},
        {
            "type": "patient_message",
            "session_id": "s",
            "message_id": "m1",
            "text": "cough",
            "at": "2025-01-01T10:00:01+00:00",
        },
        {
            "type": "triage",
            "session_id": "s",
            "message_id": "m1",
            "level": "consultation",
            "urgency": "ne",
            "red_flags": ["x.y"],
            "red_flag_labels": [{"id": "x.y", "name": "Y"}],
            "at": "2025-01-01T10:00:02+00:00",
        },
        {"type": "done", "session_id": "s", "message_id": "m1", "text": "Rest.", "at": "2025-01-01T10:00:03+00:00"},
        {
            "type": "clinician_message",
            "session_id": "s",
            "message_id": "c1",
            "text": "hi",
            "clinician": "dr.lee",
            "at": "2025-01-01T10:00:04+00:00",
        },
        {"type": "resolve", "session_id": "s", "by": "dr.lee", "at": "2025-01-01T10:00:05+00:00"},
    ]
    once: dict[str, SessionRecord] = {}
    twice: dict[str, SessionRecord] = {}
    for event in events:
        apply_event(once, event)
    for event in events + events:
        apply_event(twice, event)
    assert twice["s"].summary == once["s"].summary
    assert twice["s"].transcript == once["s"].transcript
    assert once["s"].summary.messages == 1 and once["s"].summary.red_flag_labels == [{"id": "x.y", "name": "Y"}]


async def test_a_late_token_does_not_repeat_an_answer_its_done_carried():
    hub = InProcessHub()
    await hub.publish({"type": "patient_message", "session_id": "s", "message_id": "m", "text": "q"})
    await hub.publish({"type": "done", "session_id": "s", "message_id": "m", "text": "Whole answer."})
    await hub.publish({"type": "token", "session_id": "s", "message_id": "m", "text": "answer."})
    assert hub.session("s").transcript[-1]["text"] == "Whole answer."


async def test_the_queue_survives_a_restart_in_the_database(tmp_path):
    from app.hub_store import SqlQueueStore

    url = f"sqlite:///{tmp_path / 'triage.db'}"
    first = InProcessHub(store=SqlQueueStore(url))
    await first.start()
    await first.publish({"type": "patient_connected", "session_id": "s"})
    await turn(first, "s", "m1", level="emergency", urgency="em", text="<PERSON_1> has chest pain")
    await first.assign("s", "dr.lee", by="dr.lee")
    await first.publish({"type": "patient_connected", "session_id": "gone"})
    await first.resolve("gone", by="dr.lee")
    await first.close()

    second = InProcessHub(store=SqlQueueStore(url))
    await second.start()
    try:
        restored = second.session("s")
        assert restored.summary.urgency == "em" and restored.summary.assigned_to == "dr.lee"
        assert restored.summary.connected is False and restored.summary.status == "disconnected"
        assert [e["kind"] for e in restored.transcript] == ["patient", "assistant"]
        assert restored.transcript[1]["text"] == "Please rest."  # the answer, though tokens are not written one by one
        assert second.session("gone").summary.state == "resolved"
        await second.publish({"type": "patient_connected", "session_id": "s"})  # the widget resumes
        assert second.session("s").summary.connected and second.session("s").summary.messages == 1
    finally:
        await second.close()


async def test_a_store_that_fails_leaves_the_live_queue_working_and_catches_up(tmp_path):
    class Flaky:
        def __init__(self) -> None:
            self.rows: dict[str, str] = {}
            self.fail = True

        def load(self) -> list[str]:
            return list(self.rows.values())

        def write(self, records: dict[str, str], gone: set[str]) -> None:
            if self.fail:
                raise OSError("disk full")
            self.rows.update(records)

    store = Flaky()
    hub = InProcessHub(store=store)
    await hub.start()
    await hub.publish({"type": "patient_connected", "session_id": "s"})
    assert [s.session_id for s in hub.sessions()] == ["s"] and store.rows == {}
    store.fail = False
    await hub.close()  # what could not be written is written at the end
    assert list(store.rows) == ["s"]


def test_agent_frames_reach_the_hub_as_their_declared_events_and_nothing_more():
    from app.hub_events import from_agent_frame

    triage = {
        "type": "triage",
        "message_id": "m1",
        "level": "emergency",
        "urgency": "em",
        "red_flags": ["chest_pain"],
        "rationale": "r",
        "needs_clinician": False,
        "findings": [{"id": "chest_pain", "name": "chest pain"}],
        "redacted_text": "crushing chest pain",  # published on its own, as the patient's message
        "lang": "en",
    }
    event = from_agent_frame("s1", triage)
    assert event is not None and event["type"] == "triage"
    assert event["session_id"] == "s1" and event["level"] == "emergency"
    assert "redacted_text" not in event and "lang" not in event
    assert event["conditions"] == [] and event["red_flag_labels"] == []  # absent lists arrive empty, never null
    done = from_agent_frame("s1", {"type": "done", "message_id": "m1", "engine": "local", "audit_id": "a1", "x": 1})
    assert done == {"type": "done", "session_id": "s1", "message_id": "m1", "engine": "local", "audit_id": "a1"}
    for frame in ({"type": "session", "session_id": "s1"}, {"type": "error", "code": "busy"}, {"type": "handoff"}):
        assert from_agent_frame("s1", frame) is None
