"""Limits over the real app, each answered with a clear error frame or status, and the socket still usable."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from websockets.asyncio.client import connect

from app.security.limits import GuardedSocket, SlowClient
from app.security.rates import LocalLimiter
from app.settings import Settings
from tests.security.helpers import socket_refusal
from tests.support.chat_client import ask, next_frame, open_chat

pytestmark = pytest.mark.integration


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
    await asyncio.sleep(0.2)
    conn, _ = await open_chat(secured_app.ws)
    await conn.close()


async def test_idle_socket_is_closed_with_a_frame(secured_app):
    conn, _ = await open_chat(secured_app.ws)
    started = time.monotonic()
    frame = await asyncio.wait_for(next_frame(conn), 30)
    assert frame["code"] == "idle_timeout" and frame["closing"] is True
    assert time.monotonic() - started >= 5
    await conn.wait_closed()
    assert conn.close_code == 1000


def test_http_body_and_rate_limits(secured_app):
    big = httpx.post(secured_app.http + "/api/login", content=b"{" + b" " * 70000 + b"}",
                     headers={"content-type": "application/json"})
    assert big.status_code == 413 and big.json()["code"] == "payload_too_large"
    with httpx.Client(base_url=secured_app.http) as client:
        statuses = []
        while 429 not in statuses and len(statuses) < 2000:
            statuses.append(client.get("/api/no-such-thing").status_code)
        limited = client.get("/api/no-such-thing")
    assert set(statuses) == {404, 429} and len(statuses) > 250
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert int(limited.headers["retry-after"]) >= 1
    assert httpx.get(secured_app.http + "/healthz").status_code == 200
    time.sleep(5)  # refill for the tests that follow


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
