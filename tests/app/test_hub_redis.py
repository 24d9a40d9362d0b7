"""The Redis hub (app/hub_redis.py): several replicas, one queue. Needs Redis at 127.0.0.1:6379 (skips
outside CI when unreachable); every test uses a key and channel prefix of its own."""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import AsyncIterator, Callable

import pytest
from redis.asyncio import Redis

from app.hub import HubConflict
from app.hub_redis import RedisHub

pytestmark = pytest.mark.redis
KEY = base64.urlsafe_b64encode(os.urandom(32))


async def eventually(check: Callable[[], bool], timeout_s: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


@pytest.fixture
async def replicas(redis_server_url: str, redis_prefix: str) -> AsyncIterator[Callable]:
    hubs: list[RedisHub] = []

    async def start() -> RedisHub:
        hub = RedisHub(Redis.from_url(redis_server_url), KEY, prefix=redis_prefix)
        await hub.start()
        hubs.append(hub)
        return hub

    yield start
    for hub in hubs:
        await hub.close()


async def test_a_session_on_one_replica_is_in_the_queue_of_another(replicas) -> None:
    a, b = await replicas(), await replicas()
    async with b.subscribe() as events:
        await a.publish({"type": "patient_connected", "session_id": "s1"})
        await a.publish(
            {
                "type": "triage",
                "session_id": "s1",
                "message_id": "m1",
                "level": "emergency",
                "urgency": "em",
                "red_flags": ["rf.chest_pain"],
                "rationale": "r",
            }
        )
        first = await asyncio.wait_for(anext(events), 5)
    assert first["type"] == "patient_connected" and first["session_id"] == "s1"
    await eventually(lambda: bool(b.sessions()) and b.sessions()[0].urgency == "em")
    assert [s.session_id for s in a.sessions()] == ["s1"]  # its own events once, not echoed back


async def test_takeover_is_exclusive_across_replicas_and_reaches_the_patient_elsewhere(replicas) -> None:
    a, b = await replicas(), await replicas()
    async with a.patient_inbox("s1") as inbox:
        await a.publish({"type": "patient_connected", "session_id": "s1"})
        await eventually(lambda: bool(b.sessions()))
        await b.takeover("s1", "dr.b")
        with pytest.raises(HubConflict):
            await a.takeover("s1", "dr.a")
        assert (await asyncio.wait_for(inbox.get(), 5)) == {"type": "handoff", "to": "clinician"}
        await eventually(lambda: a.in_charge("s1") == "dr.b")
        assert await b.deliver_to_patient("s1", {"type": "clinician", "message_id": "c1", "text": "Hello Ann"}) == 1
        assert (await asyncio.wait_for(inbox.get(), 5))["text"] == "Hello Ann"
        with pytest.raises(HubConflict):
            await a.release("s1", "dr.a")
        await b.release("s1", "dr.b")
        await eventually(lambda: a.in_charge("s1") is None)
        await a.takeover("s1", "dr.a")


async def test_patient_frames_travel_encrypted(replicas, redis_server_url, redis_prefix) -> None:
    a = await replicas()
    await a.publish({"type": "patient_connected", "session_id": "s1"})
    spy = Redis.from_url(redis_server_url).pubsub()
    await spy.subscribe(f"{redis_prefix}:patient")
    await spy.get_message(timeout=1)  # the subscribe confirmation
    await a.deliver_to_patient("s1", {"type": "clinician", "message_id": "c1", "text": "Hello Ann Smith"})
    message = await spy.get_message(timeout=5)
    assert message and b"Ann Smith" not in message["data"]
    await spy.aclose()


async def test_a_replica_started_later_replays_the_queue(replicas) -> None:
    a = await replicas()
    await a.publish({"type": "patient_connected", "session_id": "s1"})
    await a.publish(
        {"type": "patient_message", "session_id": "s1", "message_id": "m1", "text": "<PERSON_1> has a cough"}
    )
    late = await replicas()
    assert [s.session_id for s in late.sessions()] == ["s1"]
    assert late.session("s1").transcript[0]["text"] == "<PERSON_1> has a cough"
    await a.publish({"type": "patient_disconnected", "session_id": "s1"})
    await eventually(lambda: late.session("s1").summary.connected is False)
    assert late.session("s1").summary.messages == 1  # nothing applied twice


async def test_patients_of_a_replica_that_died_are_marked_disconnected(redis_server_url, redis_prefix) -> None:
    a = RedisHub(Redis.from_url(redis_server_url), KEY, prefix=redis_prefix, heartbeat_s=0.2)
    b = RedisHub(Redis.from_url(redis_server_url), KEY, prefix=redis_prefix, heartbeat_s=0.2)
    await a.start()
    await b.start()
    try:
        await a.publish({"type": "patient_connected", "session_id": "s1"})
        await eventually(lambda: bool(b.sessions()) and b.sessions()[0].connected)
        a._heartbeat.cancel()  # noqa: SLF001 - A dies: no disconnect event, its heartbeat expires
        a._listener.cancel()  # noqa: SLF001
        await eventually(lambda: b.session("s1").summary.connected is False)
    finally:
        await a.close()
        await b.close()


async def test_a_late_disconnect_from_the_old_replica_does_not_hide_the_reconnected_patient(replicas) -> None:
    a, b = await replicas(), await replicas()
    await a.publish({"type": "patient_connected", "session_id": "s1"})
    await eventually(lambda: bool(b.sessions()))
    await b.publish({"type": "patient_connected", "session_id": "s1"})  # the patient moved to B...
    await eventually(lambda: a._holders.get("s1") == b._replica)  # noqa: SLF001
    await a.publish({"type": "patient_disconnected", "session_id": "s1"})  # ...before A noticed the old socket go
    await asyncio.sleep(0.3)
    assert a.session("s1").summary.connected and b.session("s1").summary.connected


async def test_the_queue_and_its_lifecycle_survive_every_replica_restarting(
    replicas, redis_server_url, redis_prefix
) -> None:
    a = await replicas()
    await a.publish({"type": "patient_connected", "session_id": "s1"})
    await a.publish({"type": "patient_message", "session_id": "s1", "message_id": "m1", "text": "crushing chest pain"})
    await a.publish(
        {
            "type": "triage",
            "session_id": "s1",
            "message_id": "m1",
            "level": "emergency_ambulance",
            "urgency": "em",
            "red_flags": ["cardiac.chest_pain_crushing"],
            "rationale": "r",
        }
    )
    for word in ("Call ", "an ", "ambulance."):
        await a.publish({"type": "token", "session_id": "s1", "message_id": "m1", "text": word})
    await a.publish({"type": "done", "session_id": "s1", "message_id": "m1", "engine": "local", "audit_id": "x"})
    await a.assign("s1", "dr.lee", by="dr.kim")
    await a.publish({"type": "patient_connected", "session_id": "s2"})
    await a.resolve("s2", by="dr.lee")
    await a.close()

    spy = Redis.from_url(redis_server_url)
    logged = [fields[b"e"] for _, fields in await spy.xrange(f"{redis_prefix}:log")]
    await spy.aclose()
    assert not any(b'"type": "token"' in e for e in logged), "tokens are not kept in the log"

    restarted = await replicas()
    s1 = restarted.session("s1")
    assert s1.summary.urgency == "em" and (s1.summary.state, s1.summary.assigned_to, s1.summary.assigned_by) == (
        "assigned",
        "dr.lee",
        "dr.kim",
    )
    assert s1.transcript[-1]["text"] == "Call an ambulance." and s1.transcript[-1]["done"]
    assert restarted.session("s2").summary.state == "resolved"


async def test_tokens_still_stream_live_to_other_replicas(replicas) -> None:
    a, b = await replicas(), await replicas()
    await a.publish({"type": "patient_message", "session_id": "s1", "message_id": "m1", "text": "q"})
    await eventually(lambda: bool(b.sessions()))
    await a.publish({"type": "token", "session_id": "s1", "message_id": "m1", "text": "Rest "})
    await a.publish({"type": "token", "session_id": "s1", "message_id": "m1", "text": "well."})
    await eventually(lambda: b.session("s1").transcript[-1]["text"] == "Rest well.")
    await a.publish({"type": "done", "session_id": "s1", "message_id": "m1", "engine": "local", "audit_id": "x"})
    await eventually(lambda: bool(b.session("s1").transcript[-1].get("done")))
    assert b.session("s1").transcript[-1]["text"] == "Rest well."
