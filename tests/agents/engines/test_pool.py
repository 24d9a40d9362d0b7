"""Engine pools through the router: choice by measured latency and outstanding requests, failover inside the pool
before the next engine of the chain, an Attempt per endpoint, per-endpoint breakers, metrics and health probes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing

from prometheus_client import CollectorRegistry

from agents.engines.base import GenerationRequest
from agents.engines.breaker import CircuitBreaker
from agents.engines.errors import EngineUnavailable, StreamBroken
from agents.engines.health import HealthProber
from agents.engines.local import emergency_script, local_engine
from agents.engines.metrics import EngineMetrics
from agents.engines.pool import EnginePool
from agents.engines.router import FAILOVER_SEAM, Router
from agents.engines.selection import SelectionPolicy
from tests.agents.engines.fakes import ScriptedEngine, request_for

A, B = "http://a:8000/v1", "http://b:8000/v1"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Endpoint(ScriptedEngine):
    """A scripted engine at a URL; `gate` holds its first chunk back until set; `healthy` scripts its health."""

    def __init__(
        self,
        url: str,
        *args,
        gate: asyncio.Event | None = None,
        healthy: bool | None = None,
        clock: Clock | None = None,
        **kw,
    ):
        super().__init__("openai", *args, **kw)
        self.endpoint = url
        self.gate = gate
        self.healthy = healthy
        self.clock = clock or Clock()
        self.checked_at: list[float] = []
        self.checked = asyncio.Event()

    async def stream(self, request: GenerationRequest) -> AsyncIterator[str]:
        if self.gate is not None:
            await self.gate.wait()
        async for chunk in super().stream(request):
            yield chunk

    async def health(self, timeout_s: float) -> bool | None:
        self.checked_at.append(self.clock.now)
        self.checked.set()
        return self.healthy


def pool_router(*endpoints, registry=None, threshold=3, cooldown_s=60.0, clock=None, prober=None, **kw):
    clock = clock or Clock()
    metrics = EngineMetrics(registry or CollectorRegistry())
    breaker = lambda: CircuitBreaker(failure_threshold=threshold, cooldown_s=cooldown_s, clock=clock)  # noqa: E731
    pool = EnginePool(
        "openai",
        endpoints,
        metrics=metrics,
        breaker_factory=breaker,
        policy=SelectionPolicy(**kw),
        prober=prober,
        clock=clock,
    )
    return Router(
        [pool, local_engine()],
        emergency_script(),
        first_token_timeout_s=2.0,
        total_timeout_s=5.0,
        metrics=metrics,
        breaker_factory=breaker,
    )


async def collect(router: Router, attempts=None):
    attempts = [] if attempts is None else attempts
    request = request_for()
    out = [(e.name, c) async for e, c in router.stream(request, router.plan(request.assessment), attempts)]
    return "".join(c for _, c in out), attempts


def tried(attempts) -> list[tuple[str, str | None, str]]:
    return [(a.engine, a.endpoint, a.outcome) for a in attempts]


async def test_the_pool_prefers_the_endpoint_measured_faster_whatever_the_configuration_order():
    slow, fast = Endpoint(A, first_delay_s=0.05), Endpoint(B)
    router = pool_router(slow, fast)
    for _ in range(6):  # nothing measured: three requests each (their median is the estimate), in configuration order
        await collect(router)
    assert (slow.calls, fast.calls) == (3, 3)
    for _ in range(6):
        _, attempts = await collect(router)
        assert tried(attempts) == [("openai", B, "used")]
    assert slow.calls == 3


async def test_a_busy_endpoint_passes_the_next_request_to_its_sibling():
    gate = asyncio.Event()
    first, second = Endpoint(A, gate=gate), Endpoint(B)
    router = pool_router(first, second)
    held = asyncio.create_task(collect(router))
    while not router.pools["openai"].endpoints[0].load.outstanding:
        await asyncio.sleep(0)
    _, attempts = await collect(router)
    assert tried(attempts) == [("openai", B, "used")], "one request is outstanding at A"
    gate.set()
    _, attempts = await held
    assert tried(attempts) == [("openai", A, "used")]
    assert [e.load.outstanding for e in router.pools["openai"].endpoints] == [0, 0]


async def test_a_refused_endpoint_fails_over_inside_the_pool_before_the_local_engine():
    down, up = Endpoint(A, fail=EngineUnavailable("ConnectError")), Endpoint(B, ["Rest ", "well."])
    router = pool_router(down, up)
    text, attempts = await collect(router)
    assert text == "Rest well." and FAILOVER_SEAM not in text
    assert tried(attempts) == [("openai", A, "failed"), ("openai", B, "used")]
    assert attempts[0].error_kind == "connect" and attempts[1].completed


async def test_a_stream_cut_midway_continues_from_the_sibling_after_the_seam():
    cut = Endpoint(A, ["You should ", "rest ", "and"], fail=StreamBroken("killed"), fail_after=2)
    sibling = Endpoint(B, ["Drink water."])
    router = pool_router(cut, sibling)
    text, attempts = await collect(router)
    assert text == "You should rest " + FAILOVER_SEAM + "Drink water."
    assert tried(attempts) == [("openai", A, "failed"), ("openai", B, "used")]
    assert attempts[0].tokens == 2 and attempts[0].error_kind == "stream_broken"


async def test_each_endpoint_has_its_own_breaker_and_an_open_one_is_skipped_only_when_reached():
    down, up = Endpoint(A, fail=EngineUnavailable("ConnectError")), Endpoint(B)
    router = pool_router(down, up, threshold=2)
    for _ in range(2):
        await collect(router)
    breakers = [e.breaker for e in router.pools["openai"].endpoints]
    assert [b.state.value for b in breakers if b] == ["open", "closed"]
    _, attempts = await collect(router)
    assert tried(attempts) == [("openai", B, "used")] and down.calls == 2, "the open endpoint is not asked"
    up.fail = EngineUnavailable("ConnectError")
    _, attempts = await collect(router)
    assert tried(attempts) == [("openai", B, "failed"), ("openai", A, "skipped"), ("local", None, "used")]
    assert attempts[1].error_kind == "breaker_open"


async def test_a_client_that_leaves_mid_answer_frees_the_endpoint():
    model = Endpoint(A, ["a "] * 50)
    router = pool_router(model, Endpoint(B))
    request = request_for()
    async with aclosing(router.stream(request, router.plan(request.assessment), [])) as stream:
        async for _ in stream:
            break
    assert [e.load.outstanding for e in router.pools["openai"].endpoints] == [0, 0]


async def test_per_endpoint_metrics_outstanding_latency_failures_and_breaker_state():
    registry = CollectorRegistry()
    down, up = Endpoint(A, fail=EngineUnavailable("ConnectError")), Endpoint(B)
    router = pool_router(down, up, registry=registry, threshold=1, seed_samples=1)
    await collect(router)
    value = registry.get_sample_value
    at = lambda url: {"engine": "openai", "endpoint": url}  # noqa: E731
    assert value("triage_engine_endpoint_failures_total", {**at(A), "reason": "connect"}) == 1
    assert value("triage_engine_endpoint_first_token_seconds_count", at(B)) == 1
    assert value("triage_engine_endpoint_first_token_ewma_seconds", at(B)) > 0
    assert value("triage_engine_endpoint_outstanding", at(B)) == 0
    assert value("triage_engine_endpoint_breaker_state", at(A)) == 2
    assert value("triage_engine_endpoint_breaker_state", at(B)) == 0
    assert value("triage_engine_breaker_state", {"engine": "openai"}) == 0, "the engine is up while one endpoint is"


def prober_on(clock: Clock) -> HealthProber:
    """A prober whose waits move the test's clock instead of passing real time."""

    async def sleep(seconds: float) -> None:
        clock.now += seconds
        await asyncio.sleep(0)

    return HealthProber(timeout_s=0.5, sleep=sleep)


