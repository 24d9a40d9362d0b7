"""Node 4: stream the answer through the output guard to the client, a frame per chunk the engine yields (a
model's tokens one by one; our own template's text in a few pieces, agents/engines/local.py).

If the guard finds the model contradicting the disposition, the model's stream is closed at once and our own
template for the disposition follows after a visible seam.
"""

from __future__ import annotations

import time
from contextlib import aclosing

from langgraph.runtime import Runtime

from agents.engines.base import GenerationRequest
from agents.engines.router import RoutePlan
from agents.guard import OutputGuard
from agents.state import TriageState, TurnContext
from agents.triage import Assessment, follow_up_question


def build_request(state: TriageState, ctx: TurnContext) -> GenerationRequest:
    assessment = Assessment.model_validate(state["assessment"])
    turns = state["conversation"][-ctx.deps.history_turns :]
    return GenerationRequest(
        assessment=assessment,
        conversation=turns,  # validated into ChatTurns by pydantic's core, faster than one by one here
        follow_up_questions=tuple(follow_up_question(key) for key in assessment.missing_info),
        audience=ctx.trace.audience,
    )


async def generate(state: TriageState, runtime: Runtime[TurnContext]) -> dict:
    ctx = runtime.context
    trace = ctx.trace
    started = time.perf_counter()
    request = build_request(state, ctx)
    plan = RoutePlan.model_validate(state["plan"])
    router = ctx.deps.router
    guard = trace.guard = OutputGuard.for_turn(ctx.deps.redactor, trace.vault, request.assessment, trace.guard_events)
    emit = ctx.emit
    message_id = trace.message_id
    output = trace.output

    first_frame_at: float | None = None

    async def send(text: str) -> None:
        nonlocal first_frame_at
        if not text:
            return
        output.append(text)
        first = trace.first_token_ms is None
        if first:
            trace.first_token_ms = round(trace.elapsed_ms(), 3)
        await emit({"type": "token", "message_id": message_id, "text": text})
        if first:
            first_frame_at = time.perf_counter()

    async with aclosing(router.stream(request, plan, trace.attempts)) as stream:
        async for engine, chunk in stream:
            await send(guard.feed(chunk, trusted=engine.trusted))
            if guard.tripped:
                break
    if not guard.tripped:
        await send(guard.flush())  # the model's last words, while they can still be withdrawn
    hit = guard.tripped
    if hit is not None:
        async for engine, chunk in router.replace(request, trace.attempts, reason=guard.events[-1], kind=hit.rule):
            await send(guard.feed(chunk, trusted=engine.trusted))
    trace.node_ms["generate"] = round((time.perf_counter() - started) * 1000, 3)
    first = trace.attempts[0] if trace.attempts else None
    if first_frame_at is not None and first is not None and first.first_token_ms is not None:
        # What the router and the output guard added to the engine's own first token (issue 5's target): from
        # this node's start to the first frame written, less the engine's request -> first chunk.
        added = (first_frame_at - started) * 1000 - first.first_token_ms
        trace.node_ms["router_guard"] = round(added, 3)
    return {}
