"""Node 3: decide who answers; the graph branches on the plan's kind (agents/graph.py).

An emergency gets the fixed script (`emergency_script`); while a clinician has taken the conversation over,
nothing else is answered (`clinician_hold`); everything else is answered by the engine chain through the output
guard (`generate`).

A conversation keeps what it was told in an emergency (`emergency_told`: the level and the reasons, red flags
and emergency conditions): a later message that brings nothing more urgent and no new reason is a follow-up,
answered under the same emergency disposition instead of with the whole script again. A new red flag, a new
emergency condition or a more urgent level gets the script at once.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.state import TriageState, TurnContext
from agents.timing import timed
from agents.triage import Assessment
from agents.triage.levels import Level


def emergency_reasons(assessment: Assessment) -> set[str]:
    """Why this is an emergency: its red flags and the emergency conditions considered."""
    return set(assessment.red_flags) | {c.id for c in assessment.conditions if c.level.urgency == assessment.urgency}


def already_told(told: dict[str, Any] | None, assessment: Assessment) -> bool:
    if told is None or not assessment.is_emergency:
        return False
    return Level(told["level"]).rank <= assessment.level.rank and emergency_reasons(assessment) <= set(told["reasons"])


async def route(state: TriageState, runtime: Runtime[TurnContext]) -> TriageState:
    ctx = runtime.context
    with timed(ctx.trace, "route"):
        assessment = ctx.assessed()
        told = state.get("emergency_told")
        plan = ctx.plan = ctx.deps.router.plan(
            assessment, clinician_in_charge=ctx.clinician_in_charge, emergency_told=already_told(told, assessment)
        )
        ctx.trace.routing.route, ctx.trace.routing.reason = plan.kind, plan.reason
    if plan.kind != "emergency_script":
        return {}
    before = told or {"level": assessment.level.value, "reasons": []}
    return {
        "emergency_told": {
            "level": Level(before["level"]).at_least(assessment.level).value,
            "reasons": sorted(set(before["reasons"]) | emergency_reasons(assessment)),
        }
    }


async def who_answers(state: TriageState, runtime: Runtime[TurnContext]) -> str:
    """The graph's branch after this node: the plan's kind (`async`, as the nodes: no thread hop)."""
    return runtime.context.planned().kind
