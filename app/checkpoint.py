"""The LangGraph checkpointer for the configured store (SQLite file by default)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver

#: pg_advisory_lock key held while the PostgreSQL checkpointer creates or migrates its tables.
SETUP_LOCK_ID = 0x7472_6961_6765  # 'triage'
POOL_SIZE = 10


@asynccontextmanager
async def open_checkpointer(url: str) -> AsyncIterator[BaseCheckpointSaver]:
    if url.startswith(("postgresql://", "postgres://")):
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
        from psycopg import AsyncConnection
        from psycopg.rows import dict_row
        from psycopg_pool import AsyncConnectionPool

        # A pool, not one shared connection: every replica serves many sessions at once.
        options = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
        async with AsyncConnectionPool(url, kwargs=options, min_size=1, max_size=POOL_SIZE, open=False) as pool:
            saver = AsyncPostgresSaver(pool)
            # Replicas starting together would race on the saver's migrations: one at a time.
            async with await AsyncConnection.connect(url, autocommit=True) as lock:
                await lock.execute("SELECT pg_advisory_lock(%s)", (SETUP_LOCK_ID,))
                await saver.setup()
            yield saver
        return
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    path = url.removeprefix("sqlite:///")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    async with AsyncSqliteSaver.from_conn_string(path) as saver:
        await saver.setup()
        yield saver
