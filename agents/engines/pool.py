"""An engine pool: one entry of the engine chain, served by one or more endpoints (two vLLM servers, GroqCloud...).

Each endpoint has its own circuit breaker, its own load (outstanding requests and first-token EWMA) and its own
metrics. The router asks `candidates()` for the order to try them in (agents/engines/selection.py: lowest
`EWMA x (outstanding + 1)` among closed breakers first) and reports what each request did: `started`,
`first_token`, then `succeeded` or `failed`, and always `finished`. An endpoint whose breaker opens is watched by
a background health probe (agents/engines/health.py) until it closes again. A pool of one is the engine chain as
it was before pools: its one endpoint, its one breaker.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from agents.engines.base import Engine
from agents.engines.breaker import BreakerState, CircuitBreaker
from agents.engines.errors import EngineError, FirstTokenTimeout
from agents.engines.health import HealthProber
from agents.engines.metrics import EngineMetrics
from agents.engines.selection import EndpointLoad, Moment, SelectionPolicy, observe, order

__all__ = ["Endpoint", "EnginePool"]

_TIER = {BreakerState.closed: 0, BreakerState.half_open: 1, BreakerState.open: 2}


@dataclass(eq=False)
class Endpoint:
    """One server of a pool: the engine that talks to it, its breaker (None for our own templates), its load."""

    engine: Engine
    breaker: CircuitBreaker | None
    load: EndpointLoad = field(default_factory=EndpointLoad)

    @property
    def label(self) -> str:
        """Its name in metrics and the audit: the public base URL, or the engine's name for in-process engines."""
        return self.engine.endpoint or self.engine.name


class EnginePool:
    def __init__(
        self,
        name: str,
        engines: Sequence[Engine],
        *,
        metrics: EngineMetrics,
        breaker_factory: Callable[[], CircuitBreaker] = CircuitBreaker,
        policy: SelectionPolicy | None = None,
        prober: HealthProber | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not engines:
            raise ValueError(f"engine pool {name!r} needs at least one endpoint")
        self.name = name
        self.endpoints = tuple(Endpoint(e, None if e.trusted else breaker_factory()) for e in engines)
        self.policy = policy or SelectionPolicy()
        self._metrics = metrics
        self._prober = prober
        self._clock = clock
        self._requests = 0  # started so far, all endpoints together: the policy's second clock
        breakers = []
        for endpoint in self.endpoints:
            if endpoint.breaker is not None:
                breakers.append(endpoint.breaker)
                metrics.watch_endpoint(endpoint.engine.name, endpoint.label, endpoint.breaker, endpoint.load)
        if breakers:
            metrics.watch_breakers(name, breakers)

    def candidates(self) -> list[Endpoint]:
        """Every endpoint, in the order to try them for the next request."""
        if len(self.endpoints) == 1:
            return list(self.endpoints)
        tiers = [_TIER[e.breaker.state] if e.breaker is not None else 0 for e in self.endpoints]
        ranked = order([e.load for e in self.endpoints], tiers, self._now(), self.policy)
        return [self.endpoints[i] for i in ranked]

    def _now(self) -> Moment:
        return Moment(self._clock(), self._requests)

    def started(self, endpoint: Endpoint) -> None:
        endpoint.load.outstanding += 1
        self._requests += 1

    def first_token(self, endpoint: Endpoint, seconds: float) -> None:
        if endpoint.breaker is None:
            return  # our own templates: nothing to balance
        observe(endpoint.load, seconds, self._now(), self.policy)
        self._metrics.endpoint_first_token(endpoint.engine.name, endpoint.label, seconds)

    def succeeded(self, endpoint: Endpoint) -> None:
        if endpoint.breaker is not None:
            endpoint.breaker.record_success()

    def failed(self, endpoint: Endpoint, error: EngineError, elapsed_s: float) -> None:
        """The endpoint gave no (complete) answer: count it against its breaker; a first token that never came
        within the budget is a latency sample too (at least that slow)."""
        if isinstance(error, FirstTokenTimeout):
            observe(endpoint.load, elapsed_s, self._now(), self.policy)
        self._metrics.endpoint_failed(endpoint.engine.name, endpoint.label, error.kind)
        breaker = endpoint.breaker
        if breaker is None:
            return
        breaker.record_failure(getattr(error, "retry_after_s", None))
        if self._prober is not None and breaker.state is not BreakerState.closed:
            self._prober.watch(endpoint.engine, breaker, self._health_recorder(endpoint))

    def finished(self, endpoint: Endpoint, *, verdict: bool) -> None:
        """The request left the endpoint; without a verdict (the client left) its probe slot is freed."""
        endpoint.load.outstanding -= 1
        if endpoint.breaker is not None and not verdict:
            endpoint.breaker.release()

    def _health_recorder(self, endpoint: Endpoint) -> Callable[[bool], None]:
        def record(healthy: bool) -> None:
            self._metrics.endpoint_health(endpoint.engine.name, endpoint.label, healthy)

        return record

    async def aclose(self) -> None:
        """Stop the health probes and close every endpoint's connections."""
        if self._prober is not None:
            await self._prober.aclose()
        for endpoint in self.endpoints:
            await endpoint.engine.aclose()
