"""What the worker processes of one `triage serve --workers N` share through their master, so that N workers
enforce what one process does (README, "Workers"):

- the per-address rates (HTTP requests, chat messages, sign-in attempts): one token bucket per address in the
  master (`take`), not one per worker, so N workers give a client, or an attacker guessing passwords, no more
  than one process does;
- the open sockets, per address and in all (`open`, then a `close` notice): counted in the master; a worker
  that dies has its sockets' counts dropped with it;
- staff account changes: a sign-out, a disabled account, a new password or role made on one worker is honoured
  by every other worker before the change's answer goes out (each forgets its cached state, app/accounts.py),
  as it is in one process.

Each decision is one round trip on the worker's link (app/worker_link.py). When the master cannot answer, the
worker decides alone, as a replica does when Redis is down (app/security/rates.py), and logs it.
With `TRIAGE_REDIS_URL` the rates are Redis's (shared by every replica) and stay so.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.security.rates import Decision, Limiters, LocalLimiter, rates_of
from app.worker_link import LinkDown, WorkerLink

if TYPE_CHECKING:
    from app.accounts import StaffAccounts
    from app.hub_broker import Broker, Peer

log = logging.getLogger(__name__)

WARN_EVERY_S = 60.0
ANSWER_WITHIN_S = 1.0
"""How long a worker waits for the master's decision before deciding alone."""


class _Fallback:
    """Logs (at most once a minute) that this worker decides alone."""

    def __init__(self) -> None:
        self._warned_at = float("-inf")

    def note(self, what: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at >= WARN_EVERY_S:
            self._warned_at = now
            log.warning("%s decided by this worker alone: the master did not answer", what, extra={"reason": str(exc)})


# --- the worker's side ----------------------------------------------------------------------------------------


class LinkLimiter:
    """A `RateLimiter` whose buckets are the master's; this worker's own while the master does not answer."""

    def __init__(self, link: WorkerLink, name: str, rate_per_s: float, burst: int) -> None:
        self.link = link
        self.name = name
        self.fallback = LocalLimiter(rate_per_s, burst)
        self._alone = _Fallback()

    async def take(self, key: str) -> Decision:
        try:
            answer = await self.link.request({"op": "take", "limiter": self.name, "key": key}, ANSWER_WITHIN_S)
        except LinkDown as exc:
            self._alone.note(f"rate limit {self.name}", exc)
            return await self.fallback.take(key)
        return Decision(bool(answer["allowed"]), float(answer["retry_after_s"]))


class LinkConnections:
    """Open sockets counted in the master (`acquire` gives the release, or None when refused)."""

    def __init__(self, link: WorkerLink, max_total: int, max_per_address: int) -> None:
        self.link = link
        self.max_total = max_total
        self.max_per_address = max_per_address
        self.local: Counter[str] = Counter()
        self._alone = _Fallback()

    async def acquire(self, address: str) -> Callable[[], None] | None:
        try:
            answer = await self.link.request({"op": "open", "address": address}, ANSWER_WITHIN_S)
        except LinkDown as exc:
            self._alone.note("open sockets", exc)
            return self._acquire_locally(address)
        if not answer["ok"]:
            return None

        def release() -> None:
            self.link.send("N", {"op": "close", "address": address})

        return release

    def _acquire_locally(self, address: str) -> Callable[[], None] | None:
        if sum(self.local.values()) >= self.max_total or self.local[address] >= self.max_per_address:
            return None
        self.local[address] += 1

        def release() -> None:
            self.local[address] -= 1
            if self.local[address] <= 0:
                del self.local[address]

        return release


def shared_limiters(settings: Any, link: WorkerLink, limiters: Limiters) -> Limiters:
    """The worker's limiters: the master's buckets, unless Redis already shares them (`limiters` as built)."""
    if not settings.redis_url:
        rates = {name: LinkLimiter(link, name, *rate) for name, rate in rates_of(settings).items()}
        limiters = Limiters(http=rates["http"], messages=rates["messages"], sign_in=rates["sign_in"])
    limiters.connections = LinkConnections(link, settings.max_connections, settings.max_connections_per_addr)
    return limiters


def share_account_changes(link: WorkerLink, accounts: StaffAccounts) -> None:
    """Changes made here reach the other workers (through the master) before their answer goes out; changes made
    elsewhere make this worker forget its cached state."""

    async def changed(subject: str) -> None:
        try:
            await link.request({"op": "account", "subject": subject}, timeout_s=2 * ANSWER_WITHIN_S)
        except LinkDown as exc:
            log.warning("an account change may take up to the cache time on other workers", extra={"reason": str(exc)})

    async def on_request(request: dict[str, Any]) -> dict[str, Any]:
        if request.get("op") == "forget_account":
            accounts.forget(str(request["subject"]))
            return {}
        raise LookupError(f"unknown request {request.get('op')!r}")

    accounts.changed = changed
    link.on_request = on_request


# --- the master's side ----------------------------------------------------------------------------------------


class SharedLimits:
    """The master's buckets and socket counts, answering the workers' requests (`install` on a `Broker`)."""

    def __init__(self, settings: Any) -> None:
        self.limiters = {name: LocalLimiter(*rate) for name, rate in rates_of(settings).items()}
        self.max_total = settings.max_connections
        self.max_per_address = settings.max_connections_per_addr
        self.open_by_address: Counter[str] = Counter()
        self.open_by_peer: dict[Peer, Counter[str]] = {}

    def install(self, broker: Broker) -> None:
        async def account(peer: Peer, request: dict[str, Any]) -> dict[str, Any]:
            told = await broker.ask_all({"op": "forget_account", "subject": request["subject"]}, but=peer)
            return {"told": told}

        broker.add_request("take", self._take)
        broker.add_request("open", self._open)
        broker.add_request("account", account)
        broker.add_notice("close", self._close)
        broker.on_gone.append(self._gone)

    @property
    def open_total(self) -> int:
        return sum(self.open_by_address.values())

    async def _take(self, _peer: Peer, request: dict[str, Any]) -> dict[str, Any]:
        decision = await self.limiters[request["limiter"]].take(str(request["key"]))
        return {"allowed": decision.allowed, "retry_after_s": decision.retry_after_s}

    async def _open(self, peer: Peer, request: dict[str, Any]) -> dict[str, Any]:
        address = str(request["address"])
        if self.open_total >= self.max_total or self.open_by_address[address] >= self.max_per_address:
            return {"ok": False}
        self.open_by_address[address] += 1
        self.open_by_peer.setdefault(peer, Counter())[address] += 1
        return {"ok": True}

    def _close(self, peer: Peer, notice: dict[str, Any]) -> None:
        address = str(notice["address"])
        held = self.open_by_peer.get(peer)
        if held is None or held[address] <= 0:  # opened before the worker's link was lost: already dropped
            return
        self._drop(address, 1)
        held[address] -= 1
        if held[address] <= 0:
            del held[address]

    def _gone(self, peer: Peer) -> None:
        for address, count in (self.open_by_peer.pop(peer, None) or Counter()).items():
            self._drop(address, count)

    def _drop(self, address: str, count: int) -> None:
        self.open_by_address[address] -= count
        if self.open_by_address[address] <= 0:
            del self.open_by_address[address]
