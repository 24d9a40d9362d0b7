"""Runs one user message through the graph and guarantees exactly one audit record for it.

The record node writes the record on a normal finish. If the turn is cancelled (client gone), times out or
fails, the record is written here instead, from what the trace holds so far, shielded from cancellation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any, Literal

from langgraph.graph.state import CompiledStateGraph

from agents.audit_record import turn_record
from agents.deps import AgentDeps
from agents.state import Emit, TurnContext, TurnTrace
from agents.telemetry import traced_turn
from compliance.audit import TurnRecord, TurnStatus

log = logging.getLogger(__name__)

class ClientGone(Exception):
    """Raised by an emitter whose client has disconnected: the turn ends as interrupted."""


class TriageAgent:
    def __init__(self, graph: CompiledStateGraph, deps: AgentDeps) -> None:
        self._graph = graph
        self._deps = deps
        self._pending_records: set[asyncio.Task[str]] = set()

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
    ) -> TurnTrace:
        trace = TurnTrace(
            session_id=session_id,
            message_id=str(uuid.uuid4()),
            client_msg_id=client_msg_id,
            audience=audience,
        )
        config = {"configurable": {"thread_id": session_id}}
        status: TurnStatus = "interrupted"
        error: str | None = None
        # A durable "received" marker (the spooling trail's; app/main.py), so that a process killed mid-answer
        # still leaves the message in the trail, as interrupted, after the restart. Its fsync (shared with the
        # markers of messages arriving meanwhile) overlaps redaction and assessment; no frame goes out before it
        # is on disk.
        marker = self._deps.writer.received(session_id, trace.message_id, client_msg_id, trace.received_at, audience)

        async def emit_after_marker(frame: dict[str, Any]) -> None:
            nonlocal marker
            if marker is not None:
                await marker
                marker = None
            await emit(frame)

        context = TurnContext(
            deps=self._deps, raw_text=text, trace=trace, clinician_in_charge=clinician_in_charge, emit=emit_after_marker
        )
        try:
            await self._graph.ainvoke({}, config, context=context, durability="exit")
            status = "complete"
        except (asyncio.CancelledError, ClientGone):
            raise
        except Exception as exc:
            status, error = "error", type(exc).__name__
            log.exception("turn failed", extra={"message_id": trace.message_id})
            raise
        finally:
            if trace.record_task is None:
                record = turn_record(trace, status=status, error=error)
                trace.record_task = asyncio.ensure_future(self._record_after(marker, record))
            await self._await_record(trace)
        return trace

    async def _record_after(self, marker: asyncio.Future[None] | None, record: TurnRecord) -> str:
        """Write the record once the received marker is down (the record settles the marker)."""
        if marker is not None:
            with contextlib.suppress(Exception):
                await marker
        return await self._deps.writer.record(record)

    async def _await_record(self, trace: TurnTrace) -> None:
        task = trace.record_task
        assert task is not None
        self._pending_records.add(task)
        task.add_done_callback(self._pending_records.discard)
        trace.audit_id = await asyncio.shield(task)

    async def drain(self) -> None:
        """Wait for audit writes still in flight (shutdown)."""
        if self._pending_records:
            await asyncio.gather(*self._pending_records, return_exceptions=True)
        await self._deps.writer.drain()
