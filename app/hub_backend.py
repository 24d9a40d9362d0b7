"""Which live session hub this configuration gets: Redis across replicas (app/hub_redis.py, needs the `redis`
extra) when TRIAGE_REDIS_URL is set, the in-process one (app/hub.py) otherwise. Either keeps the queue across
restarts: Redis in its log, the in-process hub in the service's database (app/hub_store.py) when given one."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from app.hub import InProcessHub
from compliance.keys import KeyRing


@contextlib.asynccontextmanager
async def open_hub(
    redis_url: str | None, fernet_key: bytes | KeyRing, prefix: str = "triage:hub", database_url: str | None = None
) -> AsyncIterator[InProcessHub]:
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
