"""The triage graph, wired. It branches where the turn does, on the route's plan:

    redact -> assess -> route -+-> emergency_script -+-> reply -> END
                               +-> generate ---------+
                               +-> clinician_hold ---+

`emergency_script`: the fixed emergency message, no model. `generate`: the engine chain through the output guard
(also an emergency's follow-up). `clinician_hold`: a clinician has the conversation; nothing is sent. `reply`: the
answer joins the conversation. The nodes fill in the turn's trace; the runner (agents/runner.py) writes its one
audit record after the graph.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agents.nodes.assess import assess
from agents.nodes.clinician_hold import clinician_hold
from agents.nodes.emergency_script import emergency_script
from agents.nodes.generate import generate
from agents.nodes.redact import redact
from agents.nodes.reply import reply
from agents.nodes.route import route, who_answers
from agents.state import TriageState, TurnContext
from agents.telemetry import traced_node

NODES = (
    ("redact", redact),
    ("assess", assess),
    ("route", route),
    ("emergency_script", emergency_script),
    ("generate", generate),
    ("clinician_hold", clinician_hold),
    ("reply", reply),
)

#: The node that answers, by the route's plan (agents/engines/router.py `RoutePlan.kind`).
ANSWERED_BY: dict[Hashable, str] = {
    "emergency_script": "emergency_script",
    "emergency_follow_up": "generate",
    "engine_chain": "generate",
    "clinician_in_charge": "clinician_hold",
}

#: The compiled graph: state in and out, with the turn's runtime context.
TriageGraph = CompiledStateGraph[TriageState, TurnContext, TriageState, TriageState]


def build_graph(checkpointer: BaseCheckpointSaver[Any] | None = None) -> TriageGraph:
    builder = StateGraph(TriageState, context_schema=TurnContext)
    for name, node in NODES:
        builder.add_node(name, traced_node(name, node))
    builder.add_edge(START, "redact")
    builder.add_edge("redact", "assess")
    builder.add_edge("assess", "route")
    builder.add_conditional_edges("route", who_answers, ANSWERED_BY)
    for answering in dict.fromkeys(ANSWERED_BY.values()):
        builder.add_edge(answering, "reply")
    builder.add_edge("reply", END)
    return builder.compile(checkpointer=checkpointer)
