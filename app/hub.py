"""The live session hub: which patient conversations are open, how urgent they are, and who is in charge.

Chat sockets publish what happens in a conversation (redacted text only); clinician sockets subscribe; a
clinician can take a conversation over, reply to the patient and hand it back. Every payload is a JSON object
without raw PHI, so a pub/sub backend (Redis, for several replicas) can carry the same events later: the
registry is a pure reducer (`apply_event`) that any backend can run on the events it receives.

Events (app/hub_events.py declares each): `patient_connected`, `patient_disconnected`, `patient_message`,
`triage`, `token`, `done`, `clinician_message`, `takeover` / `release`, and the queue's lifecycle: `assign`,
`unassign`, `resolve`, `reopen`. Subscribers receive each event as published and, when a session's summary
changed, `{"type": "session", "session": summary}` after it. Applying an event twice changes nothing more than
applying it once (a replayed log may overlap what a replica already has), except `token`, which only live
listeners get.

Two things are kept apart: who talks to the patient (`status`: active | taken_over | disconnected, and
`clinician`, the one in charge) and the queue's lifecycle (`state`: open | assigned | resolved, with who and
when). A new message from the patient reopens a resolved session. With a `QueueStore` (app/hub_store.py) the
registry survives a restart: loaded at start, every change but a token written behind, off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Protocol

from agents.triage import Level, Urgency
from app.hub_events import Delivered, HubEvent, PatientFrame, SessionChanged, TranscriptEntry

log = logging.getLogger(__name__)

TRANSCRIPT_LIMIT = 200
SUBSCRIBER_BACKLOG = 1000
STORE_RETRY_S = 2.0
STORE_BATCH_S = 1.0
"""Changes are gathered this long before a write: one short transaction for a burst of events, and a session
that changes all the time (its answer streaming) serialised once a second, not at every event (issue 20: at
0.2 s this was a quarter of the master's CPU under load). A crash may forget the last second of queue changes;
the audit trail has every turn."""


class HubConflict(Exception):
    """The action clashes with who is in charge (another clinician holds the session, or nobody does)."""


class UnknownSession(KeyError):
    """No live session with that id."""


class HubUnavailable(ConnectionError):
    """The live sessions' registry does not answer now (a worker's link to its master is reconnecting): try again in
    a moment. Staff requests get 503 (app/security/unavailable.py), never a stale copy shown as current."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def stamped(event: HubEvent, origin: str | None = None) -> HubEvent:
    """A copy of the event with its time (`at`) set, the publisher's or now, and its `origin` when given."""
    copy = event.copy()
    if not copy.get("at"):
        copy["at"] = now_iso()
    if origin is not None:
        copy["origin"] = origin
    return copy


def stale_disconnect(holders: dict[str, str], event: HubEvent) -> bool:
    """A disconnect from a process that no longer holds the patient (who already reconnected elsewhere)."""
    if event["type"] != "patient_disconnected":
        return False
    holder = holders.get(event["session_id"])
    return holder is not None and holder != event.get("holder", event.get("origin"))


def track_holder(holders: dict[str, str], event: HubEvent) -> None:
    """Which process holds each connected patient's socket (`holders`: session id -> worker or replica)."""
    if event["type"] == "patient_connected" and event.get("origin"):
        holders[event["session_id"]] = event.get("origin", "")
    elif event["type"] == "patient_disconnected":
        holders.pop(event["session_id"], None)


@dataclass
class SessionSummary:
    session_id: str
    started_at: str
    status: str = "active"  # active | taken_over | disconnected
    connected: bool = True
    level: str | None = None
    urgency: str | None = None
    red_flags: list[str] = field(default_factory=list)
    red_flag_labels: list[dict[str, Any]] = field(default_factory=list)
    """The red flags by name: `{"id", "name"}` each."""
    rationale: str | None = None
    needs_clinician: bool = False
    """The clinical engine could not read a message: a clinician must, ahead of the other non-emergencies."""
    conditions: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    """The findings behind the disposition kept (`{"id", "name"}` each), with its conditions and rationale."""
    waiting_since: str | None = None
    last_activity: str | None = None
    last_text: str = ""
    messages: int = 0
    clinician: str | None = None
    state: str = "open"  # open | assigned | resolved
    assigned_to: str | None = None
    assigned_by: str | None = None
    assigned_at: str | None = None
    resolved_by: str | None = None
    resolved_at: str | None = None

    def sort_key(self) -> tuple:
        """Live sessions before offline ones, resolved last; then most urgent, unread, longest waiting."""
        urgency = Urgency.rank_of(self.urgency)
        return (
            self.state == "resolved",
            not self.connected,
            urgency,
            not (self.needs_clinician and urgency > 0),
            Level.rank_of(self.level),
            self.waiting_since or "~",
            self.started_at,
        )


