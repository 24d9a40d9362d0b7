"""Audit records that survive a database outage and a killed process.

`SpoolingTrail` wraps an `AuditTrail` with the same writing API (`record_turn`, `record_access`,
`record_error`, `_append`) and delegates everything else to it.

Guarantees (issue 8):
- Outage: when the database cannot take a write (connection refused or lost, database locked or read-only),
  the entry goes to an append-only JSON Lines spool under the data directory, fsync'd before the call returns,
  with the audit id the caller is given. While the spool holds anything, every new entry queues behind it, so
  entries reach the chain in the order they were made. The spool is replayed (oldest first, idempotently: an
  audit id already in the chain is skipped) on the next write, by `flush()` (the app calls it every few
  seconds) and at start-up; it is emptied only after every entry in it is committed.
- Crash: `begin_turn` writes a fsync'd `received` marker (ids and time only, never text) before the agent
  answers. At start-up `recover()` replays the spool, then gives every marked message that has no `turn` entry
  an `interrupted` turn entry (error `process_restarted`), so the trail shows each message whose answer a
  SIGKILL or power loss cut short.
- Not covered: a write whose commit reached the database but whose acknowledgement was lost would be spooled
  and later written a second time, under the spool's audit id; the disk holding the spool must survive.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import select

from compliance.audit.db import locked_head
from compliance.audit.models import AuditEntry
from compliance.audit.records import TurnRecord
from compliance.audit.sections import AccessEvent, ErrorEvent
from compliance.audit.store import AuditTrail, turn_columns

log = logging.getLogger(__name__)

#: What "the database is unavailable" looks like; anything else is a bug and propagates.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError, sa_exc.TimeoutError, OSError,
)
MARKERS_COMPACT_BYTES = 1 << 20
_ENTRY = AuditEntry.__table__


def _append_line(path: Path, record: dict[str, Any]) -> None:
    """One JSON line, on disk (fsync) when this returns."""
    _append_lines(path, [record])


def _append_lines(path: Path, records: list[dict[str, Any]]) -> None:
    """JSON lines in one write and one fsync, on disk when this returns."""
    new = not path.exists()
    data = "".join(json.dumps(record, separators=(",", ":")) + "\n" for record in records).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    if new:
        _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_lines(path: Path) -> Iterator[dict[str, Any]]:
    """Every complete line; a torn last line (the process died mid-write) is skipped."""
    if not path.exists():
        return
    with path.open("rb") as fh:
        for raw in fh:
            try:
                yield json.loads(raw)
            except ValueError:
                log.warning("skipping a torn line in %s", path.name)


def _truncate(path: Path) -> None:
    with path.open("wb") as fh:
        fh.flush()
        os.fsync(fh.fileno())


def received_marker(session_id: str, message_id: str, client_msg_id: str | None, received_at: datetime,
                    audience: str = "patient") -> dict[str, Any]:
    """What a `received` marker holds: ids and time only, never the text."""
    return {"session_id": session_id, "message_id": message_id, "client_msg_id": client_msg_id,
            "received_at": received_at.isoformat(), "audience": audience}


class SpoolingTrail:
    def __init__(self, trail: AuditTrail, spool_dir: Path) -> None:
        self._trail = trail
        self.spool_dir = spool_dir
        spool_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.spool_path = spool_dir / "spool.jsonl"
        self.markers_path = spool_dir / "received.jsonl"
        self._lock = threading.RLock()
        self._markers_lock = threading.Lock()
        self._in_flight: dict[str, dict[str, Any]] = {}
        self._pending = sum(1 for _ in _read_lines(self.spool_path))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._trail, name)

    @property
    def trail(self) -> AuditTrail:
        return self._trail

    @property
    def pending(self) -> int:
        """Entries waiting in the spool for the database."""
        return self._pending

    # --- the writing API ------------------------------------------------------------------------------------
    def record_turn(self, record: TurnRecord) -> str:
        return self.record_turns([record])[0]

    def record_turns(self, records: list[TurnRecord]) -> list[str]:
        """Group commit of several turns (compliance/audit/group_commit.py); spooled together in an outage."""
        try:
            return self._write_many(lambda: self._trail.record_turns(records),
                                    [("turn", record.sections(), turn_columns(record)) for record in records])
        finally:
            self._settled([record.message_id for record in records])

    def record_access(self, event: AccessEvent) -> str:
        kind = "export" if event.action == "export" else "access"
        return self._write(lambda: self._trail.record_access(event), kind, {"access": event.model_dump(mode="json")},
                           {"session_id": event.session_id, "actor": event.actor})

    def record_error(self, event: ErrorEvent) -> str:
        return self._write(lambda: self._trail.record_error(event), "error", {"error_event": event.model_dump(mode="json")},
                           {"session_id": event.session_id, "message_id": event.message_id})

    def _append(self, kind: str, body: dict[str, Any], **columns: Any) -> str:
        return self._write(lambda: self._trail._append(kind, body, **columns), kind, body, columns)

    def _write(self, direct: Any, kind: str, body: dict[str, Any], columns: dict[str, Any]) -> str:
        return self._write_many(lambda: [direct()], [(kind, body, columns)])[0]

    def _write_many(self, direct: Any, entries: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> list[str]:
        if not self._pending:
            try:
                return direct()
            except OUTAGE_ERRORS as exc:
                log.warning("audit database unavailable (%s); spooling", type(exc).__name__)
            with self._lock:
                return [self._spool(*entry) for entry in entries]
        with self._lock:
            if self._flush_locked():
                try:
                    return direct()
                except OUTAGE_ERRORS:
                    pass
            return [self._spool(*entry) for entry in entries]

    def _spool(self, kind: str, body: dict[str, Any], columns: dict[str, Any]) -> str:
        audit_id = str(uuid.uuid4())
        _append_line(self.spool_path, {
            "audit_id": audit_id, "kind": kind, "recorded_at": datetime.now(UTC).isoformat(), "body": body,
            "columns": {k: v for k, v in columns.items() if v is not None},
        })
        self._pending += 1
        return audit_id

    # --- replay ---------------------------------------------------------------------------------------------
    def flush(self) -> bool:
        """Write what the spool holds, in order. True when it is empty afterwards."""
        if not self._pending:
            return True
        with self._lock:
            return self._flush_locked()

    def _flush_locked(self) -> bool:
        entries = list(_read_lines(self.spool_path))
        try:
            for entry in entries:
                self._replay(entry)
        except OUTAGE_ERRORS:
            return False
        _truncate(self.spool_path)
        self._pending = 0
        if entries:
            log.info("audit spool replayed: %d entries", len(entries))
        return True

    def _replay(self, entry: dict[str, Any]) -> None:
        trail = self._trail
        with trail._lock, locked_head(trail.engine) as (conn, last_seq, last_mac):
            if conn.execute(select(_ENTRY.c.seq).where(_ENTRY.c.audit_id == entry["audit_id"])).first():
                return
            row = trail.entry_row(last_seq + 1, last_mac, entry["audit_id"], entry["kind"],
                                  datetime.fromisoformat(entry["recorded_at"]), entry["body"], **entry["columns"])
            trail._write(conn, [row])

    # --- interrupted answers --------------------------------------------------------------------------------
    def begin_turn(self, session_id: str, message_id: str, client_msg_id: str | None, received_at: datetime,
                   audience: str = "patient") -> None:
        """The durable `received` marker, before any answer. Ids and time only: never the text."""
        self.begin_turns([received_marker(session_id, message_id, client_msg_id, received_at, audience)])

    def begin_turns(self, markers: list[dict[str, Any]]) -> list[None]:
        """Several markers (`received_marker`) in one write and one fsync (group commit)."""
        with self._markers_lock:
            for marker in markers:
                self._in_flight[marker["message_id"]] = marker
            try:
                _append_lines(self.markers_path, markers)
            except OSError:  # the answer matters more than the marker: go on, loudly
                log.exception("could not write the received marker")
        return [None] * len(markers)

    def _settled(self, message_ids: list[str]) -> None:
        """The messages have their records: forget their markers (the file is rewritten with only the open ones
        when big)."""
        with self._markers_lock:
            for message_id in message_ids:
                self._in_flight.pop(message_id, None)
            if self.markers_path.exists() and self.markers_path.stat().st_size > MARKERS_COMPACT_BYTES:
                tmp = self.markers_path.with_suffix(".tmp")
                with tmp.open("wb") as fh:
                    fh.writelines((json.dumps(m, separators=(",", ":")) + "\n").encode() for m in self._in_flight.values())
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, self.markers_path)
                _fsync_dir(self.spool_dir)

    def recover(self) -> list[str]:
        """At start-up: replay the spool, then record each marked message without a turn entry as interrupted.

        Returns the message ids recorded as interrupted."""
        if not self.flush():
            log.warning("audit database unavailable at start-up; interrupted answers are reconciled at the next start")
            return []
        markers = {m["message_id"]: m for m in _read_lines(self.markers_path)}
        recorded: set[str] = set()
        ids = list(markers)
        with self._trail.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                query = select(_ENTRY.c.message_id).where(_ENTRY.c.kind == "turn", _ENTRY.c.message_id.in_(chunk))
                recorded.update(row[0] for row in conn.execute(query))
        interrupted = [m for m in ids if m not in recorded]
        for message_id in interrupted:
            marker = markers[message_id]
            self.record_turn(TurnRecord(
                session_id=marker["session_id"], message_id=message_id, client_msg_id=marker.get("client_msg_id"),
                received_at=datetime.fromisoformat(marker["received_at"]), audience=marker.get("audience", "patient"),
                status="interrupted", error="process_restarted",
            ))
        if interrupted:
            log.warning("recorded %d answers cut short by a restart as interrupted", len(interrupted))
        if self._pending == 0 and self.markers_path.exists():
            _truncate(self.markers_path)
        return interrupted


async def _flush_loop(spool: SpoolingTrail, every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        if spool.pending:
            await asyncio.to_thread(spool.flush)


@asynccontextmanager
async def spooling(trail: AuditTrail, spool_dir: Path, *, flush_every_s: float = 2.0) -> AsyncIterator[SpoolingTrail]:
    """The spooling trail for a service's lifetime: recovered at start, flushed every few seconds, and at exit."""
    spool = SpoolingTrail(trail, spool_dir)
    await asyncio.to_thread(spool.recover)
    task = asyncio.create_task(_flush_loop(spool, flush_every_s))
    try:
        yield spool
    finally:
        task.cancel()
        if spool.pending and not await asyncio.to_thread(spool.flush):
            log.warning("%d audit entries stay in the spool until the next start", spool.pending)
