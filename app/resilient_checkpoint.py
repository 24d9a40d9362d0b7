"""The LangGraph checkpointer, made unable to stop an answer (issue 8).

The checkpointer keeps each conversation's history and placeholder vault. When it lives in PostgreSQL, a database
outage would otherwise fail every turn at its first read, emergencies included, before the patient sees a
thing. Wrapped, the service degrades instead: a read that fails (or takes longer than `timeout_s`) answers "no
saved state", so the message is triaged and answered on its own; a write that fails is skipped and logged. The
cost is context, for the length of the outage: the turn does not see earlier messages, and its own is not kept.
The audit record of every turn is unaffected (compliance/audit/spool.py keeps those).

After a failure the store is left alone for `cooldown_s` (calls skip at once), then one call probes it: the
engines' circuit breaker (agents/engines/breaker.py), opened by a single failure, its cooldown not growing.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from typing import Any, TypeVar

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
)

from agents.engines.breaker import CircuitBreaker

log = logging.getLogger(__name__)


def _outage_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OSError, TimeoutError, sqlite3.OperationalError]
    try:
        import psycopg
        import psycopg_pool

        errors += [psycopg.OperationalError, psycopg.InterfaceError, psycopg_pool.PoolTimeout]
    except ImportError:
        pass
    return tuple(errors)


OUTAGE_ERRORS = _outage_errors()
T = TypeVar("T")


class ResilientCheckpointer(BaseCheckpointSaver):
    """A call on a network store that takes longer than `timeout_s` counts as a failure (None: no limit, for
    SQLite); `clock` is the breaker's (seconds, monotonic)."""

    def __init__(
        self,
        inner: BaseCheckpointSaver,
        *,
        timeout_s: float | None = None,
        cooldown_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(serde=inner.serde)
        self.inner = inner
        self.timeout_s = timeout_s
        self.breaker = CircuitBreaker(
            failure_threshold=1, cooldown_s=cooldown_s, max_cooldown_s=cooldown_s, clock=clock
        )

    async def _guard(self, what: str, call: Coroutine[Any, Any, T], fallback: T) -> T:
        if not self.breaker.allow():
            call.close()
            return fallback
        try:
            async with asyncio.timeout(self.timeout_s):
                result = await call
        except OUTAGE_ERRORS as exc:
            self.breaker.record_failure()
            log.warning("checkpoint store unavailable; %s skipped", what, extra={"reason": type(exc).__name__})
            return fallback
        except BaseException:  # a bug, or the turn was cancelled: no verdict on the store
            self.breaker.release()
            raise
        self.breaker.record_success()
        return result

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return await self._guard("read", self.inner.aget_tuple(config), None)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,  # noqa: A002
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        async for item in self.inner.alist(config, filter=filter, before=before, limit=limit):
            yield item

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        saved: RunnableConfig = {"configurable": {**config.get("configurable", {}), "checkpoint_id": checkpoint["id"]}}
        return await self._guard("write", self.inner.aput(config, checkpoint, metadata, new_versions), saved)

    async def aput_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        await self._guard("write", self.inner.aput_writes(config, writes, task_id, task_path), None)

    async def adelete_thread(self, thread_id: str) -> None:
        await self.inner.adelete_thread(thread_id)

    def get_next_version(self, current: Any, channel: Any) -> Any:
        return self.inner.get_next_version(current, channel)


def resilient(inner: BaseCheckpointSaver, url: str) -> ResilientCheckpointer:
    network = url.startswith(("postgresql://", "postgres://"))
    return ResilientCheckpointer(inner, timeout_s=10.0 if network else None)