@dataclass
class SessionRecord:
    summary: SessionSummary
    transcript: list[TranscriptEntry] = field(default_factory=list)

    def find(self, message_id: str, kind: str) -> TranscriptEntry | None:
        for item in reversed(self.transcript):
            if item.get("message_id") == message_id and item.get("kind") == kind:
                return item
        return None

    def entry(self, message_id: str, kind: str, at: str | None = None) -> TranscriptEntry:
        """The transcript entry of one turn's side (`patient` or `assistant`), created in place if new."""
        found = self.find(message_id, kind)
        if found is not None:
            return found
        item: TranscriptEntry = {"kind": kind, "message_id": message_id, "text": "", "at": at or now_iso()}
        if kind == "patient":
            # The patient's words precede the answer they prompted, whichever event arrived first.
            index = next((i for i, e in enumerate(self.transcript) if e.get("message_id") == message_id), None)
            self.transcript.insert(len(self.transcript) if index is None else index, item)
        else:
            self.transcript.append(item)
        del self.transcript[:-TRANSCRIPT_LIMIT]
        return item


def apply_event(sessions: dict[str, SessionRecord], event: HubEvent) -> SessionSummary | None:
    """Fold one event into the registry; returns the session's summary when it changed."""
    session_id = event["session_id"]
    at = event.get("at") or now_iso()
    record = sessions.get(session_id)
    if record is None:
        if event["type"] not in ("patient_connected", "patient_message", "triage"):
            return None
        record = sessions[session_id] = SessionRecord(SessionSummary(session_id=session_id, started_at=at))
    summary = record.summary
    if event["type"] == "token":
        entry = record.entry(event["message_id"], "assistant", at)
        if not entry.get("done"):  # a token heard after its `done` (which may carry the whole answer) is late
            entry["text"] = entry.get("text", "") + event["text"]
        return None
    if event["type"] == "patient_connected":
        summary.connected = True
        summary.status = "taken_over" if summary.clinician else "active"
    elif event["type"] == "patient_disconnected":
        summary.connected = False
        summary.status = "disconnected"
    elif event["type"] == "patient_message":
        if record.find(event["message_id"], "patient") is None:
            summary.messages += 1
        record.entry(event["message_id"], "patient", at)["text"] = event["text"]
        summary.last_text = event["text"][:200]
        _reopen(summary)
    elif event["type"] == "triage":
        # The queue keeps the most urgent disposition the session has had: a later "I feel a bit better"
        # must not sink an earlier emergency down the queue before a clinician has seen it.
        if Level.rank_of(event.get("level")) <= Level.rank_of(summary.level):
            summary.level, summary.urgency = event.get("level"), event.get("urgency")
            summary.rationale = event.get("rationale")
            summary.conditions = list(event.get("conditions") or [])
            summary.findings = list(event.get("findings") or [])
        summary.needs_clinician = summary.needs_clinician or bool(event.get("needs_clinician"))
        summary.red_flags = list(dict.fromkeys([*summary.red_flags, *(event.get("red_flags") or [])]))
        known = {label.get("id") for label in summary.red_flag_labels}
        summary.red_flag_labels += [
            label for label in event.get("red_flag_labels") or [] if label.get("id") not in known
        ]
        summary.waiting_since = summary.waiting_since or at
        _reopen(summary)
        # A turn's own disposition, as the transcript shows it; the reasons (rationale, conditions, findings) are
        # the summary's, for the most urgent turn, and every turn's are in the audit trail. Kept whole for each of
        # up to TRANSCRIPT_LIMIT turns of every live session they were most of the registry's memory (issue 20).
        record.entry(event["message_id"], "assistant", at)["triage"] = {
            "level": event.get("level"),
            "urgency": event.get("urgency"),
            "red_flags": list(event.get("red_flags") or []),
            "needs_clinician": bool(event.get("needs_clinician")),
        }
    elif event["type"] == "done":
        entry = record.entry(event["message_id"], "assistant", at)
        if isinstance(event.get("text"), str):
            entry["text"] = event["text"]
        entry["engine"], entry["audit_id"], entry["done"] = event.get("engine"), event.get("audit_id"), True
    elif event["type"] == "clinician_message":
        if record.find(event["message_id"], "clinician") is None:
            record.transcript.append(
                {
                    "kind": "clinician",
                    "message_id": event["message_id"],
                    "text": event["text"],
                    "at": at,
                    "clinician": event.get("clinician"),
                }
            )
            del record.transcript[:-TRANSCRIPT_LIMIT]
        summary.waiting_since = None
    elif event["type"] == "takeover":
        summary.clinician = event["clinician"]
        summary.status = "taken_over" if summary.connected else "disconnected"
        if summary.assigned_to is None or summary.state == "resolved":  # whoever talks to the patient handles it
            _assign(summary, event["clinician"], event["clinician"], at)
    elif event["type"] == "release":
        summary.clinician = None
        summary.status = "active" if summary.connected else "disconnected"
    elif event["type"] == "assign":
        _assign(summary, event["clinician"], event.get("by"), at)
    elif event["type"] == "unassign":
        summary.assigned_to = summary.assigned_by = summary.assigned_at = None
        if summary.state == "assigned":
            summary.state = "open"
    elif event["type"] == "resolve":
        summary.state, summary.resolved_by, summary.resolved_at = "resolved", event.get("by"), at
        summary.waiting_since = None
    elif event["type"] == "reopen":
        _reopen(summary)
    else:
        return None
    summary.last_activity = at
    return summary


