"""The PostgreSQL checkpointer that keeps each conversation's latest checkpoint only (app/checkpoint.py opens it).

Imported only where the checkpoint store is PostgreSQL, so a SQLite service does not load psycopg."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import ChannelVersions, Checkpoint, CheckpointMetadata
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

PRUNE_EVERY_S = 30.0
"""How often the conversations saved since the last sweep have their older checkpoints deleted."""
PRUNE_AT_STOP_S = 5.0
"""The longest the last sweep may hold up a stopping service (a locked table must not keep a replica alive)."""
log = logging.getLogger(__name__)


class PruningPostgresSaver(AsyncPostgresSaver):
    """LangGraph's PostgreSQL checkpointer, keeping each conversation's latest checkpoint only (as the SQLite one
    does): the conversations saved since the last sweep are pruned together (`keep_latest`), off the turns' path,
    every `PRUNE_EVERY_S` and when the service stops. A sweep that fails (a turn saving the same conversation at
    that moment can make PostgreSQL refuse it) leaves its conversations for the next one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.saved_threads: set[str] = set()

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        saved = await super().aput(config, checkpoint, metadata, new_versions)
        self.saved_threads.add(str(saved["configurable"]["thread_id"]))
        return saved

    async def prune_saved(self) -> int:
        """Forget the older checkpoints of the conversations saved since the last sweep; how many were swept."""
        threads, self.saved_threads = self.saved_threads, set()
        if not threads:
            return 0
        try:
            await self.aprune(sorted(threads), strategy="keep_latest")
        except Exception:  # a database error must not stop the sweeps: they are retried next time
            log.warning("older conversation checkpoints not pruned; retrying at the next sweep", exc_info=True)
            self.saved_threads |= threads
            return 0
        return len(threads)

    async def prune_at_stop(self) -> None:
        """The last sweep, given up after PRUNE_AT_STOP_S: the older checkpoints it leaves cost space, never a turn."""
        within_s = PRUNE_AT_STOP_S
        try:
            await asyncio.wait_for(self.prune_saved(), within_s)
        except TimeoutError:
            log.warning("older conversation checkpoints not pruned at stop: gave up after %.1f s", within_s)

    async def sweep_every(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            await self.prune_saved()
