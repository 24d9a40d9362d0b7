"""The live session hub: which patient conversations are open, how urgent they are, and who is in charge.

Chat sockets publish what happens in a conversation (redacted text only); clinician sockets subscribe; a
clinician can take a conversation over, reply to the patient and hand it back. Every payload is a JSON object
without raw PHI, so a pub/sub backend (Redis, for several replicas) can carry the same events later: the
registry is a pure reducer (`apply_event`) that any backend can run on the events it receives.

Events (each has `type` and `session_id`):
  `patient_connected`, `patient_disconnected`,
  `patient_message` (message_id, text: redacted), `triage` (message_id, level, urgency, red_flags, rationale),
  `token` (message_id, text), `done` (message_id, engine, audit_id),
  `clinician_message` (message_id, text: redacted, clinician), `takeover` / `release` (clinician).
Subscribers receive each event as published and, when a session's summary changed, `{"type": "session",
"session": summary}` after it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

URGENCY_RANK = {"em": 0, "ne": 1, "sc": 2}
LEVEL_RANK = {"emergency_ambulance": 0, "emergency": 1, "consultation_24": 2, "consultation": 3, "self_care": 4}
TRANSCRIPT_LIMIT = 200
SUBSCRIBER_BACKLOG = 1000
Event = dict[str, Any]


class HubConflict(Exception):
    """The action clashes with who is in charge (another clinician holds the session, or nobody does)."""


class UnknownSession(KeyError):
    """No live session with that id."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class SessionSummary:
    session_id: str
    started_at: str
    status: str = "active"  # active | taken_over | disconnected
    connected: bool = True
    level: str | None = None
    urgency: str | None = None
    red_flags: list[str] = field(default_factory=list)
    rationale: str | None = None
    needs_clinician: bool = False
    """The clinical engine could not read a message: a clinician must, ahead of the other non-emergencies."""
    conditions: list[dict] = field(default_factory=list)
    waiting_since: str | None = None
    last_activity: str | None = None
    last_text: str = ""
    messages: int = 0
    clinician: str | None = None

    def sort_key(self) -> tuple:
        urgency = URGENCY_RANK.get(self.urgency or "", 3)
        return (
            urgency,
            not (self.needs_clinician and urgency > 0),
            LEVEL_RANK.get(self.level or "", 5),
            self.waiting_since or "~",
            self.started_at,
        )


@dataclass
class SessionRecord:
    summary: SessionSummary
    transcript: list[Event] = field(default_factory=list)

    def entry(self, message_id: str, kind: str) -> Event:
        """The transcript entry of one turn's side (`patient` or `assistant`), created in place if new."""
        for item in reversed(self.transcript):
            if item.get("message_id") == message_id and item["kind"] == kind:
                return item
        item: Event = {"kind": kind, "message_id": message_id, "text": "", "at": now_iso()}
        if kind == "patient":
            # The patient's words precede the answer they prompted, whichever event arrived first.
            index = next((i for i, e in enumerate(self.transcript) if e.get("message_id") == message_id), None)
            self.transcript.insert(len(self.transcript) if index is None else index, item)
        else:
            self.transcript.append(item)
        del self.transcript[:-TRANSCRIPT_LIMIT]
        return item


def apply_event(sessions: dict[str, SessionRecord], event: Event) -> SessionSummary | None:
    """Fold one event into the registry; returns the session's summary when it changed."""
    kind, session_id = event["type"], event["session_id"]
    at = event.get("at") or now_iso()
    record = sessions.get(session_id)
    if record is None:
        if kind not in ("patient_connected", "patient_message", "triage"):
            return None
        record = sessions[session_id] = SessionRecord(SessionSummary(session_id=session_id, started_at=at))
    summary = record.summary
    if kind == "token":
        record.entry(event["message_id"], "assistant")["text"] += event["text"]
        return None
    if kind == "patient_connected":
        summary.connected = True
        summary.status = "taken_over" if summary.clinician else "active"
    elif kind == "patient_disconnected":
        summary.connected = False
        summary.status = "disconnected"
    elif kind == "patient_message":
        record.entry(event["message_id"], "patient")["text"] = event["text"]
        summary.last_text = event["text"][:200]
        summary.messages += 1
    elif kind == "triage":
        # The queue keeps the most urgent disposition the session has had: a later "I feel a bit better"
        # must not sink an earlier emergency down the queue before a clinician has seen it.
        if LEVEL_RANK.get(event.get("level") or "", 5) <= LEVEL_RANK.get(summary.level or "", 5):
            summary.level, summary.urgency = event.get("level"), event.get("urgency")
            summary.rationale = event.get("rationale")
            summary.conditions = list(event.get("conditions") or [])
        summary.needs_clinician = summary.needs_clinician or bool(event.get("needs_clinician"))
        summary.red_flags = list(dict.fromkeys([*summary.red_flags, *(event.get("red_flags") or [])]))
        summary.waiting_since = summary.waiting_since or at
        entry = record.entry(event["message_id"], "assistant")
        entry["triage"] = {k: event.get(k) for k in ("level", "urgency", "red_flags", "rationale", "needs_clinician", "conditions")}
    elif kind == "done":
        entry = record.entry(event["message_id"], "assistant")
        entry.update(engine=event.get("engine"), audit_id=event.get("audit_id"), done=True)
    elif kind == "clinician_message":
        record.transcript.append(
            {"kind": "clinician", "message_id": event["message_id"], "text": event["text"], "at": at,
             "clinician": event.get("clinician")}
        )
        del record.transcript[:-TRANSCRIPT_LIMIT]
        summary.waiting_since = None
    elif kind == "takeover":
        summary.clinician = event["clinician"]
        summary.status = "taken_over" if summary.connected else "disconnected"
    elif kind == "release":
        summary.clinician = None
        summary.status = "active" if summary.connected else "disconnected"
    else:
        return None
    summary.last_activity = at
    return summary