def _assign(summary: SessionSummary, clinician: str, by: str | None, at: str) -> None:
    summary.assigned_to, summary.assigned_by, summary.assigned_at = clinician, by, at
    summary.state = "assigned"
    summary.resolved_by = summary.resolved_at = None


def _reopen(summary: SessionSummary) -> None:
    """Back in the queue (a new message, or a clinician's `reopen`): to whoever it was assigned to, if anyone."""
    if summary.state == "resolved":
        summary.state = "assigned" if summary.assigned_to else "open"
        summary.resolved_by = summary.resolved_at = None


def record_json(record: SessionRecord) -> str:
    """A session as the store keeps it (redacted text only, like every hub payload)."""
    return json.dumps({"summary": asdict(record.summary), "transcript": record.transcript}, separators=(",", ":"))


def record_from_json(data: str) -> SessionRecord:
    """The inverse of `record_json`; fields added or removed since it was written are tolerated."""
    raw = json.loads(data)
    known = {f.name for f in fields(SessionSummary)}
    summary = SessionSummary(**{k: v for k, v in raw["summary"].items() if k in known})
    return SessionRecord(summary, list(raw.get("transcript") or []))


class QueueStore(Protocol):
    """Where the queue is kept between restarts (app/hub_store.py). Called from a worker thread."""

    def load(self) -> list[str]: ...

    def write(self, records: dict[str, str], gone: set[str]) -> None: ...


class Hub(Protocol):
    """What chat and clinician sockets need from the hub, whatever carries the events."""

    async def publish(self, event: HubEvent) -> None: ...

    def subscribe(self) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Delivered]]: ...

    def patient_inbox(self, session_id: str) -> contextlib.AbstractAsyncContextManager[asyncio.Queue[PatientFrame]]: ...

    async def deliver_to_patient(self, session_id: str, frame: PatientFrame) -> int: ...

    async def takeover(self, session_id: str, clinician: str) -> SessionSummary: ...

    async def release(self, session_id: str, clinician: str, *, force: bool = False) -> SessionSummary: ...

    async def assign(self, session_id: str, clinician: str, by: str) -> SessionSummary: ...

    async def unassign(self, session_id: str, by: str) -> SessionSummary: ...

    async def resolve(self, session_id: str, by: str) -> SessionSummary: ...

    async def reopen(self, session_id: str, by: str) -> SessionSummary: ...

    def in_charge(self, session_id: str) -> str | None: ...

    def sessions(self) -> list[SessionSummary]: ...

    def session(self, session_id: str) -> SessionRecord:
        """The session as this process holds it (a worker's copy keeps no transcript: `record`)."""
        ...

    async def record(self, session_id: str) -> SessionRecord:
        """The session with its whole transcript."""
        ...


