"""Admission control's bookkeeping (app/admission.py) and streaming's yield to pending triage work
(app/triage_first.py), on the event loop, with no timing: slots are handed on by releases, not by the clock."""

from __future__ import annotations

import asyncio

from prometheus_client import CollectorRegistry

from app.admission import Admission, AdmissionMetrics
from app.triage_first import TriageFirst
from app.turn_limit import TurnLimit

LONG_WAIT_S = 60.0  # never reached: every waiter here is served or cancelled first


def admission(max_active: int, wait_s: float = LONG_WAIT_S, retry_after_s: float = 2.0) -> Admission:
    return Admission(max_active, wait_s, retry_after_s, metrics=AdmissionMetrics(CollectorRegistry()))


async def until(condition) -> None:
    while not condition():
        await asyncio.sleep(0)


async def test_slots_are_taken_at_once_up_to_the_bound_and_then_refused_without_a_wait():
    gate = admission(2, wait_s=0)
    first, second = await gate.admit(), await gate.admit()
    assert first is not None and second is not None
    assert gate.saturated and gate.state().active_turns == 2
    assert await gate.admit() is None
    first.release()
    first.release()  # releasing twice gives back one slot
    assert gate.active == 1 and not gate.saturated
    assert await gate.admit() is not None


async def test_a_freed_slot_goes_to_the_longest_waiting_message():
    gate = admission(2)
    holders = [await gate.admit(), await gate.admit()]
    assert all(holders)
    order: list[str] = []

    async def wait(name: str):
        ticket = await gate.admit()
        order.append(name)
        return ticket

    early = asyncio.create_task(wait("early"))
    await until(lambda: gate.state().waiting == 1)
    late = asyncio.create_task(wait("late"))
    await until(lambda: gate.state().waiting == 2)
    assert gate.saturated
    holders[0].release()
    first = await early
    assert order == ["early"] and gate.active == 2 and not late.done()
    first.release()
    (await late).release()
    holders[1].release()
    assert order == ["early", "late"] and gate.active == 0 and gate.state().waiting == 0


async def test_a_message_is_refused_at_once_when_as_many_wait_as_could_run():
    gate = admission(1)
    holder = await gate.admit()
    waiting = asyncio.create_task(gate.admit())
    await until(lambda: gate.state().waiting == 1)
    assert await gate.admit() is None  # no wait: the one ahead of it takes the next free slot
    holder.release()
    (await waiting).release()
    assert gate.active == 0


async def test_a_waiter_that_goes_away_takes_no_slot():
    gate = admission(1)
    holder = await gate.admit()
    assert holder is not None
    gone = asyncio.create_task(gate.admit())
    await until(lambda: gate.state().waiting == 1)
    gone.cancel()
    await asyncio.gather(gone, return_exceptions=True)
    assert gate.state().waiting == 0
    holder.release()
    assert gate.active == 0 and not gate.saturated


async def test_a_message_that_gets_no_slot_in_time_is_refused_and_the_refusal_is_counted():
    gate = admission(1, wait_s=0.001, retry_after_s=30.0)
    holder = await gate.admit()
    assert holder is not None
    assert await gate.admit() is None  # the wait ran out (no release came)
    retry_after = gate.refuse()
    assert 30.0 <= retry_after <= 45.0
    holder.release()
    state = gate.state()
    assert state.busy_refusals == 1 and state.active_turns == 0
    assert state.saturated, "still saturated for the retry-after window after a refusal"


async def test_an_emergency_is_admitted_over_the_bound():
    gate = admission(1, wait_s=0)
    holder = await gate.admit()
    emergency = gate.admit_over_bound()
    assert gate.active == 2 and gate.state().admitted_over_bound == 1
    emergency.release()
    holder.release()
    assert gate.active == 0


async def test_streaming_waits_while_an_admitted_turn_awaits_its_triage_frame():
    first = TriageFirst(max_pause_s=LONG_WAIT_S)
    await first.yield_to_triage()  # nothing pending: returns at once
    first.begin()
    token = asyncio.create_task(first.yield_to_triage())
    for _ in range(5):
        await asyncio.sleep(0)
    assert not token.done(), "a token must wait for the pending triage frame"
    first.end()
    await token
    assert first.pending == 0


async def test_a_ticket_marks_its_triage_frame_once_and_releasing_clears_it():
    gate = admission(2)
    ticket = await gate.admit()
    assert ticket is not None and gate.triage_first.pending == 1
    ticket.triaged()
    ticket.triaged()
    assert gate.triage_first.pending == 0
    other = await gate.admit()
    assert other is not None and gate.triage_first.pending == 1
    other.release()  # a turn that ended before its triage frame
    assert gate.triage_first.pending == 0


async def test_streaming_yield_can_be_turned_off():
    first = TriageFirst(enabled=False, max_pause_s=LONG_WAIT_S)
    first.begin()
    await first.yield_to_triage()


def test_the_turn_limit_shrinks_once_per_congested_moment_and_grows_back_slowly():
    limit = TurnLimit(16, target_s=0.025, cooldown_s=0.05)
    limit.observe(0.2, now=10.0)
    assert limit.value == 12
    limit.observe(0.2, now=10.01)  # the same congested moment: counted once
    assert limit.value == 12
    limit.observe(0.2, now=10.06)
    assert limit.value == 9
    for step in range(10):
        limit.observe(0.005, now=11.0 + step)
    assert limit.value == 10, "about one slot per limit's worth of turns within the target"
    for step in range(1000):
        limit.observe(0.005, now=20.0 + step)
    assert limit.value == 16, "never above the ceiling"
    for step in range(100):
        limit.observe(1.0, now=2000.0 + step)
    assert limit.value == 1, "never below the floor"


async def test_slow_triage_frames_lower_the_admission_bound():
    gate = Admission(
        4, 0, 2.0, limit=TurnLimit(4, target_s=0.0, cooldown_s=0.0), metrics=AdmissionMetrics(CollectorRegistry())
    )
    ticket = await gate.admit()
    assert ticket is not None
    ticket.triaged()  # took longer than a zero target
    assert gate.state().turn_limit == 3
    ticket.release()
    held = [await gate.admit() for _ in range(3)]
    assert all(held) and await gate.admit() is None and gate.saturated


def test_an_event_loop_running_late_lowers_the_bound_too():
    gate = Admission(
        8, 0, 2.0, limit=TurnLimit(8, target_s=0.025, cooldown_s=0.05), metrics=AdmissionMetrics(CollectorRegistry())
    )
    gate.observe_loop_lag(0.010, now=1.0)
    assert gate.state().turn_limit == 8 and gate.state().loop_lag_ms == 10.0
    gate.observe_loop_lag(0.200, now=2.0)
    assert gate.state().turn_limit == 6 and gate.state().loop_lag_ms == 200.0
