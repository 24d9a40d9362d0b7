"""The pool's selection policy as pure functions: EWMA, staleness and the order endpoints are tried in, with the
clock (seconds and the pool's request count) passed in: no sleeping, no real time."""

from __future__ import annotations

import pytest

from agents.engines.selection import EndpointLoad, Moment, SelectionPolicy, estimate, observe, order

POLICY = SelectionPolicy(alpha=0.5, seed_samples=3, spike_factor=3.0, stale_after_s=60.0, stale_after_requests=10)
CLOSED, HALF_OPEN, OPEN = 0, 1, 2


def at(seconds: float, requests: int = 0) -> Moment:
    return Moment(seconds, requests)


def measured(seconds: float, *, when: Moment | None = None, outstanding: int = 0) -> EndpointLoad:
    return EndpointLoad(outstanding=outstanding, ewma_s=seconds, sampled=when or at(0.0))


def test_the_first_estimate_is_the_median_of_the_seed_samples():
    load = EndpointLoad()
    for i, seconds in enumerate((5.0, 0.7)):  # a cold start, then the endpoint's own pace
        observe(load, seconds, at(i, i), POLICY)
        assert estimate(load, at(i, i), POLICY) is None, "still being measured"
    observe(load, 0.8, at(2.0, 2), POLICY)
    assert load.ewma_s == 0.8 and load.seeding == ()


def test_the_average_moves_by_alpha_towards_each_time():
    load = measured(1.0)
    observe(load, 3.0, at(1.0, 1), POLICY)
    assert load.ewma_s == 2.0
    observe(load, 0.0, at(2.0, 2), POLICY)
    assert load.ewma_s == 1.0 and load.sampled == at(2.0, 2)


def test_one_spike_counts_at_most_spike_factor_times_the_estimate_but_a_lasting_slowdown_shows():
    load = measured(0.5)
    observe(load, 10.0, at(1.0, 1), POLICY)
    assert load.ewma_s == 1.0, "10 s counted as 1.5 s"
    for i in range(2, 5):
        observe(load, 10.0, at(i, i), POLICY)
    assert load.ewma_s == 7.0, "1.0 -> 2.0 -> 4.0 -> 7.0"


def test_nothing_measured_spreads_by_outstanding_then_configuration_order():
    loads = [EndpointLoad(outstanding=1), EndpointLoad(), EndpointLoad()]
    assert order(loads, [CLOSED] * 3, at(0.0), POLICY) == [1, 2, 0]


def test_the_lower_measured_latency_goes_first():
    slow, fast = measured(1.0), measured(0.2)
    assert order([slow, fast], [CLOSED, CLOSED], at(1.0, 2), POLICY) == [1, 0]


def test_outstanding_requests_make_a_fast_endpoint_as_costly_as_a_slow_idle_one():
    slow = measured(1.0)
    fast = measured(0.2, outstanding=4)  # 0.2 x 5 = 1.0: a tie on cost, broken by the shorter queue
    assert order([slow, fast], [CLOSED, CLOSED], at(1.0), POLICY) == [0, 1]
    fast.outstanding = 3  # 0.2 x 4 = 0.8 < 1.0
    assert order([slow, fast], [CLOSED, CLOSED], at(1.0), POLICY) == [1, 0]


def test_an_unmeasured_endpoint_is_tried_once_then_the_measured_one_wins_while_it_is_busy():
    fast, new = measured(0.2), EndpointLoad()
    assert order([fast, new], [CLOSED, CLOSED], at(1.0, 1), POLICY) == [1, 0], "a tie on cost goes to measuring"
    new.outstanding = 1  # its first request is in flight: the next one does not wait behind it
    assert order([fast, new], [CLOSED, CLOSED], at(1.0, 2), POLICY) == [0, 1]


def test_a_stale_slow_endpoint_is_measured_again_by_one_request():
    slow, fast = measured(1.0, when=at(0.0, 0)), measured(0.2, when=at(100.0, 40))
    assert order([slow, fast], [CLOSED, CLOSED], at(30.0, 40), POLICY) == [1, 0]
    assert order([slow, fast], [CLOSED, CLOSED], at(100.0, 40), POLICY) == [0, 1], "stale: re-measured"
    observe(slow, 1.1, at(100.0, 41), POLICY)
    assert order([slow, fast], [CLOSED, CLOSED], at(100.5, 42), POLICY) == [1, 0]


def test_breaker_tiers_come_before_latency():
    fast_open, slow_closed, mid_half_open = measured(0.1), measured(2.0), measured(0.5)
    tiers = [OPEN, CLOSED, HALF_OPEN]
    assert order([fast_open, slow_closed, mid_half_open], tiers, at(1.0), POLICY) == [1, 2, 0]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"alpha": 0.0},
        {"alpha": 1.5},
        {"seed_samples": 0},
        {"spike_factor": 0.5},
        {"stale_after_s": 0.0},
        {"stale_after_requests": 0},
    ],
)
def test_a_policy_out_of_range_is_refused(kwargs):
    with pytest.raises(ValueError, match="must be"):
        SelectionPolicy(**kwargs)
