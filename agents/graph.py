"""The triage graph, wired: redact -> assess -> route -> generate -> guard -> record."""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agents.nodes.assess import assess
from agents.nodes.generate import generate
from agents.nodes.guard import guard
from agents.nodes.record import record
from agents.nodes.redact import redact
from agents.nodes.route import route
from agents.state import TriageState, TurnContext
from agents.telemetry import traced_node

NODES = (
    ("redact", redact),
    ("assess", assess),
    ("route", route),
    ("generate", generate),
    ("guard", guard),
    ("record", record),
)


#: The compiled graph: state in and out, with the turn's runtime context.
TriageGraph = CompiledStateGraph[TriageState, TurnContext, TriageState, TriageState]


def build_graph(checkpointer: BaseCheckpointSaver[Any] | None = None) -> TriageGraph:
    builder = StateGraph(TriageState, context_schema=TurnContext)
    previous = START
    for name, node in NODES:
        builder.add_node(name, traced_node(name, node))
        builder.add_edge(previous, name)
        previous = name
    builder.add_edge(previous, END)
    return builder.compile(checkpointer=checkpointer)
