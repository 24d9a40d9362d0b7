"""Node 4: stream the answer through the output guard to the client, a frame per chunk the engine yields (a
model's tokens as each sentence is judged; our own template's text in a few pieces, agents/engines/local.py).

A model never states the disposition: a patient hears our own sentence for it first, sent the moment the
model's first token arrives, and the model's answer explains it. The guard replaces a model's sentence that
contradicts the disposition with our own; at a second contradiction the model's stream is closed at once and
our own template for the disposition follows after a visible seam.
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
    language = "ja" if ctx.trace.language == "ja" else "en"  # any other language is answered in English
    return GenerationRequest.model_validate(
        {
            "assessment": assessment,
            "conversation": turns,  # validated into ChatTurns by pydantic's core, faster than one by one here
            "follow_up_questions": tuple(follow_up_question(key, language) for key in assessment.missing_info),
            "audience": ctx.trace.audience,
            "language": language,
        }
    )


async def generate(state: TriageState, runtime: Runtime[TurnContext]) -> TriageState:
    ctx = runtime.context
    trace = ctx.trace
    started = time.perf_counter()
    request = build_request(state, ctx)
    plan = RoutePlan.model_validate(state["plan"])
    router = ctx.deps.router
    advice = router.advice(request.assessment, request.language)
    guard = trace.guard = OutputGuard.for_turn(
        ctx.deps.redactor, trace.vault, request.assessment, advice, trace.guard_events, language=trace.language
    )
    lead = advice.disposition + " " if request.audience == "patient" else ""
    emit = ctx.emit
    pace = ctx.pace
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
            await pace()  # other turns' triage frames first (app/triage_first.py)
            if lead:  # our sentence first, before the first words of a model (our own templates carry it already)
                if not engine.trusted:
                    await send(guard.feed(lead, trusted=True))
                lead = ""
            await send(guard.feed(chunk, trusted=engine.trusted))
            if guard.tripped:
                break
    if not guard.tripped:
        await send(guard.flush())  # the model's last words, while they can still be withdrawn
    hit = guard.tripped
    for verdict in guard.verdicts:
        if verdict is not hit:
            router.metrics.replaced(verdict.rule)
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
