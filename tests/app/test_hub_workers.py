"""A worker's copy of the live sessions (app/hub_workers.py) keeps their summaries, not their transcripts: the
master's registry has those, and a clinician's view of one session asks the master for it. The real broker
(app/hub_broker.py) and worker link over a unix socket, in one process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.hub import HubUnavailable, InProcessHub, UnknownSession
from app.hub_broker import Broker
from app.hub_workers import WorkerHub
from app.worker_link import WorkerLink

SESSION = "s-1"


@pytest.fixture
async def hubs(tmp_path: Path) -> AsyncIterator[tuple[InProcessHub, WorkerHub]]:
    master = InProcessHub()
    broker = Broker(master)
    await broker.start(tmp_path / "master.sock")
    link = WorkerLink(str(tmp_path / "master.sock"), worker="0")
    worker = WorkerHub(link)
    await worker.start()
    try:
        yield master, worker
    finally:
        await worker.close()
        await link.close()
        await broker.close()


async def a_turn(worker: WorkerHub, message_id: str, text: str, answer: list[str]) -> None:
    """A patient's message on this worker, its triage, its answer streamed and done, as the chat route publishes them."""
    await worker.publish({"type": "patient_message", "session_id": SESSION, "message_id": message_id, "text": text})
    await worker.publish(
        {"type": "triage", "session_id": SESSION, "message_id": message_id, "level": "self_care", "urgency": "routine"}
    )
    for piece in answer:
        await worker.publish({"type": "token", "session_id": SESSION, "message_id": message_id, "text": piece})
    await worker.publish({"type": "done", "session_id": SESSION, "message_id": message_id, "audit_id": "a-1"})


async def test_a_workers_copy_keeps_summaries_and_the_master_the_transcript(hubs):
    master, worker = hubs
    await worker.publish({"type": "patient_connected", "session_id": SESSION})
    await a_turn(worker, "m-1", "I have a cold", ["Rest and ", "drink fluids."])
    await a_turn(worker, "m-2", "and a cough", ["Honey ", "helps."])

    assert worker.session(SESSION).transcript == []
    assert worker.session(SESSION).summary.messages == 2 and worker.session(SESSION).summary.connected
    record = await worker.record(SESSION)  # the master's, asked over the link
    assert [(e["kind"], e["text"]) for e in record.transcript] == [
        ("patient", "I have a cold"),
        ("assistant", "Rest and drink fluids."),  # each `done` carried the answer the worker assembled
        ("patient", "and a cough"),
        ("assistant", "Honey helps."),
    ]
    assert record.transcript == master.session(SESSION).transcript
    with pytest.raises(UnknownSession):
        await worker.record("nobody")


async def test_an_answer_cut_short_is_not_kept_for_ever(hubs):
    _, worker = hubs
    await worker.publish({"type": "patient_connected", "session_id": SESSION})
    for n in range(5):  # turns that never send their `done` (the patient left mid-answer)
        await worker.publish({"type": "token", "session_id": SESSION, "message_id": f"m-{n}", "text": "..."})
    assert [e["message_id"] for e in worker.session(SESSION).transcript] == ["m-3", "m-4"]


async def test_while_the_master_does_not_answer_a_clinicians_view_says_so(tmp_path):
    """A worker's copy has no transcript to show and cannot decide a takeover: `HubUnavailable` (a 503 for staff,
    app/security/unavailable.py), not a server error and not the copy shown as if it were the whole record."""
    broker = Broker(InProcessHub())
    await broker.start(tmp_path / "master.sock")
    link = WorkerLink(str(tmp_path / "master.sock"), worker="0")
    worker = WorkerHub(link)
    await worker.start()
    try:
        await worker.publish({"type": "patient_connected", "session_id": SESSION})
        await a_turn(worker, "m-1", "I have a cold", ["Rest."])
        await broker.close()
        async with asyncio.timeout(10):
            while link.connected:
                await asyncio.sleep(0.01)
        with pytest.raises(HubUnavailable):
            await worker.record(SESSION)
        with pytest.raises(HubUnavailable):
            await worker.takeover(SESSION, "clin")
        assert worker.session(SESSION).summary.messages == 1  # the queue's summaries stay on show
    finally:
        await worker.close()
        await link.close()
