"""Runs one user message through the graph and guarantees exactly one audit record for it.

The record has one owner: this runner. The graph's nodes only fill in the turn's trace; once the graph has
finished (the answer sent, the conversation saved), or has been cancelled (client gone), timed out or failed, the
runner writes the one record from what the trace holds, with the status that ending gives it (`complete`,
`interrupted`, `error`), shielded from cancellation. A turn whose answer was complete (the graph's last node
ran) is recorded `complete` even if saving the conversation then fails or is cancelled: the record says what
the patient was told. The runner waits for the record to be durable (in the database or the spool) and only
then sends `done`, with its audit id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig

from agents.audit_record import message_received, turn_record
from agents.deps import AgentDeps
from agents.graph import TriageGraph
from agents.nodes.emergency_script import stream_script
from agents.nodes.frames import triage_frame
from agents.screen import Screening, refusal_record, screen
from agents.state import Emit, Pace, TurnContext, TurnTrace, no_pause
from agents.telemetry import traced_turn
from compliance.audit import TurnRecord, TurnStatus
from compliance.audit.writer import TurnWriter
from compliance.language import detect

log = logging.getLogger(__name__)


def _received_marker(writer: TurnWriter, trace: TurnTrace) -> asyncio.Future[None] | None:
    """The durable marker that the trace's message arrived (None when the trail keeps none)."""
    message = trace.message
    return writer.received(
        trace.session_id, trace.message_id, message.client_msg_id, message.received_at, message.audience
    )


def _quiet(future: asyncio.Future[Any]) -> None:
    """Retrieve a fire-and-forget future's outcome (its writer already logged any failure)."""
    if not future.cancelled():
        future.exception()


def _done_frame(trace: TurnTrace) -> dict[str, Any]:
    used = next((a for a in reversed(trace.attempts) if a.outcome == "used"), None)
    return {
        "type": "done",
        "message_id": trace.message_id,
        "engine": used.engine if used else None,
        "audit_id": trace.audit_id,
    }


class _MarkedEmit:
    """Sends a message's frames once its durable received marker is down (so every message that got a frame has
    a record, whatever happens next; the fsync is shared with the markers of messages arriving meanwhile and overlaps
    redaction and assessment); after the `triage` frame it adds what the patient was told to the marker (not
    waited for), so a record made after a crash carries the disposition and the redacted text. `marker` is None
    once it is down, or when the trail keeps none."""

    def __init__(self, writer: TurnWriter, trace: TurnTrace, emit: Emit) -> None:
        self._writer = writer
        self._trace = trace
        self._emit = emit
        self.marker = _received_marker(writer, trace)

    async def __call__(self, frame: dict[str, Any]) -> None:
        if self.marker is not None:
            await self.marker
            self.marker = None
        await self._emit(frame)
        if frame.get("type") == "triage":
            told = self._writer.told(turn_record(self._trace, status="interrupted", error="process_restarted"))
            if told is not None:
                told.add_done_callback(_quiet)


class ClientGone(Exception):
    """Raised by an emitter whose client has disconnected: the turn ends as interrupted."""


