"""The master's end of the worker links (app/worker_link.py): the shared hub's registry and the requests the
workers make of it.

One `Broker` runs in the master process of `triage serve --workers N` (app/supervisor.py), on a Unix socket in a
private directory. It holds the authoritative hub registry (an `InProcessHub` with the queue's durable copy in
the service's database, app/hub_store.py), so the queue is written by one process, not N:
- an event (`E`) from a worker is folded into the registry and passed on, as received, to every other worker;
  a token (`T`) only to workers with a clinician listening; a patient frame (`P`) to every other worker;
- takeover and hand-back requests are decided here, one at a time, and the resulting event goes to every
  worker (the asking one included) before the answer;
- a worker whose connection closes (it died) has its patients marked disconnected, as a Redis replica whose
  heartbeat stops (app/hub_redis.py);
- other requests and notices go to the handlers added (`add_request`, `add_notice`: app/worker_shared.py's
  limits and account changes).
Every step runs on the master's event loop, one message at a time: the order the master saw is the order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from app.hub import InProcessHub, UnknownSession, now_iso, record_json, stale_disconnect, stamped, track_holder
from app.hub_events import HubEvent, Released, TakenOver
from app.worker_link import LIMIT, Requests, answer_request, dumps, line, loads, split

log = logging.getLogger(__name__)

MAX_BACKLOG_BYTES = 64 * 1024 * 1024
"""A worker this far behind in reading is dropped; it reconnects and takes a fresh snapshot."""
MASTER = "master"


class Peer:
    """One worker's connection."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.worker = "?"
        self.listeners = 0
        self.told_elsewhere = 0  # what this worker was last told of the other workers' listeners
        self.requests = Requests()

    def write(self, data: bytes) -> None:
        writer = self.writer
        if writer.is_closing():
            return
        if writer.transport.get_write_buffer_size() > MAX_BACKLOG_BYTES:
            log.warning("a worker fell too far behind on hub events; dropping its link", extra={"worker": self.worker})
            writer.close()
            return
        writer.write(data)

    async def ask(self, request: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        request_id, future = self.requests.new()
        self.write(line("R", {**request, "id": request_id}))
        try:
            async with asyncio.timeout(timeout_s):
                return await future
        finally:
            self.requests.forget(request_id)


PeerRequest = Callable[[Peer, dict[str, Any]], Awaitable[dict[str, Any]]]
PeerNotice = Callable[[Peer, dict[str, Any]], None]


class Broker:
    def __init__(self, hub: InProcessHub) -> None:
        self.hub = hub
        self.peers: set[Peer] = set()
        self.holders: dict[str, str] = {}  # session id -> worker holding the patient's socket
        self.on_gone: list[Callable[[Peer], None]] = []
        self._requests: dict[str, PeerRequest] = {
            "snapshot": self._snapshot,
            "record": self._record,
            "takeover": self._takeover,
            "release": self._release,
        }
        self._notices: dict[str, PeerNotice] = {}
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, path: Path) -> None:
        await self.hub.start()
        self._server = await asyncio.start_unix_server(self._serve, path=str(path), limit=LIMIT)
        os.chmod(path, 0o600)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for peer in list(self.peers):
                peer.writer.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)
            self._server = None
        for task in list(self._tasks):
            task.cancel()
        await self.hub.close()

    def add_request(self, op: str, handler: PeerRequest) -> None:
        """Answer the workers' `op` requests with `handler` (app/worker_shared.py)."""
        self._requests[op] = handler

    def add_notice(self, op: str, handler: PeerNotice) -> None:
        self._notices[op] = handler

    async def ask_all(self, request: dict[str, Any], *, but: Peer | None = None, timeout_s: float = 1.0) -> int:
        """Ask every other worker; how many answered within `timeout_s`."""
        peers = [p for p in self.peers if p is not but]
        answers = await asyncio.gather(*(p.ask(request, timeout_s) for p in peers), return_exceptions=True)
        return sum(1 for a in answers if isinstance(a, dict))

    # the connection

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = Peer(writer)
        self.peers.add(peer)
        try:
            while raw := await reader.readline():
                await self._receive(peer, raw)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            log.warning("a worker's link failed", extra={"worker": peer.worker, "reason": type(exc).__name__})
        finally:
            self.peers.discard(peer)
            peer.requests.fail_all()
            writer.close()
            self._tell_listeners()
            await self._gone(peer)

    async def _receive(self, peer: Peer, raw: bytes) -> None:
        kind, payload = split(raw)
        if kind == "E":
            event = loads(payload)
            if stale_disconnect(self.holders, event):
                return
            track_holder(self.holders, event)
            await self.hub.publish(event)
            self._forward(raw, but=peer)
        elif kind == "T":
            self._forward(raw, but=peer, listeners_only=True)
        elif kind == "P":
            self._forward(raw, but=peer)
        elif kind == "N":
            notice = loads(payload)
            if notice.get("op") == "hello":
                peer.worker = str(notice.get("worker"))
                self._tell_listeners()
            elif notice.get("op") == "listeners":
                peer.listeners = int(notice.get("count") or 0)
                self._tell_listeners()
            elif (handler := self._notices.get(str(notice.get("op")))) is not None:
                handler(peer, notice)
        elif kind == "R":
            task = asyncio.create_task(answer_request(payload, lambda r: self._answer(peer, r), peer.write, "master"))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        elif kind == "A":
            peer.requests.answered(payload)

    def _tell_listeners(self) -> None:
        """Each worker learns whether a clinician listens on another worker (else it keeps its tokens)."""
        total = sum(p.listeners for p in self.peers)
        for peer in self.peers:
            elsewhere = total - peer.listeners
            if elsewhere != peer.told_elsewhere:
                peer.told_elsewhere = elsewhere
                peer.write(line("N", {"op": "listeners_elsewhere", "count": elsewhere}))

    def _forward(self, raw: bytes, *, but: Peer | None = None, listeners_only: bool = False) -> None:
        for other in self.peers:
            if other is not but and (other.listeners or not listeners_only):
                other.write(raw)

    async def _answer(self, peer: Peer, request: dict[str, Any]) -> dict[str, Any]:
        handler = self._requests.get(str(request.get("op")))
        if handler is None:
            raise LookupError(f"unknown request {request.get('op')!r}")
        return await handler(peer, request)

    async def _publish(self, event: HubEvent) -> None:
        """An event of the master's own making, to its registry and every worker."""
        event = stamped(event, origin=MASTER)
        track_holder(self.holders, event)
        await self.hub.publish(event)
        self._forward(line("E", dumps(event)))

    async def _gone(self, peer: Peer) -> None:
        for callback in self.on_gone:
            callback(peer)
        for session_id in [s for s, w in self.holders.items() if w == peer.worker]:
            try:
                connected = self.hub.session(session_id).summary.connected
            except UnknownSession:
                connected = False
            if connected:
                await self._publish({"type": "patient_disconnected", "session_id": session_id, "holder": peer.worker})
            else:
                self.holders.pop(session_id, None)

    # requests

    async def _snapshot(self, _peer: Peer, _request: dict[str, Any]) -> dict[str, Any]:
        hub = self.hub
        return {
            "sessions": [record_json(hub.session(s.session_id)) for s in hub.sessions()],
            "holders": self.holders,
        }

    async def _record(self, _peer: Peer, request: dict[str, Any]) -> dict[str, Any]:
        try:
            return {"record": record_json(self.hub.session(request["session_id"]))}
        except UnknownSession:
            return {"unknown": True}

    async def _takeover(self, _peer: Peer, request: dict[str, Any]) -> dict[str, Any]:
        session_id, clinician = request["session_id"], request["clinician"]
        try:
            current = self.hub.session(session_id).summary.clinician
        except UnknownSession:
            return {"unknown": True}
        if current not in (None, clinician):
            return {"conflict": f"session is already in the hands of {current}"}
        if current is not None:
            return {"changed": False}
        await self._publish(
            TakenOver(type="takeover", session_id=session_id, clinician=clinician, at=request.get("at") or now_iso())
        )
        return {"changed": True}

    async def _release(self, _peer: Peer, request: dict[str, Any]) -> dict[str, Any]:
        session_id, clinician = request["session_id"], request["clinician"]
        try:
            current = self.hub.session(session_id).summary.clinician
        except UnknownSession:
            return {"unknown": True}
        if current is None:
            return {"conflict": "nobody has taken this session over"}
        if current != clinician and not request.get("force"):
            return {"conflict": f"session is in the hands of {current}"}
        await self._publish(
            Released(type="release", session_id=session_id, clinician=clinician, at=request.get("at") or now_iso())
        )
        return {"changed": True}
