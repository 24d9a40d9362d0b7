"""Node 4a: an emergency gets the fixed emergency script, and no model is asked.

The script is our own template (agents/engines/local.py `emergency_script`, built from protocol data only): it
carries the disposition itself and needs no output guard. It streams through the router's emergency entry, so
the audit record lists it among the engines tried, as it does any engine.
"""

from __future__ import annotations

from contextlib import aclosing

from langgraph.runtime import Runtime

from agents.nodes.frames import TokenFrames, build_request
from agents.state import TriageState, TurnContext


async def emergency_script(state: TriageState, runtime: Runtime[TurnContext]) -> TriageState:
    await stream_script(state, runtime.context)
    return {}


async def stream_script(state: TriageState, ctx: TurnContext) -> None:
    """Stream the fixed script to `ctx.emit` as `token` frames (also the runner's answer to an emergency follow-up
    the service is too busy to start, agents/runner.py `repeat_emergency`)."""
    frames = TokenFrames(ctx)
    request = build_request(state, ctx)
    pace = ctx.pace
    async with aclosing(ctx.deps.router.stream(request, ctx.planned(), ctx.trace.attempts)) as stream:
        async for _engine, chunk in stream:
            await pace()  # other turns' triage frames first (app/triage_first.py)
            await frames.send(chunk)
    frames.done("emergency_script")
