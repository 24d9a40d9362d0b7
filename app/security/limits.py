"""Resource limits, each answered clearly and never by a crash.

HTTP: a body larger than `max_body_bytes` gets 413; more than `http_per_s` requests per second from one
client address (burst `http_burst`) get 429 with Retry-After. Health probes are exempt.
The per-address rates (HTTP requests, chat messages) are `Limiters` (app/security/rates.py): in Redis, shared
by every replica, when Redis is configured.

WebSocket:
- more than `max_connections_per_addr` sockets from one address, or `max_connections` in all: the socket is
  accepted only to send `too_many_connections` (closing) and closed with 1013 (try again later);
- a frame larger than `max_frame_bytes`: error frame `message_too_large`, the frame is dropped;
- more than `conn_msgs_per_s` frames a second on one socket, or `addr_msgs_per_s` from one address:
  error frame `rate_limited` (with `retry_after_s`), the frame is dropped; the socket stays usable;
- no frame either way for `idle_timeout_s`: error frame `idle_timeout` (closing), close 1000;
- a client that does not take a frame within `send_timeout_s`: dropped (close 1008); its turn ends as
  interrupted and is recorded as such.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections import Counter
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.protocol import error_frame
from app.security.access import client_address, refuse_socket
from app.security.buckets import TokenBucket
from app.security.rates import Limiters, RateLimiter
from app.settings import Settings

EXEMPT_PATHS = ("/healthz", "/readyz")
TRY_AGAIN_LATER = 1013


class SlowClient(ConnectionError):
    """The client did not read a frame in time; the connection is being dropped."""


class LimitsMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings, limiters: Limiters) -> None:
        self.app = app
        self.settings = settings
        self.limiters = limiters
        self.open_by_address: Counter[str] = Counter()
        self.open_total = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._socket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    # --- HTTP ---------------------------------------------------------------------------------------------
    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("path", "") in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        decision = await self.limiters.http.take(client_address(scope))
        if not decision.allowed:
            retry = str(max(1, math.ceil(decision.retry_after_s)))
            await plain_response(send, 429, "rate_limited", "too many requests; slow down", {"retry-after": retry})
            return
        limit = self.settings.max_body_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await plain_response(send, 413, "payload_too_large", f"request body exceeds {limit} bytes")
            return
        body, more, receive_rest = b"", True, receive
        if declared or _has_chunked_body(scope):
            chunks: list[bytes] = []
            size = 0
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client went away while sending
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                more = message.get("more_body", False)
                if size > limit:
                    await plain_response(send, 413, "payload_too_large", f"request body exceeds {limit} bytes")
                    return
            body = b"".join(chunks)
            receive_rest = _replay(body, receive)
        await self.app(scope, receive_rest, send)

    # --- WebSocket ----------------------------------------------------------------------------------------
    async def _socket(self, scope: Scope, receive: Receive, send: Send) -> None:
        address = client_address(scope)
        settings = self.settings
        if self.limiters.connections is not None:  # counted by the master of several workers
            await self._counted_socket(scope, receive, send, address)
            return
        if (
            self.open_total >= settings.max_connections
            or self.open_by_address[address] >= settings.max_connections_per_addr
        ):
            await refuse_socket(
                receive,
                send,
                "too_many_connections",
                "too many open connections; please try again shortly",
                TRY_AGAIN_LATER,
            )
            return
        self.open_total += 1
        self.open_by_address[address] += 1
        guarded = GuardedSocket(receive, send, settings, self.limiters.messages, address)
        try:
            await self.app(scope, guarded.receive, guarded.send)
        finally:
            self.open_total -= 1
            self.open_by_address[address] -= 1
            if self.open_by_address[address] <= 0:
                del self.open_by_address[address]

    async def _counted_socket(self, scope: Scope, receive: Receive, send: Send, address: str) -> None:
        release = await self.limiters.connections.acquire(address)  # type: ignore[union-attr]
        if release is None:
            await refuse_socket(
                receive,
                send,
                "too_many_connections",
                "too many open connections; please try again shortly",
                TRY_AGAIN_LATER,
            )
            return
        guarded = GuardedSocket(receive, send, self.settings, self.limiters.messages, address)
        try:
            await self.app(scope, guarded.receive, guarded.send)
        finally:
            release()


class GuardedSocket:
    """One socket's receive and send, with its limits applied (see the module docstring)."""

    def __init__(
        self, receive: Receive, send: Send, settings: Settings, address_limiter: RateLimiter, address: str
    ) -> None:
        self._receive = receive
        self._send = send
        self.max_frame_bytes: int = settings.max_frame_bytes
        self.idle_timeout_s: float = settings.idle_timeout_s
        self.send_timeout_s: float = settings.send_timeout_s
        self.bucket = TokenBucket(settings.conn_msgs_per_s, settings.conn_msgs_burst)
        self.address_limiter = address_limiter
        self.address = address
        self.accepted = False
        self.finished = False
        self.last_activity = time.monotonic()
        self._lock = asyncio.Lock()

    async def receive(self) -> Message:
        while True:
            if self.finished:
                return {"type": "websocket.disconnect", "code": 1000}
            if not self.accepted:
                return await self._receive()
            remaining = self.idle_timeout_s - (time.monotonic() - self.last_activity)
            try:
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for wraps the call in a new task, every
                # frame (issue 9's profile).
                async with asyncio.timeout(max(remaining, 0.001)):
                    message = await self._receive()
            except TimeoutError:
                if time.monotonic() - self.last_activity < self.idle_timeout_s:
                    continue  # something was sent meanwhile: not idle
                await self._close_with("idle_timeout", f"no activity for {self.idle_timeout_s:g}s; closing", 1000)
                return {"type": "websocket.disconnect", "code": 1000}
            if message["type"] != "websocket.receive":
                if message["type"] == "websocket.disconnect":
                    self.finished = True
                return message
            self.last_activity = time.monotonic()
            refusal = await self._refusal(message)
            if refusal is None:
                return message
            try:
                await self._frame(refusal)
            except OSError:
                return {"type": "websocket.disconnect", "code": 1006}

    async def _refusal(self, message: Message) -> dict[str, Any] | None:
        text, data = message.get("text"), message.get("bytes")
        size = len(text.encode("utf-8", "surrogatepass")) if text is not None else len(data or b"")
        if size > self.max_frame_bytes:
            return error_frame("message_too_large", f"frames are limited to {self.max_frame_bytes} bytes")
        if not self.bucket.take():
            return {
                **error_frame("rate_limited", "too many messages on this connection; slow down"),
                "retry_after_s": round(self.bucket.retry_after(), 2),
            }
        decision = await self.address_limiter.take(self.address)
        if not decision.allowed:
            return {
                **error_frame("rate_limited", "too many messages from your network; slow down"),
                "retry_after_s": round(decision.retry_after_s, 2),
            }
        return None

    async def send(self, message: Message) -> None:
        if self.finished:
            if message["type"] == "websocket.send":
                raise SlowClient("connection closed by the server")
            return  # a second close: already closed
        async with self._lock:
            if message["type"] == "websocket.accept":
                self.accepted = True
            try:
                async with asyncio.timeout(self.send_timeout_s):
                    await self._send(message)
            except TimeoutError:
                self.finished = True
                raise SlowClient(f"client did not read within {self.send_timeout_s:g}s") from None
            finally:
                self.last_activity = time.monotonic()
            if message["type"] == "websocket.close":
                self.finished = True

    async def _frame(self, frame: dict[str, Any]) -> None:
        await self.send({"type": "websocket.send", "text": json.dumps(frame, separators=(",", ":"))})

    async def _close_with(self, code: str, detail: str, close_code: int) -> None:
        try:
            await self._frame(error_frame(code, detail, closing=True))
            await self.send({"type": "websocket.close", "code": close_code, "reason": code})
        except (OSError, RuntimeError):
            pass
        self.finished = True


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", ()):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _has_chunked_body(scope: Scope) -> bool:
    return any(k == b"transfer-encoding" and b"chunked" in v.lower() for k, v in scope.get("headers", ()))


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def plain_response(send: Send, status: int, code: str, detail: str, extra: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail, "code": code}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