async def test_a_health_probe_closes_the_breaker_of_an_endpoint_that_is_back():
    clock = Clock()
    back = Endpoint(A, fail=EngineUnavailable("ConnectError"), healthy=True, clock=clock)
    prober = prober_on(clock)
    registry = CollectorRegistry()
    router = pool_router(back, Endpoint(B), threshold=1, cooldown_s=15.0, clock=clock, prober=prober, registry=registry)
    await collect(router)
    breaker = router.pools["openai"].endpoints[0].breaker
    assert breaker is not None and breaker.state.value == "open" and prober.probing == 1
    await back.checked.wait()
    while prober.probing:
        await asyncio.sleep(0)
    assert back.checked_at == [1015.0], "checked once the cooldown was over"
    assert breaker.state.value == "closed" and back.calls == 1, "no patient's request was the probe"
    assert registry.get_sample_value(
        "triage_engine_endpoint_health_checks_total", {"engine": "openai", "endpoint": A, "result": "healthy"}
    )


async def test_a_failed_health_probe_keeps_the_circuit_open_and_the_checks_back_off():
    clock = Clock()
    dead = Endpoint(A, fail=EngineUnavailable("ConnectError"), healthy=False, clock=clock)
    prober = prober_on(clock)
    router = pool_router(dead, Endpoint(B), threshold=1, cooldown_s=1.0, clock=clock, prober=prober)
    await collect(router)
    while len(dead.checked_at) < 4:
        dead.checked.clear()
        await dead.checked.wait()
    gaps = [b - a for a, b in zip(dead.checked_at, dead.checked_at[1:], strict=False)]
    assert dead.checked_at[0] == 1001.0 and gaps[:2] == [2.0, 4.0], "each failed check doubles the cooldown"
    breaker = router.pools["openai"].endpoints[0].breaker
    assert breaker is not None and breaker.state.value != "closed" and dead.calls == 1
    _, attempts = await collect(router)
    assert tried(attempts) == [("openai", B, "used")], "requests go to the healthy sibling meanwhile"
    await router.aclose()
    assert prober.probing == 0, "closing the router ends the watch"


async def test_an_endpoint_without_a_health_check_is_left_to_its_breaker():
    clock = Clock()
    quiet = Endpoint(A, fail=EngineUnavailable("ConnectError"), healthy=None, clock=clock)
    prober = prober_on(clock)
    router = pool_router(quiet, Endpoint(B), threshold=1, cooldown_s=1.0, clock=clock, prober=prober)
    await collect(router)
    await quiet.checked.wait()
    while prober.probing:
        await asyncio.sleep(0)
    breaker = router.pools["openai"].endpoints[0].breaker
    assert breaker is not None and breaker.state.value == "half_open", "the next request probes it, as before"
