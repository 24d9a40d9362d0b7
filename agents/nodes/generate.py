"""Node 4: stream the answer token by token through the output guard to the socket (a model's tokens one frame
each; our own template's words, all there at once, a few to a frame).

If the guard finds the model contradicting the disposition, the model's stream is closed at once and our own
template for the disposition follows after a visible seam.
"""

from __future__ import annotations

import time
from contextlib import aclosing

from langgraph.runtime import Runtime

from agents.engines.base import ChatTurn, GenerationRequest
from agents.engines.router import RoutePlan
from agents.guard import OutputGuard
from agents.state import TriageState, TurnContext
from agents.triage import Assessment, follow_up_question


#: Template text is framed in pieces of at least this many characters (a model's tokens go out one by one).
FRAME_CHARS = 64


def build_request(state: TriageState, ctx: TurnContext) -> GenerationRequest:
    assessment = Assessment.model_validate(state["assessment"])
    turns = state["conversation"][-ctx.deps.history_turns :]
    return GenerationRequest(
        assessment=assessment,
        conversation=tuple(ChatTurn(**turn) for turn in turns),
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
    write = runtime.stream_writer
    message_id = trace.message_id
    output = trace.output

    held: list[str] = []  # our own template's words, not yet framed
    held_chars = 0

    def frame(text: str) -> None:
        write({"type": "token", "message_id": message_id, "text": text})

    def release() -> None:
        nonlocal held_chars
        if held:
            frame("".join(held))
            held.clear()
            held_chars = 0

    def send(text: str, trusted: bool = False) -> None:
        """A model's text goes out at once. A template's (all of it there at once) goes in frames of about
        FRAME_CHARS after its first word: the same text, a tenth of the frames (issue 9's profile)."""
        nonlocal held_chars
        if not text:
            return
        output.append(text)
        if trace.first_token_ms is None:
            trace.first_token_ms = round(trace.elapsed_ms(), 3)
            frame(text)
        elif trusted:
            held.append(text)
            held_chars += len(text)
            if held_chars >= FRAME_CHARS:
                release()
        else:
            release()
            frame(text)

    try:
        async with aclosing(router.stream(request, plan, trace.attempts)) as stream:
            async for engine, chunk in stream:
                send(guard.feed(chunk, trusted=engine.trusted), engine.trusted)
                if guard.tripped:
                    break
        if not guard.tripped:
            send(guard.flush())  # the model's last words, while they can still be withdrawn
        hit = guard.tripped
        if hit is not None:
            async for engine, chunk in router.replace(request, trace.attempts, reason=guard.events[-1], kind=hit.rule):
                send(guard.feed(chunk, trusted=engine.trusted), engine.trusted)
    finally:
        release()  # what the output list holds has gone out
    trace.node_ms["generate"] = round((time.perf_counter() - started) * 1000, 3)
    return {}
