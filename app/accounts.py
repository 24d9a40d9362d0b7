"""Is a staff token still honoured? Its account must exist, be enabled, have the token's role, and still be at
the token's version (disable, sign-out and a new password bump it: app/users.py).

Checked on every staff request and socket, against the database at most once per `cache_s` (default 5 s) per
account and process: a revocation made anywhere (another replica, `triage users disable`) takes effect within
that time everywhere, and at once in the process that made it.

When the database does not answer, an account whose state is not cached cannot be checked: `AccountsUnavailable`,
which staff HTTP requests answer with 503 (app/security/unavailable.py). Staff access fails closed; the patient
chat needs no account and is unaffected.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError

from app.users import StaffUser, UserStore, user_store

T = TypeVar("T")


class AccountsUnavailable(Exception):
    """The accounts database did not answer (down, unreachable, or its pool exhausted)."""

    safe_to_log = True


@dataclass(frozen=True)
class AccountState:
    role: str
    version: int
    disabled: bool


class StaffAccounts:
    def __init__(self, store: UserStore, cache_s: float = 5.0) -> None:
        self.store = store
        self.cache_s = cache_s
        self._cache: dict[str, tuple[float, AccountState | None]] = {}
        self.changed: Callable[[str], Awaitable[None]] | None = None
        """Told of each change made here before it is answered (`triage serve --workers N`: the other workers
        forget their cached state, app/worker_shared.py)."""

    async def admits(self, subject: str, role: str, version: int | None) -> bool:
        """No thread hop while the cached state is fresh."""
        hit, state = self._hit(subject)
        if not hit:
            state = await _unless_down(asyncio.to_thread(self._load, subject))
        return _admits(state, role, version)

    async def revoke(self, subject: str) -> None:
        """Every token of the account stops working: in this process at once, elsewhere within `cache_s`."""
        user = await _unless_down(asyncio.to_thread(self.store.revoke_tokens, subject))
        self._cache[subject] = (time.monotonic(), _state(user))
        if self.changed is not None:
            await self.changed(subject)

    async def note(self, user: StaffUser) -> None:
        """An account changed by this process (disabled, new password or role): honoured as changed at once."""
        self._cache[user.username] = (time.monotonic(), _state(user))
        if self.changed is not None:
            await self.changed(user.username)

    def forget(self, subject: str) -> None:
        """Changed elsewhere: read it again at the next request."""
        self._cache.pop(subject, None)

    def _hit(self, subject: str) -> tuple[bool, AccountState | None]:
        entry = self._cache.get(subject)
        if entry is not None and time.monotonic() - entry[0] < self.cache_s:
            return True, entry[1]
        return False, None

    def _load(self, subject: str) -> AccountState | None:
        started = time.monotonic()
        state = _state(self.store.get(subject))
        entry = self._cache.get(subject)
        if entry is not None and entry[0] >= started:
            return entry[1]  # a revocation noted while this read ran is newer than what it read
        self._cache[subject] = (time.monotonic(), state)
        return state


async def _unless_down(call: Awaitable[T]) -> T:
    try:
        return await call
    except (SQLAlchemyError, OSError) as exc:
        raise AccountsUnavailable("the staff accounts database did not answer") from exc


def _state(user: StaffUser | None) -> AccountState | None:
    return AccountState(user.role, user.token_version, user.disabled) if user is not None else None


def _admits(account: AccountState | None, role: str, version: int | None) -> bool:
    return account is not None and not account.disabled and account.role == role and account.version == version


_registry: dict[tuple[str, float], StaffAccounts] = {}
_registry_lock = threading.Lock()


def staff_accounts(database_url: str, cache_s: float) -> StaffAccounts:
    """One checker (and cache) per database in this process."""
    with _registry_lock:
        found = _registry.get((database_url, cache_s))
        if found is None:
            found = _registry[(database_url, cache_s)] = StaffAccounts(user_store(database_url), cache_s)
        return found