class TriageAgent:
    def __init__(self, graph: TriageGraph, deps: AgentDeps) -> None:
        self._graph = graph
        self._deps = deps
        self._pending_records: set[asyncio.Future[str]] = set()

    @traced_turn
    async def handle_message(
        self,
        session_id: str,
        text: str,
        emit: Emit,
        *,
        client_msg_id: str | None = None,
        audience: Literal["patient", "clinician"] = "patient",
        clinician_in_charge: bool = False,
        on_answered: Callable[[TurnTrace], None] | None = None,
        thread_id: str | None = None,
        actor: str | None = None,
        lang: str | None = None,
        pace: Pace | None = None,
        screened: Screening | None = None,
    ) -> TurnTrace:
        """Run one message: frames to `emit`, then its one record, then its `done` frame (with the audit id).

        The record is filed under `session_id`; the conversation's state is kept under `thread_id` (default the
        same): a clinician's consult about a patient has a thread of its own, is filed under the patient's
        session, and names the clinician who asked as `actor`.

        `lang` is the caller's language hint (the message frame's `lang`, else the widget's `data-lang`): the
        message's language is detected once, here, before redaction (compliance/language.py; a supported hint
        wins), kept on the trace for every stage and recorded in the audit entry.

        `on_answered` is called once the answer is out and the conversation state saved, before the record is
        waited for: the caller may start the next message of the conversation then (app/routes/chat.py), so a
        slow audit database never holds a conversation's next `triage` frame (issue 16).

        `pace` is awaited before each chunk of the answer is streamed (the chat route's admission control holds
        streams back while other turns wait for their `triage` frame, issue 20).

        `screened`: this message as the admission screen read it (`screen`), admitted over the bound as an
        emergency; the turn keeps its trace (message id, arrival, the screen's time) and its reading."""
        trace = (
            screened.trace
            if screened is not None
            else TurnTrace(
                session_id=session_id,
                message_id=str(uuid.uuid4()),
                message=message_received(client_msg_id, audience, detect(text, lang)),
                actor=actor,
            )
        )
        config: RunnableConfig = {"configurable": {"thread_id": thread_id or session_id}}
        # A durable "received" marker (the spooling trail's; app/main.py), so that a process killed mid-answer
        # still leaves the message in the trail, as interrupted, after the restart. Its fsync (shared with the
        # markers of messages arriving meanwhile) overlaps redaction and assessment; no frame goes out before it
        # is on disk. So every message that got a frame has a record, whatever happens next.
        emit_after_marker = _MarkedEmit(self._deps.writer, trace, emit)

        context = TurnContext(
            deps=self._deps,
            raw_text=text,
            trace=trace,
            clinician_in_charge=clinician_in_charge,
            emit=emit_after_marker,
            pace=pace or no_pause,
            screened=screened,
        )
        try:
            await self._graph.ainvoke({}, config, context=context, durability="exit")
        except (asyncio.CancelledError, ClientGone):
            await self._settle(trace, emit_after_marker.marker, "interrupted", None)
            raise
        except Exception as exc:
            log.exception("turn failed", extra={"message_id": trace.message_id})
            await self._settle(trace, emit_after_marker.marker, "error", type(exc).__name__)
            raise
        record = self._start_record(trace, emit_after_marker.marker, "complete", None)
        if on_answered is not None:
            on_answered(trace)
        await self._await_record(record, trace)
        await emit_after_marker(_done_frame(trace))
        return trace

    async def repeat_emergency(self, screening: Screening, reason: str, emit: Emit) -> TurnTrace:
        """Answer a screened follow-up to the emergency its conversation was already told of (agents/screen.py,
        `repeats_emergency`) with the fixed script again, without a turn: its `triage` frame, the script, its one
        record (route `emergency_script`, `reason` saying why), then `done`. No model is asked and nothing is saved
        in the conversation; frames wait for the received marker as a turn's do."""
        trace = screening.trace
        deps = self._deps
        marked = _MarkedEmit(deps.writer, trace, emit)
        context = TurnContext(deps=deps, raw_text="", trace=trace, emit=marked, assessment=screening.assessment)
        context.plan = deps.router.plan(screening.assessment, clinician_in_charge=False, emergency_told=False)
        trace.routing.route, trace.routing.reason = context.plan.kind, reason
        try:
            await marked(triage_frame(trace, screening.assessment))
            await stream_script({"conversation": list(screening.conversation)}, context)
        except (asyncio.CancelledError, ClientGone):
            await self._settle(trace, marked.marker, "interrupted", None)
            raise
        except Exception as exc:
            log.exception("emergency repeat failed", extra={"message_id": trace.message_id})
            await self._settle(trace, marked.marker, "error", type(exc).__name__)
            raise
        trace.answered = time.perf_counter()
        await self._settle(trace, marked.marker, "complete", None)
        await marked(_done_frame(trace))
        return trace

    async def screen(
        self,
        session_id: str,
        text: str,
        *,
        client_msg_id: str | None = None,
        lang: str | None = None,
        thread_id: str | None = None,
    ) -> Screening:
        """Read a message the service is too busy to start as the graph would (agents/screen.py): redacted and
        assessed in its conversation, nothing saved. An emergency is then run with `handle_message`."""
        trace = TurnTrace(
            session_id=session_id,
            message_id=str(uuid.uuid4()),
            message=message_received(client_msg_id, "patient", detect(text, lang)),
        )
        config: RunnableConfig = {"configurable": {"thread_id": thread_id or session_id}}
        return await screen(self._graph, self._deps, trace, text, config)

    async def refuse(self, screening: Screening, reason: str) -> None:
        """Record a screened message as refused (busy). When this returns, the message is durably known to the trail
        as for an admitted turn's `triage` frame: its `received` marker is on disk (a restart before the record
        records it as interrupted, with what the marker was told), or, for a trail that keeps no markers, its record
        is. The record itself follows in the background (drained at shutdown), so the patient hears `busy` after
        one marker fsync rather than after the audit database's write."""
        trace = screening.trace
        record = refusal_record(screening, reason)
        writer = self._deps.writer
        marker = _received_marker(writer, trace)
        if marker is not None:
            await asyncio.shield(marker)
            told = writer.told(record)
            if told is not None:
                told.add_done_callback(_quiet)
        task = writer.record(record)
        self._pending_records.add(task)
        task.add_done_callback(self._pending_records.discard)
        task.add_done_callback(_quiet)
        if marker is None:
            trace.audit_id = await asyncio.shield(task)

    async def _settle(
        self, trace: TurnTrace, marker: asyncio.Future[None] | None, status: TurnStatus, error: str | None
    ) -> None:
        """Write the message's one record and wait until it is durable (shielded)."""
        await self._await_record(self._start_record(trace, marker, status, error), trace)

    def _start_record(
        self, trace: TurnTrace, marker: asyncio.Future[None] | None, status: TurnStatus, error: str | None
    ) -> asyncio.Future[str]:
        """Start the turn's one record (group-committed); its future holds the audit id once it is durable."""
        if trace.answered is not None:  # the whole answer went out: only saving the conversation was left
            status, error = "complete", None
        record = turn_record(trace, status=status, error=error)
        if marker is None:  # the marker is down (the first frame waited for it), or the trail keeps none
            return self._deps.writer.record(record)
        return asyncio.ensure_future(self._record_after(marker, record))

    async def _record_after(self, marker: asyncio.Future[None], record: TurnRecord) -> str:
        """Write the record once the received marker is down (the record settles the marker)."""
        with contextlib.suppress(Exception):
            await marker
        return await self._deps.writer.record(record)

    async def _await_record(self, task: asyncio.Future[str], trace: TurnTrace) -> None:
        """Wait for the record, shielded: a cancelled turn still leaves it written (drained at shutdown)."""
        self._pending_records.add(task)
        task.add_done_callback(self._pending_records.discard)
        trace.audit_id = await asyncio.shield(task)

    async def drain(self) -> None:
        """Wait for audit writes still in flight (shutdown)."""
        if self._pending_records:
            await asyncio.gather(*self._pending_records, return_exceptions=True)
        await self._deps.writer.drain()
