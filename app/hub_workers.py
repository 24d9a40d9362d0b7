"""The live session hub shared by the worker processes of one `triage serve --workers N`, without Redis.

The master process keeps the authoritative registry (app/hub_broker.py: an `InProcessHub` with the queue's
durable copy in the database); each worker keeps a copy, as a Redis replica does (app/hub_redis.py), so reads
(`sessions`, `session`, `in_charge`) never leave the process. A worker publishes to its own screens at once and
to the master over its `WorkerLink` (app/worker_link.py), which passes every event on to the other workers:
- events (`E`): folded into every registry (`apply_event`); a `done` carries the whole answer, so a worker with
  no clinician listening never needs the tokens. A worker's copy keeps each session's summary and only the answers
  it is still assembling, not the transcript: the master has that, and a clinician's view of one session asks for
  it (`record`). Three copies of every live conversation (the master's and each worker's) were the soak's memory
  growth (notes/issue-20.md, session 23);
- tokens (`T`): only while a clinician listens on another worker (the master says when), and only to those;
- patient frames (`P`): to every worker; the one holding the patient's socket delivers them;
- takeover and hand-back are decided by the master, one at a time, so two clinicians on two workers cannot
  both take the same patient; the master publishes the resulting event to every worker before it answers.
At start (and after a reconnect) a worker takes the master's registry as its own (`snapshot`). A worker that
dies cannot say its patients left; the master notices its connection close and marks them disconnected.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from app.hub import (
    HubConflict,
    HubUnavailable,
    InProcessHub,
    SessionRecord,
    SessionSummary,
    UnknownSession,
    now_iso,
    record_from_json,
    stale_disconnect,
    stamped,
    track_holder,
)
from app.hub_events import Delivered, HubEvent, PatientFrame
from app.worker_link import LinkDown, WorkerLink, dumps, loads

HOLDER_EVENTS = ("patient_connected", "patient_disconnected")
#: Answers a worker's copy of a session keeps while they are assembled.
ASSEMBLING = 2


class WorkerHub(InProcessHub):
    def __init__(self, link: WorkerLink, max_sessions: int = 1000) -> None:
        super().__init__(max_sessions=max_sessions)
        self._link = link
        self._worker = link.worker
        self._holders: dict[str, str] = {}  # session id -> the worker holding the patient's socket
        self._listeners = 0
        self._listeners_elsewhere = 0  # clinicians listening on other workers (the master says): tokens go out
        link.handlers.update(
            {"E": self._receive_event, "T": self._receive_event, "P": self._receive_patient_frame, "N": self._notice}
        )

    # lifecycle

    async def start(self) -> None:
        """Returns once this worker holds the master's registry and hears every event published from now on."""
        await self._link.open()
        await self._synchronise()
        self._link.on_connected.append(self._synchronise)

    async def close(self) -> None:
        """The link is the app's (app/main.py closes it); nothing of the hub's own to write."""
        if self._synchronise in self._link.on_connected:
            self._link.on_connected.remove(self._synchronise)

    async def _synchronise(self) -> None:
        """The master's registry becomes this worker's (at start, and after a lost connection); the patients this
        worker holds are announced again (the master may have marked them gone meanwhile)."""
        snapshot = await self._link.request({"op": "snapshot"}, timeout_s=10.0)
        sessions = {}
        for data in snapshot["sessions"]:
            record = record_from_json(data)
            sessions[record.summary.session_id] = record
        self._sessions = sessions
        for session_id in sessions:
            self._keep_summary(session_id)
        self._holders = dict(snapshot.get("holders") or {})
        if self._listeners:
            self._link.send("N", {"op": "listeners", "count": self._listeners})
        for session_id in list(self._inboxes):
            await self.publish({"type": "patient_connected", "session_id": session_id})

    # publishing

    async def publish(self, event: HubEvent) -> None:
        event = stamped(event, origin=self._worker)
        if self._stale(event):
            return
        self._track(event)
        if event["type"] == "done":
            event["text"] = self._answer(event["session_id"], event["message_id"])
        await super().publish(event)  # this worker's screens at once
        self._keep_summary(event["session_id"])
        if event["type"] != "token":
            self._link.send("E", dumps(event))
        elif self._listeners_elsewhere:
            self._link.send("T", dumps(event))

    async def record(self, session_id: str) -> SessionRecord:
        """The session with its whole transcript, from the master (`HubUnavailable` while it does not answer)."""
        answer = await self._ask({"op": "record", "session_id": session_id})
        if answer.get("unknown"):
            raise UnknownSession(session_id)
        return record_from_json(answer["record"])

    def _keep_summary(self, session_id: str) -> None:
        """The copy of a session keeps its summary and the answers still being assembled here (`_answer`; at most
        the last two: a turn cut short never sends its `done`)."""
        record = self._sessions.get(session_id)
        if record is not None and record.transcript:
            assembling = [e for e in record.transcript if e.get("kind") == "assistant" and not e.get("done")]
            record.transcript = assembling[-ASSEMBLING:]

    def _answer(self, session_id: str, message_id: str) -> str:
        record = self._sessions.get(session_id)
        entry = record.find(message_id, "assistant") if record is not None else None
        return entry.get("text", "") if entry is not None else ""

    async def deliver_to_patient(self, session_id: str, frame: PatientFrame) -> int:
        delivered = await super().deliver_to_patient(session_id, frame)
        self._link.send("P", {"session_id": session_id, "frame": frame, "origin": self._worker})
        record = self._sessions.get(session_id)
        # Sockets on other workers cannot be counted from here; the registry knows whether one is connected.
        return delivered or int(bool(record and record.summary.connected))

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[Delivered]]:
        """A clinician listening here: tokens of every worker's patients are sent here while one is."""
        self._listeners += 1
        if self._listeners == 1:
            self._link.send("N", {"op": "listeners", "count": 1})
        try:
            async with super().subscribe() as events:
                yield events
        finally:
            self._listeners -= 1
            if self._listeners == 0:
                self._link.send("N", {"op": "listeners", "count": 0})

    # takeover across workers: the master decides

    async def takeover(self, session_id: str, clinician: str) -> SessionSummary:
        self.session(session_id)
        taken = await self._decide("takeover", session_id, clinician)
        if taken:
            await self.deliver_to_patient(session_id, {"type": "handoff", "to": "clinician"})
        return self.session(session_id).summary

    async def release(self, session_id: str, clinician: str, *, force: bool = False) -> SessionSummary:
        self.session(session_id)
        await self._decide("release", session_id, clinician, force=force)
        await self.deliver_to_patient(session_id, {"type": "handoff", "to": "agent"})
        return self.session(session_id).summary

    async def _decide(self, op: str, session_id: str, clinician: str, *, force: bool = False) -> bool:
        """The master's verdict (its event is already applied here when it answers): whether anything changed."""
        answer = await self._ask(
            {"op": op, "session_id": session_id, "clinician": clinician, "force": force, "at": now_iso()}
        )
        if answer.get("unknown"):
            raise UnknownSession(session_id)
        if answer.get("conflict"):
            raise HubConflict(answer["conflict"])
        return bool(answer.get("changed"))

    async def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        try:
            return await self._link.request(request)
        except LinkDown as exc:
            raise HubUnavailable(str(exc)) from exc

    # receiving

    async def _receive_event(self, payload: bytes) -> None:
        event = loads(payload)
        if event.get("origin") == self._worker or self._stale(event):
            return
        self._track(event)
        await InProcessHub.publish(self, event)
        self._keep_summary(event["session_id"])

    def _notice(self, payload: bytes) -> None:
        notice = loads(payload)
        if notice.get("op") == "listeners_elsewhere":
            self._listeners_elsewhere = int(notice.get("count") or 0)

    async def _receive_patient_frame(self, payload: bytes) -> None:
        message = loads(payload)
        if message.get("origin") != self._worker:
            await InProcessHub.deliver_to_patient(self, message["session_id"], message["frame"])

    def _stale(self, event: HubEvent) -> bool:
        """A disconnect from a worker that no longer holds the patient (who already reconnected elsewhere)."""
        return stale_disconnect(self._holders, event)

    def _track(self, event: HubEvent) -> None:
        track_holder(self._holders, event)
