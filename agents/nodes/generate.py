"""Node 4b: answer with the engine chain (`engine_chain`, and an emergency's follow-up), streamed through the
output guard to the client, a frame per chunk the engine yields (a model's tokens as each sentence is judged;
our own template's text in a few pieces, agents/engines/local.py).

A model never states the disposition: a patient hears our own sentence for it first, sent the moment the
model's first token arrives, and the model's answer explains it. The guard replaces a model's sentence that
contradicts the disposition with our own; at a second contradiction the model's stream is closed at once and
our own template for the disposition follows after a visible seam. The guard is flushed here, once, at the end
of the model's answer: its last words are judged while they can still be withdrawn.
"""

from __future__ import annotations

from contextlib import aclosing

from langgraph.runtime import Runtime

from agents.guard import OutputGuard
from agents.nodes.frames import TokenFrames, build_request
from agents.state import TriageState, TurnContext


async def generate(state: TriageState, runtime: Runtime[TurnContext]) -> TriageState:
    ctx = runtime.context
    trace = ctx.trace
    frames = TokenFrames(ctx)
    request = build_request(state, ctx)
    router = ctx.deps.router
    advice = router.advice(request.assessment, request.language)
    guard = OutputGuard.for_turn(
        ctx.deps.redactor, trace.vault, request.assessment, advice, trace.response.guard_events, language=trace.language
    )
    lead = advice.disposition + " " if request.audience == "patient" else ""
    pace = ctx.pace
    send = frames.send

    async with aclosing(router.stream(request, ctx.planned(), trace.attempts)) as stream:
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
    frames.done("generate")
    return {}
