"""A circuit breaker per engine: stop asking an engine that keeps failing, probe it again later.

closed -> (failure_threshold consecutive failures, or one 429/503 with Retry-After) -> open
open -> (cooldown elapsed, or the Retry-After) -> half_open: exactly one request probes the engine
half_open -> probe succeeds -> closed; probe fails -> open again, the cooldown doubled up to max_cooldown_s
"""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from enum import Enum

MAX_RETRY_AFTER_S = 3600.0


class BreakerState(str, Enum):
    closed = "closed"
    half_open = "half_open"
    open = "open"

    @property
    def gauge(self) -> int:
        """The value exported to Prometheus: 0 closed, 1 half-open, 2 open."""
        return _GAUGE[self]


_GAUGE = {BreakerState.closed: 0, BreakerState.half_open: 1, BreakerState.open: 2}


class CircuitBreaker:
    def __init__(
        self,
        *,
        failure_threshold: int = 3,
        cooldown_s: float = 15.0,
        max_cooldown_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s
        self.max_cooldown_s = max_cooldown_s
        self._clock = clock
        self._failures = 0
        self._open_until: float | None = None
        self._next_cooldown_s = cooldown_s
        self._probing = False

    @property
    def state(self) -> BreakerState:
        if self._open_until is None:
            return BreakerState.closed
        if self._probing or self._clock() >= self._open_until:
            return BreakerState.half_open
        return BreakerState.open

    def retry_in_s(self) -> float:
        """Seconds until the next probe is allowed (0 when requests may go through)."""
        return 0.0 if self._open_until is None else max(0.0, self._open_until - self._clock())

    def allow(self) -> bool:
        """May a request go to this engine now? In half-open state only one caller (the probe) gets True."""
        if self._open_until is None:
            return True
        if self._probing or self._clock() < self._open_until:
            return False
        self._probing = True
        return True

    def record_success(self) -> None:
        self._failures = 0
        self._open_until = None
        self._probing = False
        self._next_cooldown_s = self.cooldown_s

    def record_failure(self, retry_after_s: float | None = None) -> None:
        now = self._clock()
        if self._probing:
            self._probing = False
            self._next_cooldown_s = min(self._next_cooldown_s * 2, self.max_cooldown_s)
            self._open(now, max(self._next_cooldown_s, retry_after_s or 0.0))
            return
        if self._open_until is not None:  # a request that started before the breaker opened
            if retry_after_s is not None:
                self._open_until = max(self._open_until, now + min(retry_after_s, MAX_RETRY_AFTER_S))
            return
        self._failures += 1
        if retry_after_s is not None:
            self._open(now, retry_after_s)
        elif self._failures >= self.failure_threshold:
            self._open(now, self._next_cooldown_s)

    def release(self) -> None:
        """The request ended without a verdict (the client left): let another caller probe."""
        self._probing = False

    def _open(self, now: float, for_s: float) -> None:
        self._open_until = now + min(max(for_s, 0.0), MAX_RETRY_AFTER_S)


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER_S)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return min(max(when.timestamp() - now(), 0.0), MAX_RETRY_AFTER_S)
