"""OpenTelemetry spans for the agent: one per turn, one per graph node. Only the API is used here; the app
configures the SDK and exporters (app/telemetry.py), and without it every span is a no-op.

No span carries PHI: attributes are the node's name, the turn's random message id and, on failure, the
exception's type. Exception messages and stack traces are never recorded (they can quote patient text).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode

tracer = trace.get_tracer("triage.agents")


def tracing_on() -> bool:
    """Whether an SDK tracer provider is installed (app/telemetry.py does so only when an exporter is
    configured). Without one every span is a no-op, but entering it still costs several calls per node per
    message (issue 9's profile: ~7 % of the CPU), so it is skipped."""
    return not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)


@contextmanager
def phi_free_span(name: str, attributes: dict[str, str]) -> Iterator[Span]:
    """A current span that records a failure as its exception type only."""
    with tracer.start_as_current_span(
        name, attributes=attributes, record_exception=False, set_status_on_exception=False
    ) as span:
        try:
            yield span
        except BaseException as exc:
            span.set_attribute("error.type", type(exc).__name__)
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise


def traced_node(name: str, node: Callable[..., Any]) -> Callable[..., Any]:
    """`node` inside a span named `node <name>`; same call shape (state, runtime) as LangGraph gives it."""
    attributes = {"triage.node": name}
    if inspect.iscoroutinefunction(node):

        async def run_async(state: Any, runtime: Any) -> Any:
            if not tracing_on():
                return await node(state, runtime)
            with phi_free_span(f"node {name}", attributes):
                return await node(state, runtime)

        run: Callable[..., Any] = run_async
    else:

        def run_sync(state: Any, runtime: Any) -> Any:
            if not tracing_on():
                return node(state, runtime)
            with phi_free_span(f"node {name}", attributes):
                return node(state, runtime)

        run = run_sync
    run.__name__ = run.__qualname__ = name
    return run


def traced_turn(handle_message: Callable[..., Any]) -> Callable[..., Any]:
    """`TriageAgent.handle_message` inside a `triage.turn` span, the parent of its node spans."""

    @functools.wraps(handle_message)
    async def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not tracing_on():
            return await handle_message(self, *args, **kwargs)
        with phi_free_span("triage.turn", {"triage.audience": kwargs.get("audience", "patient")}) as span:
            turn = await handle_message(self, *args, **kwargs)
            span.set_attribute("triage.message_id", turn.message_id)
            return turn

    return run
