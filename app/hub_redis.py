"""The live session hub across replicas, over Redis: any replica's clinicians see every replica's patients.

Each replica keeps the registry in memory as the in-process hub does, and folds into it every event that any
replica publishes (`apply_event` is a pure reducer, so all registries converge). Redis carries:
- `<prefix>:events` (pub/sub): hub events, each also appended to the capped stream `<prefix>:log` by the same
  script, atomically, so that a replica that starts (or reconnects) later replays what it missed: the log is
  the queue's durable copy (lifecycle included), so a restart of every replica shows the same queue. Answer
  tokens are only published (as `- <event>`), never logged: each `done` carries its whole answer instead, so
  the log holds a few entries per message and its cap reaches back over many thousands of them;
- `<prefix>:patient` (pub/sub): frames for a patient's socket, wherever it is. They can hold a clinician's
  words verbatim, so they travel encrypted (Fernet, with the service's vault key), never in the clear;
- `<prefix>:owner:<session>`: who has taken a session over, set with SET NX so two clinicians on two replicas
  cannot both take the same patient;
- `<prefix>:replica:<id>`: each replica's heartbeat (a key with a short expiry). A replica that dies cannot
  say its patients left; the others notice its key expire and mark them disconnected.
Redis being down never stops a patient's conversation: events still reach this replica's screens, a warning
is logged, and the listener reconnects and catches up from the stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.hub import HubConflict, InProcessHub, SessionSummary, stale_disconnect, stamped, track_holder
from app.hub_events import HubEvent, PatientFrame
from compliance.keys import KeyRing

log = logging.getLogger(__name__)

# XADD to the log and PUBLISH "<stream id> <event>" in one step: subscribers can tell replayed from live.
PUBLISH_SCRIPT = """
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[1])
redis.call('PUBLISH', KEYS[2], id .. ' ' .. ARGV[1])
return id
"""
# Release: delete the owner key only if it still names this clinician (or when forced).
RELEASE_SCRIPT = """
local current = redis.call('GET', KEYS[1])
if not current then return {0, false} end
if current == ARGV[1] or ARGV[2] == '1' then redis.call('DEL', KEYS[1]); return {1, current} end
return {0, current}
"""
OWNER_TTL_S = 24 * 3600
RECONNECT_DELAY_S = 1.0
HEARTBEAT_S = 5.0


def stream_id(value: str) -> tuple[int, int]:
    millis, _, seq = value.partition("-")
    return int(millis), int(seq or 0)


class RedisHub(InProcessHub):
    def __init__(
        self,
        redis: Redis,
        fernet_key: bytes | KeyRing,
        *,
        prefix: str = "triage:hub",
        log_length: int = 50_000,
        max_sessions: int = 1000,
        heartbeat_s: float = HEARTBEAT_S,
    ) -> None:
        super().__init__(max_sessions=max_sessions)
        self._redis = redis
        # Encrypts with the current vault key; decrypts with any key of the ring (events from before a rotation).
        self._fernet = MultiFernet([Fernet(key) for key in KeyRing.of(fernet_key).keys()])
        self._replica = uuid.uuid4().hex
        self._events = f"{prefix}:events"
        self._patient = f"{prefix}:patient"
        self._log = f"{prefix}:log"
        self._owner = f"{prefix}:owner:"
        self._replicas = f"{prefix}:replica:"
        self._heartbeat_s = heartbeat_s
        self._holders: dict[str, str] = {}  # session id -> the replica holding the patient's socket
        self._log_length = log_length
        self._publish_script = redis.register_script(PUBLISH_SCRIPT)
        self._release_script = redis.register_script(RELEASE_SCRIPT)
        self._last_id = (0, 0)
        self._listening = asyncio.Event()
        self._listener: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None

    # lifecycle

    async def start(self, timeout_s: float = 10.0) -> None:
        """Subscribe and replay the log; returns once this replica sees everything published from now on."""
        await self._beat()
        self._listener = asyncio.create_task(self._listen(), name="redis-hub")
        await asyncio.wait_for(self._listening.wait(), timeout_s)
        self._heartbeat = asyncio.create_task(self._keep_beating(), name="redis-hub-heartbeat")

    async def close(self) -> None:
        for task in (self._heartbeat, self._listener):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        with contextlib.suppress(RedisError):
            await self._redis.delete(self._replicas + self._replica)
        await self._redis.aclose()

    # publishing

    async def publish(self, event: HubEvent) -> None:
        event = stamped(event, origin=self._replica)
        if self._stale(event):
            return
        self._track(event)
        if event["type"] == "done":
            event["text"] = self._answer(event["session_id"], event["message_id"])
        await super().publish(event)  # this replica's screens at once, whatever Redis does
        try:
            if event["type"] == "token":
                await self._redis.publish(self._events, "- " + json.dumps(event))
            else:
                await self._publish_script(keys=[self._log, self._events], args=[json.dumps(event), self._log_length])
        except RedisError as exc:
            log.warning("hub event not shared with other replicas", extra={"reason": type(exc).__name__})

    def _answer(self, session_id: str, message_id: str) -> str:
        """The answer as this replica heard it, token by token: what a `done` carries into the log."""
        record = self._sessions.get(session_id)
        entry = record.find(message_id, "assistant") if record is not None else None
        return entry.get("text", "") if entry is not None else ""

    async def deliver_to_patient(self, session_id: str, frame: PatientFrame) -> int:
        delivered = await super().deliver_to_patient(session_id, frame)
        payload = {"session_id": session_id, "frame": frame, "origin": self._replica}
        try:
            await self._redis.publish(self._patient, self._fernet.encrypt(json.dumps(payload).encode()))
        except RedisError as exc:
            log.warning("patient frame not shared with other replicas", extra={"reason": type(exc).__name__})
            return delivered
        record = self._sessions.get(session_id)
        # Sockets on other replicas cannot be counted from here; the registry knows whether one is connected.
        return delivered or int(bool(record and record.summary.connected))

    # takeover across replicas

    async def takeover(self, session_id: str, clinician: str) -> SessionSummary:
        self.session(session_id)
        key = self._owner + session_id
        if not await self._redis.set(key, clinician, nx=True, ex=OWNER_TTL_S):
            current = await self._redis.get(key)
            current = current.decode() if isinstance(current, bytes) else current
            if current not in (None, clinician):
                raise HubConflict(f"session is already in the hands of {current}")
            if current is None:  # released in between: try once more
                return await self.takeover(session_id, clinician)
            return self.session(session_id).summary
        await self.publish({"type": "takeover", "session_id": session_id, "clinician": clinician})
        await self.deliver_to_patient(session_id, {"type": "handoff", "to": "clinician"})
        return self.session(session_id).summary

    async def release(self, session_id: str, clinician: str, *, force: bool = False) -> SessionSummary:
        self.session(session_id)
        released, current = await self._release_script(
            keys=[self._owner + session_id], args=[clinician, "1" if force else "0"]
        )
        current = current.decode() if isinstance(current, bytes) else current
        if not released:
            raise HubConflict(
                "nobody has taken this session over" if not current else f"session is in the hands of {current}"
            )
        await self.publish({"type": "release", "session_id": session_id, "clinician": clinician})
        await self.deliver_to_patient(session_id, {"type": "handoff", "to": "agent"})
        return self.session(session_id).summary

    # receiving

    async def _listen(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self._events, self._patient)
                    await self._catch_up()
                    if self._listening.is_set():  # back after an outage: others may have marked ours gone
                        for session_id in list(self._inboxes):
                            await self.publish({"type": "patient_connected", "session_id": session_id})
                    self._listening.set()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            await self._receive(message["channel"], message["data"])
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                log.warning("hub lost Redis; reconnecting", extra={"reason": type(exc).__name__})
                await asyncio.sleep(RECONNECT_DELAY_S)

    async def _catch_up(self) -> None:
        """Events in the log after the last one seen (all of them at start), in order."""
        start = "-" if self._last_id == (0, 0) else f"({self._last_id[0]}-{self._last_id[1]}"
        for entry_id, fields in await self._redis.xrange(self._log, min=start) or []:
            if entry_id is None or fields is None:  # the client's types allow them; a stream entry has both
                continue
            await self._apply(_text(entry_id), _text(fields[b"e"] if b"e" in fields else fields["e"]))

    async def _receive(self, channel: bytes | str, data: bytes | str) -> None:
        if _text(channel) == self._patient:
            await self._receive_patient_frame(data)
            return
        entry_id, _, body = _text(data).partition(" ")
        await self._apply(entry_id, body)

    async def _apply(self, entry_id: str, body: str) -> None:
        if entry_id != "-":  # "-": a token, heard live only
            position = stream_id(entry_id)
            if position <= self._last_id:
                return  # already seen (replayed, then heard live)
            self._last_id = position
        event = json.loads(body)
        if event.get("origin") != self._replica and not self._stale(event):
            self._track(event)
            await InProcessHub.publish(self, event)

    def _stale(self, event: HubEvent) -> bool:
        """A disconnect from a replica that no longer holds the patient (who already reconnected elsewhere)."""
        return stale_disconnect(self._holders, event)

    def _track(self, event: HubEvent) -> None:
        track_holder(self._holders, event)

    # replicas that died

    async def _beat(self) -> None:
        await self._redis.set(self._replicas + self._replica, "1", px=int(self._heartbeat_s * 3000))

    async def _keep_beating(self) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_s)
            try:
                await self._beat()
                await self._forget_dead_replicas()
            except RedisError as exc:
                log.warning("hub heartbeat failed", extra={"reason": type(exc).__name__})

    async def _forget_dead_replicas(self) -> None:
        """Patients held by a replica whose heartbeat expired are marked disconnected (they reconnect elsewhere)."""
        others = {r for r in self._holders.values() if r != self._replica}
        for replica in others:
            if await self._redis.exists(self._replicas + replica):
                continue
            for session_id in [s for s, r in self._holders.items() if r == replica]:
                record = self._sessions.get(session_id)
                if record is None or record.summary.connected:
                    await self.publish({"type": "patient_disconnected", "session_id": session_id, "holder": replica})
                else:
                    self._holders.pop(session_id, None)

    async def _receive_patient_frame(self, data: bytes | str) -> None:
        try:
            payload = json.loads(self._fernet.decrypt(data if isinstance(data, bytes) else data.encode()))
        except (InvalidToken, ValueError):
            log.warning("unreadable patient frame on the hub channel (another key?)")
            return
        if payload.get("origin") != self._replica:
            await InProcessHub.deliver_to_patient(self, payload["session_id"], payload["frame"])


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
