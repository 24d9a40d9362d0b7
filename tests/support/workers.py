"""`triage serve --workers N` for tests: start it, and find which worker holds a socket.

Which worker holds a socket is read from the outside (psutil: the worker process holding the connection's server
end); `connect_on` reconnects until the kernel hands the connection to the worker wanted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from pathlib import Path

import psutil
from websockets.asyncio.client import ClientConnection, connect

from tests.support.chat_client import next_frame
from tests.support.servers import AppProcess


def start_workers(data_dir: Path, env: dict[str, str] | None = None, port: int | None = None) -> AppProcess:
    """`triage serve` with two workers, once both accept connections (the master's ready notice)."""
    app = AppProcess(data_dir, {"TRIAGE_WORKERS": "2", **(env or {})}, port=port)
    try:
        app.start(timeout=240)
        deadline = time.monotonic() + 240
        while "Triage is ready" not in app.log_text():
            if time.monotonic() > deadline or app.proc.poll() is not None:
                raise TimeoutError("the workers did not all start:\n" + app.log_text()[-3000:])
            time.sleep(0.1)
        assert len(workers_of(app)) == 2
    except BaseException:
        app.stop()  # never leave a master and its workers behind
        raise
    return app


def workers_of(app: AppProcess) -> list[int]:
    return sorted(child.pid for child in psutil.Process(app.proc.pid).children())


def holder(app: AppProcess, conn: ClientConnection) -> int | None:
    """The worker process holding the server end of `conn`."""
    port = conn.local_address[1]
    for pid in workers_of(app):
        with contextlib.suppress(psutil.NoSuchProcess):
            if any(c.raddr and c.raddr.port == port for c in psutil.Process(pid).net_connections("tcp")):
                return pid
    return None


async def connect_on(
    app: AppProcess, path: str, *, away_from: int | None = None, on: int | None = None
) -> tuple[ClientConnection, dict, int]:
    """A socket (and its first frame) on a worker other than `away_from` (or on `on`); reconnects until the kernel
    hands the connection to one."""
    for _ in range(100):
        conn = await connect(app.ws + path, max_size=2**20)
        first = json.loads(await conn.recv())
        pid = holder(app, conn)
        if pid is not None and pid != away_from and on in (None, pid):
            return conn, first, pid
        await conn.close()
    raise AssertionError("the kernel never handed a connection to the other worker")


async def frame_of_type(conn: ClientConnection, kind: str, timeout_s: float = 20.0) -> dict:
    async with asyncio.timeout(timeout_s):
        while (frame := await next_frame(conn))["type"] != kind:
            pass
    return frame