class Hub(Protocol):
    """What chat and clinician sockets need from the hub, whatever carries the events."""

    async def publish(self, event: Event) -> None: ...

    def subscribe(self) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Event]]: ...

    def patient_inbox(self, session_id: str) -> contextlib.AbstractAsyncContextManager[asyncio.Queue[Event]]: ...

    async def deliver_to_patient(self, session_id: str, frame: Event) -> int: ...

    async def takeover(self, session_id: str, clinician: str) -> SessionSummary: ...

    async def release(self, session_id: str, clinician: str, *, force: bool = False) -> SessionSummary: ...

    def in_charge(self, session_id: str) -> str | None: ...

    def sessions(self) -> list[SessionSummary]: ...

    def session(self, session_id: str) -> SessionRecord: ...


class InProcessHub:
    """One process: the registry in memory, subscribers and patient inboxes as asyncio queues."""

    def __init__(self, max_sessions: int = 1000) -> None:
        self._sessions: dict[str, SessionRecord] = {}
        self._subscribers: set[asyncio.Queue[Event | None]] = set()
        self._inboxes: dict[str, set[asyncio.Queue[Event]]] = {}
        self._max_sessions = max_sessions
        self._disconnects_since_prune = 0

    async def publish(self, event: Event) -> None:
        event = {**event, "at": event.get("at") or now_iso()}
        summary = apply_event(self._sessions, event)
        self._fan_out(event)
        if summary is not None:
            self._fan_out({"type": "session", "session_id": summary.session_id, "session": asdict(summary)})
        if event.get("type") == "patient_disconnected":
            self._disconnects_since_prune += 1
        self._prune()

    def _fan_out(self, event: Event) -> None:
        for queue in list(self._subscribers):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                # A subscriber this far behind is dropped; it reconnects and starts from a fresh snapshot.
                self._subscribers.discard(queue)
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
                queue.put_nowait(None)

    def _prune(self) -> None:
        """Forget the oldest offline sessions once over the cap. Only offline ones can go, so there is nothing to
        look for until someone disconnects; and it prunes to 90% of the cap so the sort is paid rarely."""
        if len(self._sessions) <= self._max_sessions or not self._disconnects_since_prune:
            return
        self._disconnects_since_prune = 0
        target = int(self._max_sessions * 0.9)
        gone = sorted(
            (r.summary for r in self._sessions.values() if not r.summary.connected),
            key=lambda s: s.last_activity or s.started_at,
        )
        for summary in gone[: len(self._sessions) - target]:
            del self._sessions[summary.session_id]

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[Event]]:
        queue: asyncio.Queue[Event | None] = asyncio.Queue(maxsize=SUBSCRIBER_BACKLOG)
        self._subscribers.add(queue)

        async def events() -> AsyncIterator[Event]:
            while (event := await queue.get()) is not None:
                yield event

        try:
            yield events()
        finally:
            self._subscribers.discard(queue)

    @contextlib.asynccontextmanager
    async def patient_inbox(self, session_id: str) -> AsyncIterator[asyncio.Queue[Event]]:
        queue: asyncio.Queue[Event] = asyncio.Queue()
        self._inboxes.setdefault(session_id, set()).add(queue)
        try:
            yield queue
        finally:
            inboxes = self._inboxes.get(session_id, set())
            inboxes.discard(queue)
            if not inboxes:
                self._inboxes.pop(session_id, None)

    async def deliver_to_patient(self, session_id: str, frame: Event) -> int:
        inboxes = self._inboxes.get(session_id, set())
        for queue in inboxes:
            queue.put_nowait(frame)
        return len(inboxes)

    async def takeover(self, session_id: str, clinician: str) -> SessionSummary:
        current = self.session(session_id).summary.clinician
        if current not in (None, clinician):
            raise HubConflict(f"session is already in the hands of {current}")
        if current is None:
            await self.publish({"type": "takeover", "session_id": session_id, "clinician": clinician})
            await self.deliver_to_patient(session_id, {"type": "handoff", "to": "clinician"})
        return self.session(session_id).summary

    async def release(self, session_id: str, clinician: str, *, force: bool = False) -> SessionSummary:
        current = self.session(session_id).summary.clinician
        if current is None:
            raise HubConflict("nobody has taken this session over")
        if current != clinician and not force:
            raise HubConflict(f"session is in the hands of {current}")
        await self.publish({"type": "release", "session_id": session_id, "clinician": clinician})
        await self.deliver_to_patient(session_id, {"type": "handoff", "to": "agent"})
        return self.session(session_id).summary

    def in_charge(self, session_id: str) -> str | None:
        record = self._sessions.get(session_id)
        return record.summary.clinician if record else None

    def sessions(self) -> list[SessionSummary]:
        return sorted((r.summary for r in self._sessions.values()), key=SessionSummary.sort_key)

    def session(self, session_id: str) -> SessionRecord:
        try:
            return self._sessions[session_id]
        except KeyError:
            raise UnknownSession(session_id) from None


def hub_of(connection: Any) -> Hub:
    """The hub the lifespan built (`app.state.hub`), from a Request or WebSocket."""
    return connection.app.state.hub
