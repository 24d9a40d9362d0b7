"""Group commit: callers wait for their own item to be durable; items that arrive while a batch is being written
go together in the next batch (one transaction and one fsync for all of them).

An idle service writes each item at once, alone, as before; under load the batch grows with the queue, so the
disk's fsync rate no longer caps messages per second and the per-item cost of a transaction is shared
(issue 9). Order is kept: items are written in the order they were submitted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    def __init__(self, write_batch: Callable[[list[Item]], list[Result]], *, max_batch: int = 256) -> None:
        """`write_batch` takes items in order and returns one result per item, durable when it returns; it runs
        in a worker thread, one batch at a time."""
        self._write_batch = write_batch
        self._max_batch = max_batch
        self._queue: list[tuple[Item, asyncio.Future[Result]]] = []
        self._writer: asyncio.Task[None] | None = None

    def submit(self, item: Item) -> asyncio.Future[Result]:
        """A future for the item's result, set once its batch is committed (or failed)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        self._queue.append((item, future))
        if self._writer is None:
            self._writer = loop.create_task(self._write_all())
        return future

    async def _write_all(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch :]
                try:
                    results = await asyncio.to_thread(self._write_batch, [item for item, _ in batch])
                except asyncio.CancelledError:
                    for _, future in (*batch, *self._queue):
                        future.cancel()
                    self._queue = []
                    raise
                except Exception as exc:  # noqa: BLE001 - every caller of the batch sees the failure, as it would alone
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
        finally:
            self._writer = None

    async def drain(self) -> None:
        """Wait until everything submitted so far is written."""
        while self._writer is not None:
            await asyncio.shield(self._writer)

    @property
    def waiting(self) -> int:
        return len(self._queue)
