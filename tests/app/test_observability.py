"""Traces and logs carry no PHI: a span per graph node, JSON log lines, and a scan of everything the running
service wrote while PHI-laden messages went through it."""

from __future__ import annotations

import asyncio
import json
import logging
import sys

import httpx
import pytest
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from typing_extensions import TypedDict

from agents.graph import ANSWERED_BY, NODES
from agents.telemetry import traced_node
from app.logging import JsonFormatter, RequestLineFilter
from tests.support.chat_client import ask, open_chat
from tests.support.servers import running_app

NAME, PHONE, EMAIL, SSN, DOB, STREET = (
    "Margaret Okonkwo-Baptiste",
    "415-555-0193",
    "margaret.okonkwo@example.com",
    "123-45-6789",
    "03/14/1961",
    "1428 Elm Street",
)
PHI_MESSAGES = [
    f"Hello, I am {NAME}, born {DOB}, my phone is {PHONE}. I have had a sore throat for 3 days.",
    f"Email me at {EMAIL}; I live at {STREET}, Springfield. My SSN is {SSN}. Now I also have a fever of 39C.",
    f"{NAME} again: crushing chest pain spreading to my left arm, I am sweating.",
]
PHI_VALUES = [NAME, "Okonkwo", "Baptiste", PHONE, EMAIL, SSN, DOB, STREET]


def find_phi(text: str) -> list[str]:
    lowered = text.lower()
    return [value for value in PHI_VALUES if value.lower() in lowered]


@pytest.fixture(scope="module")
def memory_spans() -> InMemorySpanExporter:
    """An in-memory exporter on the process's tracer provider (installed here unless one already is)."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


class State(TypedDict, total=False):
    text: str
    out: str


def test_traced_nodes_get_one_span_each_without_their_input_or_error_message(memory_spans) -> None:
    def sync_node(state: State, runtime: Runtime) -> dict:
        return {"out": state["text"].upper()}

    async def failing_node(state: State, runtime: Runtime) -> dict:
        raise ValueError(f"cannot parse {state['text']}")

    builder = StateGraph(State)
    builder.add_node("first", traced_node("first", sync_node))
    builder.add_node("second", traced_node("second", failing_node))
    builder.add_edge(START, "first")
    builder.add_edge("first", "second")
    builder.add_edge("second", END)
    memory_spans.clear()
    with pytest.raises(ValueError, match="cannot parse"):
        asyncio.run(builder.compile().ainvoke({"text": f"{NAME} {PHONE}"}))
    spans = {s.name: s for s in memory_spans.get_finished_spans()}
    assert {"node first", "node second"} <= spans.keys()
    failed = spans["node second"]
    assert failed.status.status_code.name == "ERROR" and failed.attributes["error.type"] == "ValueError"
    assert not failed.events, "exception events would carry the message"
    for span in spans.values():
        assert not find_phi(json.dumps({"a": dict(span.attributes or {}), "s": span.status.description or ""}))


def test_the_graph_wraps_every_node() -> None:
    from agents.graph import build_graph

    graph = build_graph()
    for name, node in NODES:
        wrapped = graph.builder.nodes[name].runnable
        assert getattr(wrapped, "func", getattr(wrapped, "afunc", None)) is not node, f"{name} is not traced"


def test_json_lines_keep_safe_extras_and_drop_exception_messages(capsys) -> None:
    formatter = JsonFormatter()
    try:
        raise RuntimeError(f"bad input from {NAME}")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "turn failed", None, sys.exc_info())
    record.message_id, record.text, record.tokens = "m-1", f"{NAME} says hi", 12
    line = json.loads(formatter.format(record))
    assert line["msg"] == "turn failed" and line["message_id"] == "m-1" and line["tokens"] == 12
    assert line["exc_type"] == "RuntimeError" and "text" not in line
    assert not find_phi(json.dumps(line))


def test_request_lines_lose_query_strings_and_websocket_frame_traces() -> None:
    request_filter = RequestLineFilter()
    access = logging.LogRecord(
        "uvicorn.error",
        logging.INFO,
        __file__,
        1,
        '%s - "WebSocket %s" [accepted]',
        ("127.0.0.1:5", "/ws/chat?session_id=s&resume=secret-token"),
        None,
    )
    assert request_filter.filter(access) and "secret-token" not in access.getMessage()
    frame = logging.LogRecord("uvicorn.error", logging.DEBUG, __file__, 1, "< TEXT %r", (NAME,), None)
    assert not request_filter.filter(frame)


@pytest.mark.integration
async def test_phi_sent_through_the_service_reaches_no_log_line_span_or_metric(tmp_path) -> None:
    spans_file = tmp_path / "spans.jsonl"
    env = {"TRIAGE_TRACE_FILE": str(spans_file), "TRIAGE_LOG_FORMAT": "json", "TRIAGE_LOG_LEVEL": "debug"}
    with running_app(tmp_path / "data", env) as app:
        conn, _ = await open_chat(app.ws)
        async with conn:
            for text in PHI_MESSAGES:
                frames = await ask(conn, text)
                assert frames[-1]["type"] == "done", frames[-1]
        async with httpx.AsyncClient() as client:
            metrics = (await client.get(app.http + "/metrics")).text
    logs = app.log_text()
    lines = [line for line in logs.splitlines() if line.strip()]
    assert lines, "the service logged nothing"
    not_json = [line for line in lines if not line.startswith("{")]
    assert not not_json, f"unstructured log lines: {not_json[:3]}"
    assert all(json.loads(line)["level"] for line in lines)
    assert not find_phi(logs), f"PHI in the logs: {find_phi(logs)}"

    spans = [json.loads(line) for line in spans_file.read_text().splitlines()]
    names = [s["name"] for s in spans]
    answering = set(ANSWERED_BY.values())  # the graph's branch: one of them answers each message
    for node, _ in NODES:
        if node not in answering:
            assert names.count(f"node {node}") == len(PHI_MESSAGES), f"node {node}: {names.count(f'node {node}')} spans"
    assert sum(names.count(f"node {node}") for node in answering) == len(PHI_MESSAGES)
    turns = {s["span_id"] for s in spans if s["name"] == "triage.turn"}
    assert len(turns) == len(PHI_MESSAGES)
    assert all(s["parent_id"] in turns for s in spans if s["name"].startswith("node "))
    assert not find_phi(spans_file.read_text()), "PHI in a span"
    assert not find_phi(metrics), "PHI in /metrics"
