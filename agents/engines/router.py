"""Chooses who answers: the fixed emergency script, or the engine chain with budgets, failover and breakers.

Each entry of the chain is an engine pool (agents/engines/pool.py): one or more endpoints, tried in the order
the pool gives for this request (measured first-token latency and outstanding requests), each with its own
breaker; only when every endpoint of a pool has failed or is skipped does the next entry of the chain answer.
Per token the router adds one `asyncio.timeout_at` scope around `anext()` for untrusted engines (no task per
token) and nothing for our own templates; the pool hears of a request only when it starts, at its first token
and when it ends. Every endpoint asked, skipped or cut shows up as an Attempt, which the audit record keeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from typing import Literal

from pydantic import BaseModel

from agents.engines.base import Engine, EngineError, GenerationRequest
from agents.engines.breaker import CircuitBreaker
from agents.engines.errors import EmptyAnswer, EngineHTTPError, FirstTokenTimeout, TotalTimeout
from agents.engines.local import Advice, advice, local_engine, numbers_for
from agents.engines.metrics import EngineMetrics, default_metrics
from agents.engines.pool import EnginePool
from agents.triage import Assessment

FAILOVER_SEAM = "\n[The answer continues from a backup engine.]\n"
GUARD_SEAM = (
    "\n[Part of this answer was withdrawn because it did not match your assessment. The standard advice follows.]\n"
)
#: The seams in each answer language (English for any other).
FAILOVER_SEAMS = {"en": FAILOVER_SEAM, "ja": "\n［ここから予備のエンジンが回答を続けます。］\n"}
GUARD_SEAMS = {
    "en": GUARD_SEAM,
    "ja": "\n［回答の一部が判定結果と合わなかったため取り下げました。標準の案内を続けます。］\n",
}

Outcome = Literal["used", "failed", "skipped", "cut"]


class RoutePlan(BaseModel):
    kind: Literal["emergency_script", "emergency_follow_up", "engine_chain", "clinician_in_charge"]
    engines: tuple[str, ...]
    reason: str


class Attempt(BaseModel):
    """One engine endpoint's part in a turn: `used` (streamed, `completed` once it finished), `failed`, `skipped`
    (breaker open) or `cut` (the output guard withdrew it). `endpoint`: the server asked (its public base URL;
    None for our own templates)."""

    engine: str
    model: str
    outcome: Outcome
    reason: str | None = None
    first_token_ms: float | None = None
    tokens: int = 0
    error_kind: str | None = None
    status_code: int | None = None
    retry_after_s: float | None = None
    breaker: str | None = None
    duration_ms: float | None = None
    completed: bool = False
    endpoint: str | None = None


class Router:
    def __init__(
        self,
        chain: Sequence[Engine | EnginePool],
        emergency: Engine,
        *,
        first_token_timeout_s: float,
        total_timeout_s: float,
        fallback: Engine | None = None,
        breaker_factory: Callable[[], CircuitBreaker] = CircuitBreaker,
        metrics: EngineMetrics | None = None,
        emergency_number: str = "911",
        emergency_numbers: Mapping[str, str] | None = None,
    ) -> None:
        if not chain:
            raise ValueError("the engine chain needs at least one engine")
        self.metrics = metrics or default_metrics()
        #: The chain: each entry a pool of endpoints (a bare engine is a pool of one, named after it).
        self.pools = {
            entry.name: entry
            if isinstance(entry, EnginePool)
            else EnginePool(entry.name, [entry], metrics=self.metrics, breaker_factory=breaker_factory)
            for entry in chain
        }
        engines = [endpoint.engine for pool in self.pools.values() for endpoint in pool.endpoints]
        self._emergency = emergency
        self.emergency_number = emergency_number
        #: The emergency number each answer language names (en: `emergency_number`; ja: 119 by default).
        self.emergency_numbers = {"en": emergency_number, **(emergency_numbers or {})}
        self._first_token_timeout_s = first_token_timeout_s
        self._total_timeout_s = total_timeout_s
        trusted = [engine for engine in engines if engine.trusted]
        self._fallback = fallback or (trusted[-1] if trusted else local_engine())
        self._emergency_pool = EnginePool(emergency.name, [emergency], metrics=self.metrics)
        #: The breaker of each engine served by one endpoint (a larger pool's are its endpoints').
        self.breakers: dict[str, CircuitBreaker] = {}
        for name, pool in self.pools.items():
            (first, *others) = pool.endpoints
            if not others and first.breaker is not None:
                self.breakers[name] = first.breaker

    def plan(
        self, assessment: Assessment, *, clinician_in_charge: bool = False, emergency_told: bool = False
    ) -> RoutePlan:
        """Emergencies get the fixed script; while a clinician has taken over, nothing else is answered.

        `emergency_told`: this conversation was already given the script for this emergency and the message brings
        nothing more urgent (agents/nodes/route.py). The disposition stays the emergency, and the follow-up is
        answered under it by the engine chain (our disposition sentence first, the output guard judging every
        sentence against it) rather than with the whole script again; a clinician in charge answers it instead."""
        if assessment.is_emergency and not emergency_told:
            return RoutePlan(
                kind="emergency_script",
                engines=(self._emergency.name,),
                reason="clinical engine decided an emergency: fixed script, no model call",
            )
        if clinician_in_charge:
            return RoutePlan(
                kind="clinician_in_charge", engines=(), reason="a clinician has taken over: the agent does not answer"
            )
        if assessment.is_emergency:
            return RoutePlan(
                kind="emergency_follow_up",
                engines=tuple(self.pools),
                reason="follow-up in an emergency already told: answered under the emergency disposition",
            )
        return RoutePlan(
            kind="engine_chain", engines=tuple(self.pools), reason="non-emergency: configured engine chain"
        )

    def engine(self, name: str) -> Engine:
        """The engine of that name: the emergency script, or a chain entry's (a pool's first endpoint's)."""
        return self._emergency if name == self._emergency.name else self.pools[name].endpoints[0].engine

    def advice(self, assessment: Assessment, language: str = "en") -> Advice:
        """Our own sentences for this disposition, in the answer's language: the one said first, and those the
        output guard puts in."""
        return advice(assessment.level.value, numbers_for(self.emergency_numbers, language), language)

    def safe_engine(self, assessment: Assessment) -> Engine:
        """Our own template for this disposition: the emergency script for emergencies, else the local answer."""
        return self._emergency if assessment.is_emergency else self._fallback

    async def stream(
        self, request: GenerationRequest, plan: RoutePlan, attempts: list[Attempt]
    ) -> AsyncGenerator[tuple[Engine, str], None]:
        """Yield the answer; on an engine failure continue with the next engine after a visible seam."""
        if not plan.engines:
            return
        loop = asyncio.get_running_loop()
        total_deadline = loop.time() + self._total_timeout_s
        emitted = False
        for name in plan.engines:
            pool = self._emergency_pool if name == self._emergency.name else self.pools[name]
            for endpoint in pool.candidates():
                engine = endpoint.engine
                breaker = endpoint.breaker
                if breaker is not None and not breaker.allow():
                    attempts.append(
                        Attempt(
                            engine=engine.name,
                            model=engine.model,
                            endpoint=engine.endpoint,
                            outcome="skipped",
                            error_kind="breaker_open",
                            reason=f"circuit open; next probe in {breaker.retry_in_s():.1f}s",
                            breaker="open",
                        )
                    )
                    self.metrics.skipped(engine.name)
                    continue
                attempt = Attempt(
                    engine=engine.name,
                    model=engine.model,
                    endpoint=engine.endpoint,
                    outcome="used",
                    breaker=breaker.state.value if breaker else None,
                )
                attempts.append(attempt)
                started = loop.time()
                first_at = started
                deadline = None if engine.trusted else min(total_deadline, started + self._first_token_timeout_s)
                pool.started(endpoint)
                stream = engine.stream(request)
                verdict = False
                try:
                    while True:
                        try:
                            if deadline is None:
                                chunk = await anext(stream)
                            else:
                                async with asyncio.timeout_at(deadline):
                                    chunk = await anext(stream)
                        except StopAsyncIteration:
                            break
                        if not attempt.tokens:
                            first_at = loop.time()
                            attempt.first_token_ms = round((first_at - started) * 1000, 3)
                            self.metrics.first_token(engine.name, first_at - started)
                            pool.first_token(endpoint, first_at - started)
                            if deadline is not None:
                                deadline = total_deadline
                            if emitted:
                                yield engine, FAILOVER_SEAMS.get(request.language, FAILOVER_SEAM)
                            emitted = True
                        attempt.tokens += 1
                        yield engine, chunk
                    if not attempt.tokens:
                        raise EmptyAnswer("the stream ended without any text")
                except (EngineError, TimeoutError, OSError) as exc:
                    error = _classify(exc, attempt.tokens, deadline, total_deadline)
                    attempt.outcome = "failed"
                    attempt.error_kind = error.kind
                    attempt.reason = f"{type(error).__name__}: {error}"[:200]
                    if isinstance(error, EngineHTTPError):
                        attempt.status_code = error.status_code
                        attempt.retry_after_s = error.retry_after_s
                    elapsed = loop.time() - started
                    attempt.duration_ms = round(elapsed * 1000, 3)
                    self.metrics.failed(engine.name, error.kind)
                    pool.failed(endpoint, error, elapsed)
                    verdict = True
                    continue
                finally:
                    await stream.aclose()
                    pool.finished(endpoint, verdict=verdict)
                attempt.completed = True
                ended = loop.time()
                attempt.duration_ms = round((ended - started) * 1000, 3)
                self.metrics.completed(engine.name, attempt.tokens, ended - first_at)
                pool.succeeded(endpoint)
                return
        raise EngineError("every engine in the chain failed")

    async def aclose(self) -> None:
        """Close every engine's connections (at shutdown)."""
        for pool in self.pools.values():
            await pool.aclose()
        pooled = {id(endpoint.engine) for pool in self.pools.values() for endpoint in pool.endpoints}
        for engine in {id(e): e for e in (self._emergency, self._fallback) if id(e) not in pooled}.values():
            await engine.aclose()

    async def replace(
        self, request: GenerationRequest, attempts: list[Attempt], *, reason: str, kind: str
    ) -> AsyncGenerator[tuple[Engine, str], None]:
        """The guard withdrew the model's answer: mark it cut and continue with our own template after a seam."""
        for attempt in reversed(attempts):
            if attempt.outcome == "used":
                attempt.outcome = "cut"
                attempt.error_kind = kind
                attempt.reason = reason[:200]
                self.metrics.cut(attempt.engine, kind)
                break
        engine = self.safe_engine(request.assessment)
        attempt = Attempt(
            engine=engine.name,
            model=engine.model,
            outcome="used",
            reason=f"replaces an answer cut by the guard ({kind})",
        )
        attempts.append(attempt)
        yield engine, GUARD_SEAMS.get(request.language, GUARD_SEAM)
        async for chunk in engine.stream(request):
            attempt.tokens += 1
            yield engine, chunk
        attempt.completed = True


def _classify(exc: BaseException, tokens: int, deadline: float | None, total_deadline: float) -> EngineError:
    if isinstance(exc, EngineError):
        return exc
    if isinstance(exc, TimeoutError):
        if tokens == 0 and deadline is not None and deadline < total_deadline:
            return FirstTokenTimeout("no first token within the budget")
        return TotalTimeout("answer not finished within the total timeout")
    error = EngineError(f"{type(exc).__name__}")
    error.kind = "os_error"
    return error
