"""Node 5: close the output guard: release anything it still holds. Its events are already on the trace."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agents.state import TriageState, TurnContext
from agents.timing import timed


async def guard(state: TriageState, runtime: Runtime[TurnContext]) -> TriageState:
    trace = runtime.context.trace
    with timed(trace, "guard"):
        output_guard = trace.guard
        if output_guard is not None:
            rest = output_guard.flush()
            if rest:
                trace.output.append(rest)
                await runtime.context.emit({"type": "token", "message_id": trace.message_id, "text": rest})
        answer = "".join(trace.output)
    return {"answer": answer, "conversation": [{"role": "assistant", "content": answer}]}
