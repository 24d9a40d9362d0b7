"""Node 4c: a clinician has taken the conversation over and the message is no emergency: the agent sends no
answer (the clinician's own words reach the patient through app/routes/clinician.py). The message is still
redacted, assessed (its `triage` frame went to the clinician's queue) and recorded."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agents.state import TriageState, TurnContext


async def clinician_hold(state: TriageState, runtime: Runtime[TurnContext]) -> TriageState:
    return {}
