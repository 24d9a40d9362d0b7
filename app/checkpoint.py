"""The LangGraph checkpointer for the configured store (SQLite file by default)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    DeltaChannelHistory,
)
from langgraph.checkpoint.sqlite import SqliteSaver

#: pg_advisory_lock key held while the PostgreSQL checkpointer creates or migrates its tables.
SETUP_LOCK_ID = 0x7472_6961_6765  # 'triage'
POOL_SIZE = 10


@asynccontextmanager
async def open_checkpointer(url: str) -> AsyncIterator[BaseCheckpointSaver]:
    if url.startswith(("postgresql://", "postgres://")):
        from psycopg import AsyncConnection
        from psycopg.rows import DictRow, dict_row
        from psycopg_pool import AsyncConnectionPool

        from app.checkpoint_postgres import PRUNE_EVERY_S, PruningPostgresSaver

        # A pool, not one shared connection: every replica serves many sessions at once.
        options = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
        # The annotation tells type checkers the rows are dicts (row_factory); the pool is built as before.
        pool: AsyncConnectionPool[AsyncConnection[DictRow]] = AsyncConnectionPool(
            url, kwargs=options, min_size=1, max_size=POOL_SIZE, open=False
        )
        async with pool:
            saver = PruningPostgresSaver(pool)
            # Replicas starting together would race on the saver's migrations: one at a time.
            async with await AsyncConnection.connect(url, autocommit=True) as lock:
                await lock.execute("SELECT pg_advisory_lock(%s)", (SETUP_LOCK_ID,))
                await saver.setup()
            sweeper = asyncio.create_task(saver.sweep_every(PRUNE_EVERY_S), name="checkpoint-prune")
            try:
                yield saver
            finally:
                sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeper
                await saver.prune_at_stop()
        return
    path = url.removeprefix("sqlite:///")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, check_same_thread=False)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        # A commit writes the WAL without an fsync: safe against a crashed or killed process; a power cut may cost
        # the last turns' conversation context (never their audit records, which compliance/audit commits with
        # fsync). This is what keeps a commit off the disk's latency on the event loop.
        conn.execute("PRAGMA synchronous=NORMAL")
        local = InLoopSqliteSaver(conn)
        local.setup()
        yield local


class InLoopSqliteSaver(SqliteSaver):
    """LangGraph's SQLite checkpointer with its async methods run on the event loop.

    A turn reads its session's checkpoint once and writes one (durability "exit"): a few short statements on a
    local file, without fsync (above). `AsyncSqliteSaver` sends each statement through aiosqlite's thread and
    back, which costs more than the statement itself (issue 9's profile: ~1.5 ms of CPU per turn).
    """

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Save the checkpoint and forget the thread's older ones: the next message needs only the latest.

        Each checkpoint holds the whole conversation so far and its encrypted placeholder vault, so keeping every
        one grew a session's storage with the square of its turns (2,000 sessions of 15 turns: 200 MB) and kept old
        copies of the vault for ever. The service never reads an older checkpoint (no time travel), and the
        conversation's channel holds the whole list in each checkpoint, not deltas. Checkpoint ids sort by time."""
        saved = super().put(config, checkpoint, metadata, new_versions)
        keys = saved["configurable"]
        where = (str(keys["thread_id"]), keys.get("checkpoint_ns", ""), keys["checkpoint_id"])
        with self.cursor() as cur:
            cur.execute(
                "DELETE FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id < ?", where
            )
            cur.execute("DELETE FROM writes WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id < ?", where)
        return saved

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self.get_tuple(config)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,  # noqa: A002
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        for item in self.list(config, filter=filter, before=before, limit=limit):
            yield item

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return self.put(config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        self.put_writes(config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        self.delete_thread(thread_id)

    async def aget_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, DeltaChannelHistory]:
        return self.get_delta_channel_history(config=config, channels=channels)
