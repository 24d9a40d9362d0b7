"""Graceful shutdown: stop accepting, tell every open socket to reconnect elsewhere, finish audit writes.

On SIGTERM (Kubernetes, compose, Ctrl-C) `GracefulServer`:
1. closes the listening sockets (no new connections; the load balancer has already been told by preStop);
2. sends each registered socket `{"type": "error", "code": "server_shutdown", "closing": true}` and closes it
   with 1012 (service restart): clients reconnect, through the balancer, to another replica, and resume;
3. lets uvicorn finish: connection tasks end (a turn cut short is recorded as interrupted, shielded from
   cancellation), then the lifespan's shutdown waits for the audit writes still in flight (`agent.drain()`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import uvicorn

from app.protocol import error_frame

log = logging.getLogger(__name__)

SERVICE_RESTART = 1012
SHUTDOWN_FRAME = error_frame("server_shutdown", "this server is restarting; reconnect to continue", closing=True)
Notify = Callable[[dict[str, Any], int], Awaitable[None]]


class OpenSockets:
    """The sockets a replica must tell to go elsewhere when it stops."""

    def __init__(self) -> None:
        self._notifiers: set[Notify] = set()
        self.closing = False

    def __len__(self) -> int:
        return len(self._notifiers)

    @contextlib.contextmanager
    def track(self, notify: Notify) -> Iterator[None]:
        self._notifiers.add(notify)
        try:
            yield
        finally:
            self._notifiers.discard(notify)

    async def close_all(self, timeout_s: float = 5.0) -> int:
        self.closing = True
        notifiers = list(self._notifiers)
        if notifiers:
            await asyncio.wait(
                [asyncio.ensure_future(_quietly(n(SHUTDOWN_FRAME, SERVICE_RESTART))) for n in notifiers],
                timeout=timeout_s,
            )
        return len(notifiers)


async def _quietly(call: Awaitable[None]) -> None:
    with contextlib.suppress(Exception):
        await call


def websocket_notifier(websocket: Any, send: Callable[[dict[str, Any]], Awaitable[None]] | None = None) -> Notify:
    """Send the frame (through `send` when the connection serialises its writes), then close with `code`."""

    async def notify(frame: dict[str, Any], code: int) -> None:
        try:
            if send is not None:
                await send(frame)
            else:
                await websocket.send_text(json.dumps(frame, separators=(",", ":")))
        finally:
            await websocket.close(code=code)

    return notify


class GracefulServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None] | None = None) -> None:
        super().__init__(config)
        self.on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self.on_ready is not None:  # after uvicorn's own "running on" line
            self.on_ready()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        registry: OpenSockets | None = getattr(getattr(self.config.app, "state", None), "open_sockets", None)
        if registry is not None:
            told = await registry.close_all()
            log.info("told open sockets to reconnect", extra={"sockets": told})
        await super().shutdown(sockets)


def serve(app: Any, on_ready: Callable[[], None] | None = None, **options: Any) -> None:
    """uvicorn.run, with the shutdown above; `on_ready` is called once the server accepts connections.
    `options` are uvicorn.Config's."""
    options.setdefault("timeout_graceful_shutdown", 20)
    GracefulServer(uvicorn.Config(app, **options), on_ready).run()
