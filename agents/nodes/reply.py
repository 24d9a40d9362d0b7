"""Node 5, where the branches join: what the patient was sent (nothing, while a clinician is in charge) becomes
the conversation's assistant turn, and the trace notes that the answer is complete.

The runner (agents/runner.py) writes the turn's one audit record once the graph has finished: this node does not.
"""

from __future__ import annotations

import time

from langgraph.runtime import Runtime

from agents.state import TriageState, TurnContext
from agents.timing import timed


async def reply(state: TriageState, runtime: Runtime[TurnContext]) -> TriageState:
    trace = runtime.context.trace
    with timed(trace, "reply"):
        answer = "".join(trace.output)
    trace.answered = time.perf_counter()
    return {"conversation": [{"role": "assistant", "content": answer}]}
