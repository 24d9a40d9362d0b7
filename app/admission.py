"""Admission control for chat turns (issue 20): how many turns one process runs at once, how long a message may
wait for a slot, and whether the process is saturated.

A message takes a slot (`admit`) at once while fewer turns run than the limit and nobody waits ahead of it,
else in arrival order as slots free, waiting at most `wait_s` (not at all when as many messages wait as the
limit: they could not all start in time). The limit adapts to how fast admitted turns reach their `triage`
frame, and to the event loop's lag (app/loop_lag.py: a loop running late delays messages before they are turns),
between a quarter of `max_active` and `max_active` (app/turn_limit.py). A message that gets no slot is
the caller's to refuse as `busy` (app/routes/chat.py), after the red-flag screen: an emergency is admitted over
the bound (`admit_over_bound`) and never refused; a follow-up to an emergency the conversation was already told
of is answered by the screen with the fixed script again, without a slot (`repeat_emergency`, agents/screen.py). The process reports itself saturated (`/readyz`) while every
slot is taken or a message waits, and for `retry_after_s` after its last refusal (the time it told that client
to stay away), so that a load balancer's probe does not flap between two refusals.

A slot is a `Ticket`, released once its turn is answered. Until the turn's `triage` frame is out, the ticket also
holds a place in `TriageFirst` (app/triage_first.py): token streaming of other turns yields to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import deque
from functools import lru_cache
from types import TracebackType

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge
from pydantic import BaseModel

from app.loop_lag import watch_lag
from app.settings import Settings
from app.triage_first import TriageFirst
from app.turn_limit import TurnLimit

#: The adaptive limit never goes below max_active // this (so a few concurrent turns always run).
FLOOR_DIVISOR = 4
#: The busy frame's `retry_after_s` is the setting stretched by up to this fraction at random, so that clients
#: refused together do not all come back together.
RETRY_JITTER = 0.5


class AdmissionMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        registry = registry if registry is not None else REGISTRY
        self.active = Gauge(
            "triage_active_turns", "Chat turns running now (admitted, not yet answered).", registry=registry
        )
        self.waiting = Gauge("triage_waiting_turns", "Chat messages waiting for a turn slot.", registry=registry)
        self.limit = Gauge(
            "triage_turn_limit",
            "Chat turns admitted at once now (adapts; at most TRIAGE_MAX_ACTIVE_TURNS).",
            registry=registry,
        )
        self.refused = Counter(
            "triage_busy_refusals_total", "Chat messages refused as busy (no slot within the wait).", registry=registry
        )
        self.over_bound = Counter(
            "triage_admitted_over_bound_total",
            "Messages admitted although every slot was taken: emergencies found by the red-flag screen (never refused).",
            registry=registry,
        )
        self.repeated = Counter(
            "triage_emergency_repeats_total",
            "Follow-ups to an emergency already told, answered from the red-flag screen with the fixed script while "
            "every slot was taken.",
            registry=registry,
        )


@lru_cache(maxsize=1)
def default_metrics() -> AdmissionMetrics:
    """Registered once in the process-wide registry that `/metrics` serves."""
    return AdmissionMetrics()


class AdmissionState(BaseModel):
    """What `/readyz` reports of admission: the numbers behind `saturated`."""

    saturated: bool
    active_turns: int
    turn_limit: int
    """Turns admitted at once now (adapted to the time admitted turns take to their triage frame)."""
    max_active_turns: int
    waiting: int
    awaiting_triage: int
    """Admitted turns (and screens) whose first frame is not out yet: token streaming yields to them."""
    busy_refusals: int
    admitted_over_bound: int
    emergencies_repeated: int
    """Follow-ups to an emergency already told, answered from the screen with the fixed script (no turn)."""
    loop_lag_ms: float
    """How late the event loop last ran what was due."""


class Ticket:
    """One admitted turn's slot; `release` (or leaving the `with` block) gives it back, once."""

    def __init__(self, admission: Admission) -> None:
        self._admission = admission
        self._admitted_at = time.monotonic()
        self._triage_pending = True
        self._held = True
        admission.triage_first.begin()

    def triaged(self) -> None:
        """The turn's `triage` frame is out: streaming need no longer yield to it, and the limit learns how long it took."""
        if self._triage_pending:
            self._triage_pending = False
            self._admission.triage_first.end()
            now = time.monotonic()
            self._admission.observe(now - self._admitted_at, now)

    def _end_unobserved(self) -> None:
        if self._triage_pending:  # ended before its triage frame (client gone, failure): nothing to learn from
            self._triage_pending = False
            self._admission.triage_first.end()

    def release(self) -> None:
        self._end_unobserved()
        if self._held:
            self._held = False
            self._admission.release_slot()

    def __enter__(self) -> Ticket:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


