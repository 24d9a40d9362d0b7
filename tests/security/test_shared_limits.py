"""Rate limits across replicas (issue 16, part 5): with Redis configured, the sign-in throttle and the per-address
request and message limits are one budget for all replicas, not one each. Two real apps on the machine's Redis
(127.0.0.1:6379; a fresh key prefix per test); and Redis failing falls back to each process's own limits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest
import redis

from tests.security.helpers import PASSWORD, make_staff
from tests.support.chat_client import next_frame, open_chat
from tests.support.servers import AppProcess

pytestmark = [pytest.mark.integration, pytest.mark.redis]

LIMITS = {
    "TRIAGE_HTTP_PER_S": "0.5",
    "TRIAGE_HTTP_BURST": "60",
    "TRIAGE_ADDR_MSGS_PER_S": "0.2",
    "TRIAGE_ADDR_MSGS_BURST": "4",
    "TRIAGE_CONN_MSGS_BURST": "50",
}


@pytest.fixture
def replicas(tmp_path, redis_server_url, redis_prefix) -> Iterator[tuple[AppProcess, AppProcess]]:
    env = {"TRIAGE_REDIS_URL": redis_server_url, "TRIAGE_REDIS_PREFIX": redis_prefix, **LIMITS}
    apps = []
    try:
        for name in ("a", "b"):
            make_staff(tmp_path / name, {"clin": "clinician"})
            apps.append(AppProcess(tmp_path / name, env).start())
        yield apps[0], apps[1]
    finally:
        for app in apps:
            app.stop()


def wrong_password(app: AppProcess) -> int:
    return httpx.post(
        app.http + "/api/login", json={"username": "clin", "password": "not " + PASSWORD}, timeout=30
    ).status_code


async def test_two_replicas_share_one_sign_in_throttle_and_one_request_budget(replicas, redis_server_url, redis_prefix):
    a, b = replicas
    assert [wrong_password(a) for _ in range(10)] == [401] * 10  # the burst, spent on A
    answer = httpx.post(b.http + "/api/login", json={"username": "clin", "password": PASSWORD}, timeout=30)
    assert answer.status_code == 429 and int(answer.headers["retry-after"]) >= 1  # B knows: no fresh 10 guesses
    assert wrong_password(a) == 429

    # HTTP requests: a burst of 60 per address, whichever replica answers.
    statuses = [httpx.get(app.http + "/api/no-such-thing", timeout=30).status_code for _ in range(35) for app in (a, b)]
    assert statuses.count(429) >= 5 and set(statuses) == {404, 429}
    client = redis.Redis.from_url(redis_server_url)
    names = {key.decode().split(":rate:")[1].split(":")[0] for key in client.scan_iter(match=f"{redis_prefix}:rate:*")}
    assert names >= {"http", "sign_in"}
    client.close()


async def test_chat_messages_per_address_are_one_budget_across_replicas(replicas):
    a, b = replicas
    kinds: list[str] = []
    for app in (a, b):
        conn, _ = await open_chat(app.ws)
        async with conn:
            for _ in range(3):
                await conn.send(json.dumps({"type": "message", "text": "I have a mild cough"}))
                while True:
                    frame = await asyncio.wait_for(next_frame(conn), 60)
                    if frame["type"] in ("done", "error"):
                        kinds.append(frame.get("code", frame["type"]))
                        break
    assert kinds == ["done"] * 4 + ["rate_limited"] * 2  # a burst of 4 for the address, not 4 per replica


async def test_redis_down_falls_back_to_this_process_limits():
    from app.security.rates import LocalLimiter, RedisLimiter

    unreachable = redis.asyncio.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    limiter = RedisLimiter(unreachable, "http", 1.0, 2, prefix="test:down")
    decisions = [await limiter.take("10.0.0.1") for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False] and decisions[-1].retry_after_s > 0
    await unreachable.aclose()
    local = LocalLimiter(1.0, 2)
    assert [(await local.take("x")).allowed for _ in range(3)] == [True, True, False]
