"""Which endpoint of a pool to ask first: pure functions over what the pool measured, no I/O and no clock of its own.

Each endpoint keeps an exponentially weighted moving average (EWMA) of its first-token latency and a count of
its outstanding requests. Its cost is `estimate x (outstanding + 1)` (the "peak EWMA" rule of Finagle and
Linkerd): a fast endpoint takes requests until its queue makes it as slow as the next one. Endpoints are tried
in order of breaker tier (closed, then half-open, then open), then cost.

One odd first-token time must not decide where traffic goes (a cold start, a long prompt, a busy moment), since
an endpoint that looks slow gets no requests to correct that impression. So an estimate starts as the median of
the endpoint's first `seed_samples` times, and a later time counts at most `spike_factor` times the current
estimate (a lasting slowdown still shows within a few requests). An endpoint not yet measured, or whose estimate
is stale, is costed at the best fresh estimate among its peers and wins a tie, so it is measured (again) rather
than left out for ever. Stale means older than `stale_after_s` and taken at least `stale_after_requests` requests
of the pool ago: re-measuring a slow endpoint costs one patient a slow answer, so it happens at most once a
`stale_after_s` and once in `stale_after_requests` requests; the one new time replaces the stale estimate.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["EndpointLoad", "Moment", "SelectionPolicy", "estimate", "observe", "order"]


@dataclass(frozen=True)
class SelectionPolicy:
    alpha: float = 0.3
    """Weight of a new first-token time in the average."""
    seed_samples: int = 3
    """Times whose median is an endpoint's first estimate."""
    spike_factor: float = 3.0
    """A time counts at most this many times the current estimate."""
    stale_after_s: float = 60.0
    stale_after_requests: int = 20
    """An estimate older than both no longer counts: the endpoint is measured again."""

    def __post_init__(self) -> None:
        if not 0.0 < self.alpha <= 1.0:
            raise ValueError("alpha must be in (0, 1]")
        if self.seed_samples < 1 or self.spike_factor < 1.0:
            raise ValueError("seed_samples and spike_factor must be at least 1")
        if self.stale_after_s <= 0 or self.stale_after_requests < 1:
            raise ValueError("stale_after_s and stale_after_requests must be positive")


@dataclass(frozen=True, slots=True)
class Moment:
    """Now, as the policy counts time: the pool's clock, and how many requests the pool has started so far."""

    seconds: float
    requests: int = 0


@dataclass(slots=True)
class EndpointLoad:
    """What the pool knows of one endpoint's load: mutated in place by the pool, read by `order`."""

    outstanding: int = 0
    ewma_s: float | None = None
    sampled: Moment | None = None
    seeding: tuple[float, ...] = ()
    """First-token times gathered towards the first estimate."""


def estimate(load: EndpointLoad, now: Moment, policy: SelectionPolicy) -> float | None:
    """The endpoint's first-token estimate in seconds; None when never measured or stale."""
    if load.ewma_s is None or load.sampled is None:
        return None
    if (
        now.seconds - load.sampled.seconds > policy.stale_after_s
        and now.requests - load.sampled.requests >= policy.stale_after_requests
    ):
        return None
    return load.ewma_s


def observe(load: EndpointLoad, seconds: float, now: Moment, policy: SelectionPolicy) -> None:
    """Fold one first-token time into the estimate."""
    if load.ewma_s is None:
        load.seeding += (seconds,)
        if len(load.seeding) >= policy.seed_samples:
            load.ewma_s, load.seeding = statistics.median(load.seeding), ()
    elif estimate(load, now, policy) is None:
        load.ewma_s = seconds  # stale: an old spell, slow or fast, does not weigh on a fresh measurement
    else:
        load.ewma_s += policy.alpha * (min(seconds, policy.spike_factor * load.ewma_s) - load.ewma_s)
    load.sampled = now


def order(loads: Sequence[EndpointLoad], tiers: Sequence[int], now: Moment, policy: SelectionPolicy) -> list[int]:
    """Indices of the endpoints, best first. `tiers[i]`: 0 breaker closed, 1 half-open, 2 open.

    Ties go to the endpoint that needs measuring, then to the one with fewer outstanding requests, then to
    configuration order."""
    estimates = [estimate(load, now, policy) for load in loads]
    fresh = [e for e in estimates if e is not None]
    default = min(fresh) if fresh else 1.0  # with nothing measured, cost is just the queue length

    def key(i: int) -> tuple[int, float, bool, int, int]:
        known = estimates[i]
        per_request = default if known is None else known
        return (tiers[i], per_request * (loads[i].outstanding + 1), known is not None, loads[i].outstanding, i)

    return sorted(range(len(loads)), key=key)
