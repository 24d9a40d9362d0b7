"""Node 3: emergencies go to the fixed script; everything else to the engine chain."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agents.state import TriageState, TurnContext
from agents.timing import timed
from agents.triage import Assessment


async def route(state: TriageState, runtime: Runtime[TurnContext]) -> dict:
    ctx = runtime.context
    with timed(ctx.trace, "route"):
        plan = ctx.deps.router.plan(
            Assessment.model_validate(state["assessment"]), clinician_in_charge=ctx.clinician_in_charge
        )
        ctx.trace.plan = plan.model_dump(mode="json")
    return {"plan": ctx.trace.plan}
