"""Which live session hub this configuration gets: Redis across replicas (app/hub_redis.py, needs the `redis`
extra) when TRIAGE_REDIS_URL is set; without Redis, in a worker of `triage serve --workers N`, the workers' hub
shared through their master (app/hub_workers.py); else the in-process one (app/hub.py). Each keeps the queue
across restarts: Redis in its log, the others in the service's database (app/hub_store.py; the master writes it
for its workers)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from app.hub import InProcessHub
from app.worker_link import WorkerLink
from compliance.keys import KeyRing


@contextlib.asynccontextmanager
async def open_hub(
    redis_url: str | None,
    fernet_key: bytes | KeyRing,
    prefix: str = "triage:hub",
    database_url: str | None = None,
    *,
    link: WorkerLink | None = None,
) -> AsyncIterator[InProcessHub]:
    if not redis_url and link is not None:
        from app.hub_workers import WorkerHub

        shared = WorkerHub(link)
        await shared.start()
        try:
            yield shared
        finally:
            await shared.close()
        return
    if not redis_url:
        store = None
        if database_url:
            from app.hub_store import SqlQueueStore

            store = SqlQueueStore(database_url)
        hub = InProcessHub(store=store)
        await hub.start()
        try:
            yield hub
        finally:
            await hub.close()
            if store is not None:
                store.dispose()
        return
    from redis.asyncio import Redis

    from app.hub_redis import RedisHub

    hub = RedisHub(Redis.from_url(redis_url), fernet_key, prefix=prefix)
    await hub.start()
    try:
        yield hub
    finally:
        await hub.close()
