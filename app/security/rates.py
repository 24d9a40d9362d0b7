"""Rate limits keyed by client address, shared by every replica when Redis is configured.

`Limiters` holds the three that must hold across replicas: HTTP requests, chat messages per address, and
sign-in attempts. With `TRIAGE_REDIS_URL` each is a token bucket in Redis (one atomic script per decision,
timed by the Redis server's clock, keys `<TRIAGE_REDIS_PREFIX>:rate:<name>:<address>` expiring once full
again), so two replicas give an attacker no more than one does. Without Redis they are in-process buckets.
Redis failing never takes the service down: the decision falls back to this process's own bucket for the
next 5 s before Redis is tried again (a warning is logged at most once a minute). Limits tied to one
connection (its message rate, the open sockets of an address) stay in-process: a connection lives in one
process.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from app.security.buckets import KeyedBuckets

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

# KEYS[1]: the bucket; ARGV: rate per second, burst. Returns {allowed (0/1), seconds until a token (string)}.
TAKE_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens = tonumber(saved[1]) or burst
local stamp = tonumber(saved[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
local wait = 0
if allowed == 0 then wait = (1 - tokens) / rate end
return {allowed, tostring(wait)}
"""
WARN_EVERY_S = 60.0
RETRY_REDIS_AFTER_S = 5.0


class Decision(NamedTuple):
    allowed: bool
    retry_after_s: float


class RateLimiter(Protocol):
    async def take(self, key: str) -> Decision: ...


class ConnectionSlots(Protocol):
    async def acquire(self, address: str) -> Callable[[], None] | None:
        """The release of a socket slot for `address`, or None when the limits refuse one."""
        ...


class LocalLimiter:
    """Token buckets in this process, one per key."""

    def __init__(self, rate_per_s: float, burst: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.buckets = KeyedBuckets(rate_per_s, burst, clock=clock)

    async def take(self, key: str) -> Decision:
        bucket = self.buckets.bucket(key)
        allowed = bucket.take()
        return Decision(allowed, 0.0 if allowed else bucket.retry_after())


class RedisLimiter:
    """One token bucket per key in Redis; this process's own buckets while Redis cannot answer."""

    def __init__(self, redis: Redis, name: str, rate_per_s: float, burst: int, *, prefix: str) -> None:
        self.redis = redis
        self.key_prefix = f"{prefix}:rate:{name}:"
        self.rate = rate_per_s
        self.burst = burst
        self.fallback = LocalLimiter(rate_per_s, burst)
        self.script = redis.register_script(TAKE_SCRIPT)
        self._warned_at = float("-inf")
        self._down_until = float("-inf")

    async def take(self, key: str) -> Decision:
        from redis.exceptions import RedisError

        if time.monotonic() < self._down_until:
            return await self.fallback.take(key)
        try:
            allowed, wait = await self.script(keys=[self.key_prefix + key], args=[self.rate, self.burst])
        except (RedisError, OSError) as exc:
            self._unavailable(exc)
            return await self.fallback.take(key)
        return Decision(int(allowed) == 1, float(wait))

    def _unavailable(self, exc: Exception) -> None:
        now = time.monotonic()
        self._down_until = now + RETRY_REDIS_AFTER_S
        if now - self._warned_at >= WARN_EVERY_S:
            self._warned_at = now
            log.warning(
                "rate limits fall back to this process: Redis did not answer", extra={"error": type(exc).__name__}
            )


@dataclass
class Limiters:
    http: RateLimiter
    messages: RateLimiter
    """Chat messages per client address, across all its sockets."""
    sign_in: RateLimiter
    redis: Any = None
    connections: ConnectionSlots | None = field(default=None, init=False)
    """Open sockets counted elsewhere (the master of `triage serve --workers N`, app/worker_shared.py); None:
    counted by this process's LimitsMiddleware."""

    async def aclose(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()


def rates_of(settings: Any) -> dict[str, tuple[float, int]]:
    """The per-address limits: (rate per second, burst) by limiter name."""
    return {
        "http": (settings.http_per_s, settings.http_burst),
        "messages": (settings.addr_msgs_per_s, settings.addr_msgs_burst),
        "sign_in": (settings.sign_in_per_minute / 60, settings.sign_in_burst),
    }


def build_limiters(settings: Any) -> Limiters:
    """Redis-backed when `redis_url` is set (the `redis` extra), in-process otherwise."""
    rates = rates_of(settings)
    if not settings.redis_url:
        return Limiters(**{name: LocalLimiter(*rate) for name, rate in rates.items()})
    from redis.asyncio import Redis

    redis = Redis.from_url(settings.redis_url, socket_timeout=1.0, socket_connect_timeout=1.0)
    return Limiters(
        **{name: RedisLimiter(redis, name, *rate, prefix=settings.redis_prefix) for name, rate in rates.items()},
        redis=redis,
    )
