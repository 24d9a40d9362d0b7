"""The line protocol between `triage serve --workers N`'s worker processes and their master (app/supervisor.py).

The master listens on a Unix socket in a private (0700) directory; each worker holds one connection to it. Every
message is one line: a one-letter kind, a space, a JSON object.

- `E`: a hub event (app/hub.py) the master folds into its registry and passes to the other workers;
- `T`: an answer token (a hub event only live listeners need): passed on to workers that have clinicians
  listening, never stored;
- `P`: a frame for a patient's socket, wherever it is;
- `N`: a notice that needs no answer (`{"op": ...}`);
- `R` / `A`: a request (`{"id", "op", ...}`) and its answer (`{"id", ...}`); either side may ask.

`WorkerLink` is the worker's end: fire-and-forget `send`, `request` with a timeout, and handlers per kind.
Nothing here knows what the messages mean (app/hub_workers.py and app/worker_shared.py do).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

try:
    import orjson

    def dumps(value: Any) -> bytes:
        return orjson.dumps(value)

    loads: Callable[[bytes], Any] = orjson.loads
except ImportError:  # pragma: no cover - orjson comes with langgraph

    def dumps(value: Any) -> bytes:
        return json.dumps(value, separators=(",", ":")).encode()

    loads = json.loads

LIMIT = 256 * 1024 * 1024
"""Longest line either side reads: a queue snapshot (up to 1,000 sessions of up to 200 transcript entries) is the
longest; the buffer grows only as far as a line needs."""
RECONNECT_S = 0.5

Handler = Callable[[bytes], Awaitable[None] | None]
RequestHandler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class LinkDown(ConnectionError):
    """The master did not answer (not connected, or no answer in time)."""


def line(kind: str, payload: bytes | dict[str, Any]) -> bytes:
    return kind.encode() + b" " + (payload if isinstance(payload, bytes) else dumps(payload)) + b"\n"


def split(raw: bytes) -> tuple[str, bytes]:
    """A line's kind and its JSON payload."""
    return raw[:1].decode(), raw[2:].rstrip(b"\n")


class Requests:
    """Requests this side sent and is waiting on, by id."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}

    def new(self) -> tuple[int, asyncio.Future[dict[str, Any]]]:
        request_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        return request_id, future

    def answered(self, payload: bytes) -> None:
        answer = loads(payload)
        future = self._waiting.pop(answer.get("id"), None)
        if future is not None and not future.done():
            future.set_result(answer)

    def forget(self, request_id: int) -> None:
        self._waiting.pop(request_id, None)

    def fail_all(self) -> None:
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(LinkDown("the master went away"))
        self._waiting.clear()


async def answer_request(
    payload: bytes, handler: RequestHandler | None, write: Callable[[bytes], None], who: str
) -> None:
    """Run a request's handler and write its answer (an `error` answer when it failed)."""
    request = loads(payload)
    try:
        if handler is None:
            raise LookupError("no handler for requests")
        answer = await handler(request)
    except Exception as exc:  # the asking side gets the failure instead of a timeout
        log.exception("%s could not answer a %s request", who, request.get("op"))
        answer = {"error": type(exc).__name__}
    write(line("A", {**answer, "id": request.get("id")}))


class WorkerLink:
    """A worker's connection to its master: reconnects by itself; `on_connected` hooks run after each connect."""

    def __init__(self, path: str, worker: str) -> None:
        self.path = path
        self.worker = worker
        self.handlers: dict[str, Handler] = {}
        self.on_request: RequestHandler | None = None
        self.on_connected: list[Callable[[], Awaitable[None]]] = []
        self._writer: asyncio.StreamWriter | None = None
        self._requests = Requests()
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()

    @property
    def connected(self) -> bool:
        return self._writer is not None

    async def open(self, timeout_s: float = 10.0) -> None:
        """Connect (and keep reconnecting in the background); returns once connected and the hooks have run."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="worker-link")
        await asyncio.wait_for(self._connected.wait(), timeout_s)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def send(self, kind: str, payload: bytes | dict[str, Any]) -> bool:
        """Queue one message; False when there is no connection (the caller decides what that means)."""
        writer = self._writer
        if writer is None or writer.is_closing():
            return False
        writer.write(line(kind, payload))
        return True

    async def request(self, payload: dict[str, Any], timeout_s: float = 2.0) -> dict[str, Any]:
        """The master's answer; `LinkDown` when not connected or not answered within `timeout_s`."""
        request_id, future = self._requests.new()
        if not self.send("R", {**payload, "id": request_id}):
            self._requests.forget(request_id)
            raise LinkDown("not connected to the master")
        try:
            async with asyncio.timeout(timeout_s):
                answer = await future
        except TimeoutError:
            raise LinkDown(f"no answer to {payload.get('op')} within {timeout_s}s") from None
        finally:
            self._requests.forget(request_id)
        if "error" in answer:
            raise LinkDown(f"the master failed on {payload.get('op')}: {answer['error']}")
        return answer

    async def _run(self) -> None:
        while True:
            try:
                reader, writer = await asyncio.open_unix_connection(self.path, limit=LIMIT)
            except OSError as exc:
                log.warning("cannot reach the master; retrying", extra={"reason": type(exc).__name__})
                await asyncio.sleep(RECONNECT_S)
                continue
            self._writer = writer
            writer.write(line("N", {"op": "hello", "worker": self.worker}))
            reading = asyncio.create_task(self._read(reader))
            try:
                for hook in self.on_connected:
                    await hook()
                self._connected.set()
                await reading
            except (OSError, LinkDown, asyncio.IncompleteReadError) as exc:
                log.warning("lost the master; reconnecting", extra={"reason": type(exc).__name__})
            finally:
                reading.cancel()
                self._writer = None
                self._requests.fail_all()
                writer.close()
            await asyncio.sleep(RECONNECT_S)

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while raw := await reader.readline():
            kind, payload = split(raw)
            if kind == "A":
                self._requests.answered(payload)
            elif kind == "R":
                task = asyncio.create_task(answer_request(payload, self.on_request, self._write, "worker"))
                task.add_done_callback(_quiet)
            else:
                handler = self.handlers.get(kind)
                if handler is not None:
                    result = handler(payload)
                    if result is not None:
                        await result

    def _write(self, data: bytes) -> None:
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write(data)


def _quiet(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("a request handler failed", exc_info=task.exception())
