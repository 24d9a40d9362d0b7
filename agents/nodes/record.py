"""Node 6: start the turn's one audit record (group-committed); the runner sends `done` once it is durable.

The graph does not wait for the write: it ends, and the conversation state is saved, while the record is being
committed, so a slow audit database holds neither this answer nor the conversation's next message (issue 16).
"""

from __future__ import annotations

from langgraph.runtime import Runtime

from agents.audit_record import turn_record
from agents.state import TriageState, TurnContext
from agents.timing import timed


async def record(state: TriageState, runtime: Runtime[TurnContext]) -> TriageState:
    ctx = runtime.context
    trace = ctx.trace
    with timed(trace, "record"):
        # Kept on the trace: the runner awaits this same write (shielded) instead of writing a second record.
        trace.record_task = ctx.deps.writer.record(turn_record(trace, status="complete"))
    return {}
