"""Scripted engines and requests for router and guard unit tests (no network)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from agents.engines.base import ChatTurn, Engine, GenerationRequest
from agents.engines.errors import EngineError
from agents.triage import Assessment, Level


def request_for(level: str = "consultation", text: str = "I have had a cough for a week") -> GenerationRequest:
    assessment = Assessment(
        level=Level(level), rationale="Cough for a week without red flags.", protocol_version="test"
    )
    return GenerationRequest(assessment=assessment, conversation=(ChatTurn(role="user", content=text),))


class ScriptedEngine(Engine):
    """Yields `chunks`, optionally after `first_delay_s` and `delay_s` between chunks, then raises `fail`."""

    def __init__(
        self,
        name: str,
        chunks: Sequence[str] = ("Hello", " there."),
        *,
        first_delay_s: float = 0.0,
        delay_s: float = 0.0,
        fail: Exception | None = None,
        fail_after: int | None = None,
        trusted: bool = False,
    ) -> None:
        self.name = name
        self.model = f"{name}-model"
        self.trusted = trusted
        self.chunks = list(chunks)
        self.first_delay_s = first_delay_s
        self.delay_s = delay_s
        self.fail = fail
        self.fail_after = fail_after
        self.calls = 0
        self.closed = 0
        self.cancelled = 0

    async def stream(self, request: GenerationRequest) -> AsyncIterator[str]:
        self.calls += 1
        try:
            if self.first_delay_s:
                await asyncio.sleep(self.first_delay_s)
            if self.fail is not None and self.fail_after is None:
                raise self.fail
            for i, chunk in enumerate(self.chunks):
                if self.fail is not None and self.fail_after == i:
                    raise self.fail
                if i and self.delay_s:
                    await asyncio.sleep(self.delay_s)
                yield chunk
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        finally:
            self.closed += 1


def failing(name: str, error: Exception | None = None) -> ScriptedEngine:
    return ScriptedEngine(name, fail=error or EngineError("boom"))
