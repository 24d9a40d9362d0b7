"""Limits over the real app, each answered with a clear error frame or status, and the socket still usable."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from websockets.asyncio.client import connect

from app.security.limits import GuardedSocket, LimitsMiddleware, SlowClient, plain_response
from app.security.rates import Limiters, LocalLimiter
from app.settings import Settings
from tests.security.conftest import LIMITS
from tests.security.helpers import socket_refusal
from tests.support.chat_client import ask, next_frame, open_chat

pytestmark = pytest.mark.integration

#: Another loopback address (Linux answers on all of 127.0.0.0/8): a client with its own rate-limit buckets.
FLOODER = "127.0.0.2"


class Clock:
    """The buckets' clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def not_found(scope, receive, send) -> None:
    await plain_response(send, 404, "not_found", "no such thing")


async def test_oversized_frame_gets_an_error_frame_and_the_socket_stays_usable(secured_app):
    conn, _ = await open_chat(secured_app.ws)
    async with conn:
        await conn.send(json.dumps({"type": "message", "text": "a" * 5000}))
        frame = await next_frame(conn)
        assert frame["code"] == "message_too_large" and "closing" not in frame
        frames = await ask(conn, "I have a mild cough")
        assert frames[-1]["type"] == "done"


async def test_message_flood_on_one_socket_is_rate_limited_not_dropped(secured_app):
    conn, _ = await open_chat(secured_app.ws)
    async with conn:
        for _ in range(6):
            await conn.send(json.dumps({"type": "message", "text": "I have a mild cough"}))
        kinds: dict[str, int] = {}
        while kinds.get("done", 0) + kinds.get("rate_limited", 0) < 6:
            frame = await asyncio.wait_for(next_frame(conn), 60)
            key = frame.get("code") if frame["type"] == "error" else frame["type"]
            kinds[key] = kinds.get(key, 0) + 1
        assert kinds["done"] == 3 and kinds["rate_limited"] == 3


async def test_connections_beyond_the_per_address_limit_are_refused_with_a_frame(secured_app):
    held = [await connect(secured_app.ws + "/ws/chat") for _ in range(8)]
    try:
        code, frames = await socket_refusal(secured_app.ws + "/ws/chat")
        assert code == 1013 and frames[0]["code"] == "too_many_connections" and frames[0]["closing"] is True
    finally:
        for conn in held:
            await conn.close()
    conn = await session_once_counted_closed(secured_app.ws)
    await conn.close()


async def session_once_counted_closed(ws_base: str, within_s: float = 5.0):
    """A chat socket, once the server has counted the closed ones (it counts them as each handler ends): refused
    with `too_many_connections` until then, a session after."""
    deadline = time.monotonic() + within_s
    while True:
        conn = await connect(ws_base + "/ws/chat")
        first = json.loads(await conn.recv())
        if first["type"] == "session":
            return conn
        await conn.close()
        assert first["code"] == "too_many_connections", first
        assert time.monotonic() < deadline, "closed sockets still counted against the address"
        await asyncio.sleep(0.02)


async def test_idle_socket_is_closed_with_a_frame(secured_app):
    conn, _ = await open_chat(secured_app.ws)
    started = time.monotonic()
    frame = await asyncio.wait_for(next_frame(conn), 30)
    assert frame["code"] == "idle_timeout" and frame["closing"] is True
    assert time.monotonic() - started >= 5
    await conn.wait_closed()
    assert conn.close_code == 1000


def test_http_body_and_rate_limits(secured_app):
    big = httpx.post(
        secured_app.http + "/api/login",
        content=b"{" + b" " * 70000 + b"}",
        headers={"content-type": "application/json"},
    )
    assert big.status_code == 413 and big.json()["code"] == "payload_too_large"
    # The flood comes from another loopback address: the limit is per address, so the tests that follow (from
    # 127.0.0.1) keep their allowance and nothing has to wait for a refill (the refill: the test below).
    with httpx.Client(base_url=secured_app.http, transport=httpx.HTTPTransport(local_address=FLOODER)) as client:
        statuses = []
        while 429 not in statuses and len(statuses) < 2000:
            # The refused request itself is checked below: asking again could find a token refilled meanwhile.
            limited = client.get("/api/no-such-thing")
            statuses.append(limited.status_code)
        assert client.get("/healthz").status_code == 200  # probes are exempt
    assert set(statuses) == {404, 429} and len(statuses) > 250
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert int(limited.headers["retry-after"]) >= 1
    assert httpx.get(secured_app.http + "/api/no-such-thing").status_code == 404  # another address: not limited


async def test_an_address_over_the_http_rate_gets_429_until_its_bucket_refills():
    clock = Clock()
    rate, burst = float(LIMITS["TRIAGE_HTTP_PER_S"]), int(LIMITS["TRIAGE_HTTP_BURST"])
    limiters = Limiters(
        http=LocalLimiter(rate, burst, clock=clock), messages=LocalLimiter(1, 1), sign_in=LocalLimiter(1, 1)
    )
    guarded = LimitsMiddleware(not_found, Settings(), limiters)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=guarded), base_url="http://app") as client:
        statuses = [(await client.get("/api/x")).status_code for _ in range(burst + 1)]
        assert statuses == [404] * burst + [429]
        limited = await client.get("/api/x")
        assert limited.json()["code"] == "rate_limited" and limited.headers["retry-after"] == "1"
        clock.now += 0.5 / rate
        assert (await client.get("/api/x")).status_code == 429
        clock.now += 0.6 / rate  # one token back (and a little)
        assert [(await client.get("/api/x")).status_code for _ in range(2)] == [404, 429]
        clock.now += burst / rate  # the whole burst back, and no more
        statuses = [(await client.get("/api/x")).status_code for _ in range(burst + 1)]
        assert statuses == [404] * burst + [429]


async def test_a_client_that_does_not_read_is_dropped_not_waited_for():
    settings = Settings(send_timeout_s=0.2)
    stuck = asyncio.Event()

    async def receive():
        await stuck.wait()

    async def send(message):
        if message["type"] == "websocket.send":
            await stuck.wait()

    socket = GuardedSocket(receive, send, settings, LocalLimiter(10, 10), "127.0.0.1")
    await socket.send({"type": "websocket.accept"})
    started = time.monotonic()
    with pytest.raises(SlowClient):
        await socket.send({"type": "websocket.send", "text": "{}"})
    assert time.monotonic() - started < 2
    with pytest.raises(ConnectionError):
        await socket.send({"type": "websocket.send", "text": "{}"})
    assert await socket.receive() == {"type": "websocket.disconnect", "code": 1000}


async def test_the_sign_in_throttle_follows_its_settings() -> None:
    """A clinic whose staff share one address raises the burst; the default stays 10 at once."""
    from app.security.rates import build_limiters

    for burst in (10, 25):
        settings = Settings(sign_in_burst=burst) if burst != 10 else Settings()
        sign_in = build_limiters(settings).sign_in
        allowed = [(await sign_in.take("10.0.0.9")).allowed for _ in range(burst + 1)]
        assert allowed == [True] * burst + [False]
