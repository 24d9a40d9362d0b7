"""Health probes for endpoints whose circuit is open: one background task per open endpoint, none otherwise.

When the breaker allows a probe again (cooldown or Retry-After over), the task asks the engine's own cheap
health check (`Engine.health`: `GET /v1/models` or `/health` on OpenAI-compatible servers) within `timeout_s`,
so that a patient's request is not what finds out whether the endpoint is back. Healthy: the breaker closes and
the endpoint rejoins its pool. Not healthy: the breaker opens again (its cooldown doubled, up to its maximum) and
the task waits for the next turn (and at least `min_interval_s` between two checks). The health request itself
holds no probe slot: the verdict is applied only if no request is probing at that moment. An engine without a
health check (`health` returns None) is probed by requests through its breaker, as before pools existed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from agents.engines.base import Engine
from agents.engines.breaker import BreakerState, CircuitBreaker

#: The least time between two health checks of one endpoint (a breaker with no cooldown must not spin).
MIN_PROBE_INTERVAL_S = 1.0

HealthResult = Callable[[bool], None]
Sleep = Callable[[float], Awaitable[None]]


class HealthProber:
    def __init__(
        self, *, timeout_s: float = 1.0, min_interval_s: float = MIN_PROBE_INTERVAL_S, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.timeout_s = timeout_s
        self.min_interval_s = min_interval_s
        self._sleep = sleep
        self._tasks: dict[int, asyncio.Task[None]] = {}

    def watch(self, engine: Engine, breaker: CircuitBreaker, on_result: HealthResult | None = None) -> None:
        """Probe `engine` in the background until its breaker is closed (no-op when it is, or already watched)."""
        key = id(breaker)
        if _closed(breaker) or key in self._tasks:
            return
        task = asyncio.get_running_loop().create_task(self._probe(engine, breaker, on_result))
        self._tasks[key] = task
        task.add_done_callback(lambda _: self._tasks.pop(key, None))

    @property
    def probing(self) -> int:
        """Endpoints being watched now."""
        return len(self._tasks)

    async def _probe(self, engine: Engine, breaker: CircuitBreaker, on_result: HealthResult | None) -> None:
        while not _closed(breaker):
            wait_s = breaker.retry_in_s()
            if wait_s > 0:
                await self._sleep(wait_s)
                continue
            try:
                healthy = await engine.health(self.timeout_s)
            except Exception:  # noqa: BLE001 - a check that breaks says "not healthy", it must not end the watch
                healthy = False
            if healthy is None or _closed(breaker):
                return  # no health check: requests probe it; or a request has closed it meanwhile
            if breaker.allow():  # else a request is the probe right now, or has just failed: look again later
                if on_result is not None:
                    on_result(healthy)
                if healthy:
                    breaker.record_success()
                    return
                breaker.record_failure()
            await self._sleep(self.min_interval_s)

    async def aclose(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _closed(breaker: CircuitBreaker) -> bool:
    """Read afresh each time: requests and the clock move the breaker while a probe waits."""
    return breaker.state is BreakerState.closed
