"""Prometheus metrics for engines, their endpoints (agents/engines/pool.py), the router and the output guard.

`EngineMetrics(registry)` for tests; `default_metrics()` registers once in the process-wide default registry,
which `/metrics` serves.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

from agents.engines.breaker import CircuitBreaker
from agents.engines.selection import EndpointLoad

FIRST_TOKEN_BUCKETS = (0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
TOKENS_PER_SECOND_BUCKETS = (5, 10, 20, 35, 50, 75, 100, 150, 200, 300, 500, 800, 1200, 2000)


class EngineMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        registry = registry if registry is not None else REGISTRY
        self.first_token_seconds = Histogram(
            "triage_engine_first_token_seconds",
            "Time from sending the request to the engine's first text chunk.",
            ["engine"],
            buckets=FIRST_TOKEN_BUCKETS,
            registry=registry,
        )
        self.tokens_per_second = Histogram(
            "triage_engine_tokens_per_second",
            "Streaming rate of a completed answer, after its first chunk.",
            ["engine"],
            buckets=TOKENS_PER_SECOND_BUCKETS,
            registry=registry,
        )
        self.attempts = Counter(
            "triage_engine_attempts_total",
            "Engine attempts by outcome (used, failed, skipped, cut).",
            ["engine", "outcome"],
            registry=registry,
        )
        self.failovers = Counter(
            "triage_engine_failovers_total",
            "Failovers away from an engine, by reason.",
            ["engine", "reason"],
            registry=registry,
        )
        self.breaker_state = Gauge(
            "triage_engine_breaker_state",
            "Circuit breaker state per engine: 0 closed, 1 half-open, 2 open.",
            ["engine"],
            registry=registry,
        )
        self.endpoint_outstanding = Gauge(
            "triage_engine_endpoint_outstanding",
            "Requests in flight to each endpoint of an engine.",
            ["engine", "endpoint"],
            registry=registry,
        )
        self.endpoint_first_token_ewma = Gauge(
            "triage_engine_endpoint_first_token_ewma_seconds",
            "Each endpoint's moving average of first-token latency, as its pool chooses by it (0: not measured).",
            ["engine", "endpoint"],
            registry=registry,
        )
        self.endpoint_first_token_seconds = Histogram(
            "triage_engine_endpoint_first_token_seconds",
            "Time from sending the request to the first text chunk, per endpoint.",
            ["engine", "endpoint"],
            buckets=FIRST_TOKEN_BUCKETS,
            registry=registry,
        )
        self.endpoint_failures = Counter(
            "triage_engine_endpoint_failures_total",
            "Requests to an endpoint that gave no complete answer, by reason.",
            ["engine", "endpoint", "reason"],
            registry=registry,
        )
        self.endpoint_breaker_state = Gauge(
            "triage_engine_endpoint_breaker_state",
            "Circuit breaker state per endpoint: 0 closed, 1 half-open, 2 open.",
            ["engine", "endpoint"],
            registry=registry,
        )
        self.endpoint_health_checks = Counter(
            "triage_engine_endpoint_health_checks_total",
            "Background health probes of endpoints whose circuit was open, by result.",
            ["engine", "endpoint", "result"],
            registry=registry,
        )
        self.guard_interventions = Counter(
            "triage_guard_interventions_total",
            "Model sentences the output guard replaced, and answers it cut off, by reason (the rule).",
            ["reason"],
            registry=registry,
        )

    def watch_breaker(self, engine: str, breaker: CircuitBreaker) -> None:
        """Export the breaker's state, read at scrape time (open turns half-open by the clock alone)."""
        self.watch_breakers(engine, [breaker])

    def watch_breakers(self, engine: str, breakers: Sequence[CircuitBreaker]) -> None:
        """An engine served by several endpoints is as available as its best one: the lowest state is exported."""
        self.breaker_state.labels(engine).set_function(lambda: min(b.state.gauge for b in breakers))

    def watch_endpoint(self, engine: str, endpoint: str, breaker: CircuitBreaker, load: EndpointLoad) -> None:
        """Export an endpoint's outstanding requests, latency estimate and breaker state, read at scrape time."""
        self.endpoint_outstanding.labels(engine, endpoint).set_function(lambda: load.outstanding)
        self.endpoint_first_token_ewma.labels(engine, endpoint).set_function(lambda: load.ewma_s or 0.0)
        self.endpoint_breaker_state.labels(engine, endpoint).set_function(lambda: breaker.state.gauge)

    def endpoint_first_token(self, engine: str, endpoint: str, seconds: float) -> None:
        self.endpoint_first_token_seconds.labels(engine, endpoint).observe(seconds)

    def endpoint_failed(self, engine: str, endpoint: str, reason: str) -> None:
        self.endpoint_failures.labels(engine, endpoint, reason).inc()

    def endpoint_health(self, engine: str, endpoint: str, healthy: bool) -> None:
        self.endpoint_health_checks.labels(engine, endpoint, "healthy" if healthy else "unhealthy").inc()

    def first_token(self, engine: str, seconds: float) -> None:
        self.first_token_seconds.labels(engine).observe(seconds)

    def completed(self, engine: str, tokens: int, streaming_s: float) -> None:
        self.attempts.labels(engine, "used").inc()
        if tokens > 1 and streaming_s > 0:
            self.tokens_per_second.labels(engine).observe((tokens - 1) / streaming_s)

    def failed(self, engine: str, reason: str) -> None:
        self.attempts.labels(engine, "failed").inc()
        self.failovers.labels(engine, reason).inc()

    def skipped(self, engine: str) -> None:
        self.attempts.labels(engine, "skipped").inc()
        self.failovers.labels(engine, "breaker_open").inc()

    def replaced(self, reason: str) -> None:
        """The output guard put our sentence in place of one of the model's."""
        self.guard_interventions.labels(reason).inc()

    def cut(self, engine: str, reason: str) -> None:
        self.attempts.labels(engine, "cut").inc()
        self.guard_interventions.labels(reason).inc()


@lru_cache(maxsize=1)
def default_metrics() -> EngineMetrics:
    return EngineMetrics(REGISTRY)
