"""Node 6: write the turn's one audit record, then tell the client it is done."""

from __future__ import annotations

import asyncio

from langgraph.runtime import Runtime

from agents.audit_record import turn_record
from agents.state import TriageState, TurnContext
from agents.timing import timed


async def record(state: TriageState, runtime: Runtime[TurnContext]) -> dict:
    ctx = runtime.context
    trace = ctx.trace
    with timed(trace, "record"):
        # Shielded and kept on the trace: if the turn is cancelled now, the runner awaits this same write
        # instead of writing a second record.
        trace.record_task = ctx.deps.writer.record(turn_record(trace, status="complete"))
        audit_id = trace.audit_id = await asyncio.shield(trace.record_task)
    used = next((a for a in reversed(trace.attempts) if a.outcome == "used"), None)
    await ctx.emit(
        {
            "type": "done",
            "message_id": trace.message_id,
            "engine": used.engine if used else None,
            "audit_id": audit_id,
        }
    )
    return {}
