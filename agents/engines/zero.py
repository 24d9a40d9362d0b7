"""A zero-latency engine for benchmarks: a fixed short answer, all of it at once, no model, no delay.

It is untrusted like a model (the output guard and the router's per-token budget run as they would for one),
so a benchmark with `TRIAGE_ENGINE=zero` measures what the pipeline itself adds around an infinitely fast
engine. Not for patients: its answer ignores the conversation.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from agents.engines.base import Engine, GenerationRequest

ZERO_ANSWER: tuple[str, ...] = ("Thank", " you.", " Please", " follow", " the", " advice", " above.")


class ZeroEngine(Engine):
    trusted = False

    def __init__(self, name: str = "zero", answer: tuple[str, ...] = ZERO_ANSWER) -> None:
        self.name = name
        self.model = "zero"
        self._answer = answer

    async def stream(self, request: GenerationRequest) -> AsyncGenerator[str, None]:
        for chunk in self._answer:
            yield chunk