class Admission:
    def __init__(
        self,
        max_active: int,
        wait_s: float,
        retry_after_s: float,
        *,
        limit: TurnLimit | None = None,
        triage_first: TriageFirst | None = None,
        metrics: AdmissionMetrics | None = None,
        watch_loop_lag: bool = False,
    ) -> None:
        self.max_active = max_active
        self.wait_s = wait_s
        self.retry_after_s = retry_after_s
        self.limit = limit or TurnLimit(max_active, target_s=float("inf"))
        self.triage_first = triage_first or TriageFirst()
        self._metrics = metrics or default_metrics()
        self._metrics.limit.set(self.limit.value)
        self._active = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._refused = 0
        self._over_bound = 0
        self._repeated = 0
        self._refusing_until = 0.0
        self._loop_lag_s = 0.0
        self._watch_loop_lag = watch_loop_lag
        self._lag_watch: asyncio.Task[None] | None = None

    @classmethod
    def of(cls, settings: Settings) -> Admission:
        return cls(
            settings.max_active_turns,
            settings.admit_wait_ms / 1000,
            settings.busy_retry_after_s,
            limit=TurnLimit(
                settings.max_active_turns,
                settings.admit_target_ms / 1000,
                floor=max(1, settings.max_active_turns // FLOOR_DIVISOR),
            ),
            triage_first=TriageFirst(enabled=settings.stream_yields_to_triage),
            watch_loop_lag=True,
        )

    @property
    def active(self) -> int:
        return self._active

    async def admit(self) -> Ticket | None:
        """A slot, at once or within `wait_s` in arrival order; None when none came in time."""
        if self._watch_loop_lag and self._lag_watch is None:  # started with the first message, on the serving loop
            self._lag_watch = asyncio.get_running_loop().create_task(watch_lag(self.observe_loop_lag))
        if self._active < self.limit.value and not self._waiters:
            return self._grant()
        if self.wait_s <= 0 or len(self._waiters) >= self.limit.value:
            return None
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        self._metrics.waiting.inc()
        try:
            async with asyncio.timeout(self.wait_s):
                await waiter
        except TimeoutError:
            pass
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # handed a slot just as the caller went away
                self.release_slot()
            raise
        finally:
            self._metrics.waiting.dec()
            if not waiter.done() or waiter.cancelled():
                self._discard(waiter)
        if waiter.done() and not waiter.cancelled():  # handed a slot (possibly as the wait ran out)
            return Ticket(self)
        return None

    def admit_over_bound(self) -> Ticket:
        """A slot beyond `max_active`: for a message the red-flag screen found to be an emergency."""
        self._over_bound += 1
        self._metrics.over_bound.inc()
        return self._grant()

    def repeat_emergency(self) -> None:
        """Count a follow-up to an emergency already told that the screen answers itself (no slot is taken)."""
        self._repeated += 1
        self._metrics.repeated.inc()

    def refuse(self) -> float:
        """Count a refusal and return the `retry_after_s` to send with it (the setting, with some jitter)."""
        self._refused += 1
        self._metrics.refused.inc()
        self._refusing_until = time.monotonic() + self.retry_after_s
        return round(self.retry_after_s * (1 + RETRY_JITTER * random.random()), 1)  # noqa: S311 - jitter, not a secret

    def observe(self, to_triage_s: float, now: float) -> None:
        """An admitted turn's time from admission to its triage frame (`Ticket.triaged`): the limit adapts."""
        self.limit.observe(to_triage_s, now)
        self._metrics.limit.set(self.limit.value)
        self._hand_on()

    def observe_loop_lag(self, lag_s: float, now: float) -> None:
        """A loop running later than the target counts as a slow turn (only for the decrease: growth is earned by
        turns)."""
        self._loop_lag_s = lag_s
        if lag_s > self.limit.target_s:
            self.limit.observe(lag_s, now)
            self._metrics.limit.set(self.limit.value)

    @property
    def saturated(self) -> bool:
        return self._active >= self.limit.value or bool(self._waiters) or time.monotonic() < self._refusing_until

    def state(self) -> AdmissionState:
        return AdmissionState(
            saturated=self.saturated,
            active_turns=self._active,
            turn_limit=self.limit.value,
            max_active_turns=self.max_active,
            waiting=len(self._waiters),
            awaiting_triage=self.triage_first.pending,
            busy_refusals=self._refused,
            admitted_over_bound=self._over_bound,
            emergencies_repeated=self._repeated,
            loop_lag_ms=round(self._loop_lag_s * 1000, 1),
        )

    def release_slot(self) -> None:
        """A turn ended: its slot goes to the longest waiting message, if any (called by `Ticket.release`)."""
        self._active -= 1
        self._metrics.active.dec()
        self._hand_on()

    def _hand_on(self) -> None:
        while self._waiters and self._active < self.limit.value:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._active += 1
                self._metrics.active.inc()
                waiter.set_result(None)

    def _grant(self) -> Ticket:
        self._active += 1
        self._metrics.active.inc()
        return Ticket(self)

    def _discard(self, waiter: asyncio.Future[None]) -> None:
        with contextlib.suppress(ValueError):  # already handed on
            self._waiters.remove(waiter)