class InProcessHub:
    """One process: the registry in memory, subscribers and patient inboxes as asyncio queues; with a `store`,
    the registry is loaded at `start` and written behind as it changes (`close` writes what is left)."""

    def __init__(self, max_sessions: int = 1000, store: QueueStore | None = None) -> None:
        self._sessions: dict[str, SessionRecord] = {}
        self._subscribers: set[asyncio.Queue[Delivered | None]] = set()
        self._inboxes: dict[str, set[asyncio.Queue[PatientFrame]]] = {}
        self._max_sessions = max_sessions
        self._disconnects_since_prune = 0
        self._store = store
        self._dirty: set[str] = set()
        self._wake = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None

    # the durable copy

    async def start(self) -> None:
        """Load the stored queue. Nobody is connected to a process that just started: every patient shows as
        offline until their widget reconnects (it resumes the same session)."""
        if self._store is None:
            return
        for data in await asyncio.to_thread(self._store.load):
            try:
                record = record_from_json(data)
            except (ValueError, KeyError, TypeError):
                log.warning("an unreadable stored queue entry was skipped")
                continue
            record.summary.connected = False
            record.summary.status = "disconnected"
            self._sessions[record.summary.session_id] = record
        self._writer = asyncio.create_task(self._write_behind(), name="hub-store")

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
            self._writer = None
            await self._flush()

    def _changed(self, session_id: str) -> None:
        if self._store is not None:
            self._dirty.add(session_id)
            self._wake.set()

    async def _write_behind(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(STORE_BATCH_S)
            self._wake.clear()
            if not await self._flush():
                await asyncio.sleep(STORE_RETRY_S)
                self._wake.set()

    async def _flush(self) -> bool:
        """Write the sessions changed since the last write (their state now, serialised here, written in a
        thread). On failure they stay to be written at the next try; the live queue is unaffected."""
        if self._store is None or not self._dirty:
            return True
        dirty, self._dirty = self._dirty, set()
        rows = {sid: record_json(self._sessions[sid]) for sid in dirty if sid in self._sessions}
        try:
            await asyncio.to_thread(self._store.write, rows, dirty - rows.keys())
        except Exception:  # a database hiccup must not stop the queue
            log.warning("the clinician queue could not be saved; retrying", exc_info=True)
            self._dirty |= dirty
            return False
        return True

    # events

    async def publish(self, event: HubEvent) -> None:
        event = stamped(event)
        summary = apply_event(self._sessions, event)
        self._fan_out(event)
        if summary is not None and self._subscribers:  # the snapshot is for screens; none watching, none made
            self._fan_out(SessionChanged(type="session", session_id=summary.session_id, session=asdict(summary)))
        if event["type"] != "token" and event["session_id"] in self._sessions:
            self._changed(event["session_id"])
        if event["type"] in ("patient_disconnected", "resolve"):
            self._disconnects_since_prune += 1
        self._prune()

    def _fan_out(self, event: Delivered) -> None:
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
        gone = sorted(  # resolved ones first, then the longest quiet
            (r.summary for r in self._sessions.values() if not r.summary.connected),
            key=lambda s: (s.state != "resolved", s.last_activity or s.started_at),
        )
        for summary in gone[: len(self._sessions) - target]:
            del self._sessions[summary.session_id]
            self._changed(summary.session_id)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[Delivered]]:
        queue: asyncio.Queue[Delivered | None] = asyncio.Queue(maxsize=SUBSCRIBER_BACKLOG)
        self._subscribers.add(queue)

        async def events() -> AsyncIterator[Delivered]:
            while (event := await queue.get()) is not None:
                yield event

        try:
            yield events()
        finally:
            self._subscribers.discard(queue)

    @contextlib.asynccontextmanager
    async def patient_inbox(self, session_id: str) -> AsyncIterator[asyncio.Queue[PatientFrame]]:
        queue: asyncio.Queue[PatientFrame] = asyncio.Queue()
        self._inboxes.setdefault(session_id, set()).add(queue)
        try:
            yield queue
        finally:
            inboxes = self._inboxes.get(session_id, set())
            inboxes.discard(queue)
            if not inboxes:
                self._inboxes.pop(session_id, None)

    async def deliver_to_patient(self, session_id: str, frame: PatientFrame) -> int:
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

    # the queue's lifecycle (last word wins across replicas: these are labels, not exclusive like a takeover)

    async def assign(self, session_id: str, clinician: str, by: str) -> SessionSummary:
        self.session(session_id)
        await self.publish({"type": "assign", "session_id": session_id, "clinician": clinician, "by": by})
        return self.session(session_id).summary

    async def unassign(self, session_id: str, by: str) -> SessionSummary:
        if self.session(session_id).summary.assigned_to is None:
            raise HubConflict("nobody is assigned to this session")
        await self.publish({"type": "unassign", "session_id": session_id, "by": by})
        return self.session(session_id).summary

    async def resolve(self, session_id: str, by: str) -> SessionSummary:
        summary = self.session(session_id).summary
        if summary.state == "resolved":
            raise HubConflict("this session is already resolved")
        if summary.clinician is not None:
            raise HubConflict(f"hand the conversation back first: it is in the hands of {summary.clinician}")
        await self.publish({"type": "resolve", "session_id": session_id, "by": by})
        return self.session(session_id).summary

    async def reopen(self, session_id: str, by: str) -> SessionSummary:
        if self.session(session_id).summary.state != "resolved":
            raise HubConflict("this session is not resolved")
        await self.publish({"type": "reopen", "session_id": session_id, "by": by})
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

    async def record(self, session_id: str) -> SessionRecord:
        return self.session(session_id)
