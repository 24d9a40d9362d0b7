"""Circuit breaker: closed -> open -> half-open probing, Retry-After honoured, doubling cooldown."""

from __future__ import annotations

from email.utils import formatdate

from agents.engines.breaker import BreakerState, CircuitBreaker, parse_retry_after


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: Clock, failures: int = 0) -> CircuitBreaker:
    b = CircuitBreaker(failure_threshold=3, cooldown_s=10.0, max_cooldown_s=40.0, clock=clock)
    for _ in range(failures):
        b.record_failure()
    return b


def test_opens_after_consecutive_failures_and_a_success_resets_the_count():
    clock = Clock()
    b = breaker(clock)
    b.record_failure()
    b.record_failure()
    b.record_success()
    b.record_failure()
    b.record_failure()
    assert b.state is BreakerState.closed and b.allow()
    b.record_failure()
    assert b.state is BreakerState.open
    assert not b.allow()
    assert b.retry_in_s() == 10.0


def test_half_open_lets_exactly_one_probe_through():
    clock = Clock()
    b = breaker(clock, failures=3)
    clock.now += 10
    assert b.state is BreakerState.half_open
    assert b.allow() is True
    assert b.allow() is False, "a second caller must not probe at the same time"
    b.record_success()
    assert b.state is BreakerState.closed and b.allow() and b.allow()


def test_failed_probe_reopens_with_a_doubled_cooldown_up_to_the_cap():
    clock = Clock()
    b = breaker(clock, failures=3)
    waits = []
    for _ in range(4):
        clock.now += b.retry_in_s()
        assert b.allow()
        b.record_failure()
        waits.append(b.retry_in_s())
    assert waits == [20.0, 40.0, 40.0, 40.0]


def test_retry_after_opens_at_once_for_that_long():
    clock = Clock()
    b = breaker(clock)
    b.record_failure(retry_after_s=2.5)
    assert b.state is BreakerState.open and b.retry_in_s() == 2.5
    clock.now += 2.5
    assert b.allow()


def test_a_probe_abandoned_without_verdict_frees_the_slot():
    clock = Clock()
    b = breaker(clock, failures=3)
    clock.now += 10
    assert b.allow()
    b.release()
    assert b.allow()


def test_a_late_failure_while_open_does_not_extend_the_cooldown():
    clock = Clock()
    b = breaker(clock, failures=4)
    assert b.retry_in_s() == 10.0


def test_gauge_values():
    assert [s.gauge for s in (BreakerState.closed, BreakerState.half_open, BreakerState.open)] == [0, 1, 2]


def test_parse_retry_after():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 0.5 ") == 0.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("99999999") == 3600.0
    date = formatdate(2000.0 + 30, usegmt=True)
    assert parse_retry_after(date, now=lambda: 2000.0) == 30.0
