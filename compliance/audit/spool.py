"""Audit records that survive a database outage and a killed process, and a turn that never waits on the database.

`SpoolingTrail` wraps an `AuditTrail`: it is an `AuditSink` (sink.py) that also keeps received markers
(`TurnMarkers`), and it offers the trail's reads (entries, pages, verification) as the trail's own, so the service
holds one audit object.

Guarantees (issues 8 and 16):
- Bounded wait: a write waits at most `write_wait_s` (1 s) for the database. A write that has not committed by
  then (database locked by another process, unreachable, read-only, its file moved or replaced, its chain head
  not where this process left it) is abandoned before it can commit and its entries go to an append-only JSON
  Lines spool under the data directory, fsync'd before the call returns, under the audit ids the caller is
  given. No entry is ever both committed and spooled.
- While the spool holds anything, new entries go straight to it (no database wait at all), so entries reach the
  chain in the order they were made. A background replay (`flush()`, every few seconds, and at start-up and
  exit) writes them oldest first, idempotently (an audit id already in the chain is skipped), and removes from
  the spool only what it committed; entries spooled meanwhile stay for the next pass.
- Crash: `begin_turn` writes a fsync'd `received` marker (ids and time) before the agent answers, and
  `update_turns` adds what the patient was told (the disposition, the redacted text) as soon as the `triage`
  frame is sent. At start-up `recover()` replays the spool, then gives every marked message that has no `turn`
  entry an `interrupted` turn entry (error `process_restarted`) carrying what the marker holds.
- Not covered: the disk holding the spool must survive.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import select

from compliance.audit.errors import ChainDiverged, WriteAbandoned
from compliance.audit.models import ENTRY_TABLE
from compliance.audit.query import EntryFilter, StoredEntry
from compliance.audit.records import TurnRecord
from compliance.audit.sections import AccessEvent, ErrorEvent, TurnError
from compliance.audit.store import AuditTrail, NewEntry, access_entry, error_entry, turn_entry
from compliance.audit.verify import VerifyReport

log = logging.getLogger(__name__)

#: What "the database is unavailable" looks like; anything else is a bug and propagates.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
    OSError,
    ChainDiverged,
)
MARKERS_COMPACT_BYTES = 1 << 20
DEFAULT_WRITE_WAIT_S = 1.0
REPLAY_BATCH = 256
_ENTRY = ENTRY_TABLE


def is_outage(exc: BaseException) -> bool:
    """The database cannot take the write now (rather than a bug): spool it. `file is not a database` is a bare
    DatabaseError."""
    return isinstance(exc, OUTAGE_ERRORS) or type(exc) is sa_exc.DatabaseError


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return f"{type(exc).__name__}: {orig if orig is not None else exc}"[:300]


class _Attempt:
    """A direct write in flight: the caller may give up on it until it starts committing, never after."""

    __slots__ = ("abandoned", "committing")

    def __init__(self) -> None:
        self.abandoned = False
        self.committing = False


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


def _parse_lines(data: bytes) -> Iterator[dict[str, Any]]:
    for raw in data.splitlines():
        try:
            yield json.loads(raw)
        except ValueError:
            log.warning("skipping a torn spool line")


def _truncate(path: Path) -> None:
    with path.open("wb") as fh:
        fh.flush()
        os.fsync(fh.fileno())


def _replace(path: Path, data: bytes) -> None:
    """The file now holds exactly `data`, on disk when this returns."""
    if not data:
        _truncate(path)
        return
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def received_marker(
    session_id: str, message_id: str, client_msg_id: str | None, received_at: datetime, audience: str = "patient"
) -> dict[str, Any]:
    """What a `received` marker holds: ids and time only (what the patient was told follows in an update)."""
    return {
        "session_id": session_id,
        "message_id": message_id,
        "client_msg_id": client_msg_id,
        "received_at": received_at.isoformat(),
        "audience": audience,
    }


def told_update(record: TurnRecord) -> dict[str, Any]:
    """A marker update: the turn as it stood when its `triage` frame went out (disposition, redacted text; never
    raw text), so that an interrupted record says what the patient was told."""
    return {"message_id": record.message_id, "update": "told", "record": record.model_dump(mode="json")}


def interrupted_record(marker: dict[str, Any]) -> TurnRecord:
    """The record of a turn a restart cut short: what the marker says the patient was told, as interrupted."""
    message = {
        "client_msg_id": marker.get("client_msg_id"),
        "received_at": marker["received_at"],
        "audience": marker.get("audience", "patient"),
    }
    told = marker.get("record") or {}
    if told and "message" not in told:  # a marker written before the record kept its sections
        told = TurnRecord.from_flat({**told, "session_id": marker["session_id"], "message_id": marker["message_id"]})
        told = told.model_dump(mode="json")
    record = TurnRecord.model_validate(
        {
            **told,
            "session_id": marker["session_id"],
            "message_id": marker["message_id"],
            "message": {**(told.get("message") or {}), **message},
        }
    )
    record.response.status = "interrupted"
    record.error = TurnError.of("interrupted", "process_restarted")
    return record


class SpoolingTrail:
    def __init__(self, trail: AuditTrail, spool_dir: Path, *, write_wait_s: float = DEFAULT_WRITE_WAIT_S) -> None:
        self._trail = trail
        self.spool_dir = spool_dir
        spool_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.spool_path = spool_dir / "spool.jsonl"
        self.markers_path = spool_dir / "received.jsonl"
        self.write_wait_s = write_wait_s
        # Guards the spool file, `pending` and the commit decision of direct writes (held briefly, never across
        # a database call); the replay has a lock of its own, so spooling never waits behind a replay.
        self._lock = threading.Lock()
        self._replay_lock = threading.Lock()
        self._markers_lock = threading.Lock()
        self._in_flight: dict[str, dict[str, Any]] = {}
        self._pending = sum(1 for _ in _read_lines(self.spool_path))
        self._writers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="audit-write")
        self.last_failure: str | None = None
        """Why the last write or replay could not reach the database (None once one has since)."""
        self.spooled_total = 0

    @property
    def trail(self) -> AuditTrail:
        """The chain this spool writes to."""
        return self._trail

    @property
    def markers(self) -> SpoolingTrail:
        """The received markers (`begin_turns`, `update_turns`) are kept here."""
        return self

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
            return self.write([turn_entry(record) for record in records])
        finally:
            self._settled([record.message_id for record in records])

    def record_access(self, event: AccessEvent) -> str:
        return self.write([access_entry(event)])[0]

    def record_error(self, event: ErrorEvent) -> str:
        return self.write([error_entry(event)])[0]

    def append(
        self,
        kind: str,
        body: dict[str, Any],
        *,
        session_id: str | None = None,
        message_id: str | None = None,
        urgency: str | None = None,
        level: str | None = None,
        actor: str | None = None,
    ) -> str:
        columns = {
            "session_id": session_id,
            "message_id": message_id,
            "urgency": urgency,
            "level": level,
            "actor": actor,
        }
        return self.write([NewEntry(kind, body, columns)])[0]

    def write(self, entries: list[NewEntry]) -> list[str]:
        """Entries in the chain, or in the spool; their audit ids, durable either way, within about
        `write_wait_s` (plus the spool's fsync) however the database is doing."""
        for entry in entries:
            entry.audit_id = entry.audit_id or str(uuid.uuid4())
        with self._lock:
            if self._pending:  # queue behind what is already spooled: no database wait at all
                return self._spool_locked(entries)
        try:
            ids = self._write_direct(entries)
        except WriteAbandoned:  # refused at its commit: others went to the spool meanwhile
            with self._lock:
                return self._spool_locked(entries)
        except Exception as exc:
            if not is_outage(exc):
                raise
            # The commit may even have reached the database (a lost acknowledgement): the replay skips an audit
            # id the chain already holds, so spooling it again is safe.
            with self._lock:
                self._note_failure(_reason(exc))
                return self._spool_locked(entries)
        return ids

    def _write_direct(self, entries: list[NewEntry]) -> list[str]:
        """The entries committed within `write_wait_s`; else, if the commit has not begun, the attempt is given up
        on (it can no longer commit) and the entries are spooled instead. Never both."""
        attempt = _Attempt()

        def may_commit() -> bool:
            with self._lock:
                if attempt.abandoned or self._pending:  # given up on, or others went to the spool meanwhile
                    return False
                attempt.committing = True
                return True

        try:
            future = self._writers.submit(
                self._trail.append_entries, entries, wait_s=self.write_wait_s, commit_if=may_commit
            )
        except RuntimeError:  # after close() (a write at shutdown): bounded all the same, in this thread
            ids = self._trail.append_entries(entries, wait_s=self.write_wait_s, commit_if=may_commit)
        else:
            try:
                ids = future.result(timeout=self.write_wait_s)
            except FutureTimeout:
                with self._lock:
                    if not attempt.committing:
                        attempt.abandoned = True
                        self._note_failure(f"no commit within {self.write_wait_s:.1f}s")
                        return self._spool_locked(entries)
                ids = future.result()  # it is committing: its outcome is a matter of one fsync
        self.last_failure = None
        return ids

    def _note_failure(self, reason: str) -> None:
        if self.last_failure is None:
            log.warning("audit database unavailable (%s); spooling", reason)
        self.last_failure = reason

    def _spool_locked(self, entries: list[NewEntry]) -> list[str]:
        now = datetime.now(UTC).isoformat()
        _append_lines(
            self.spool_path,
            [
                {
                    "audit_id": entry.audit_id,
                    "kind": entry.kind,
                    "recorded_at": now,
                    "body": entry.body,
                    "columns": {k: v for k, v in entry.columns.items() if v is not None},
                }
                for entry in entries
            ],
        )
        self._pending += len(entries)
        self.spooled_total += len(entries)
        return [entry.audit_id for entry in entries]  # type: ignore[misc]

    # --- reading: the chain's own (what the spool still holds is not in it yet) ------------------------------
    def entries(self, where: EntryFilter | None = None) -> Iterator[StoredEntry]:
        return self._trail.entries(where)

    def page(self, where: EntryFilter, limit: int, *, newest_first: bool = False) -> list[StoredEntry]:
        return self._trail.page(where, limit, newest_first=newest_first)

    def get(self, audit_id: str) -> StoredEntry | None:
        return self._trail.get(audit_id)

    def count(self, where: EntryFilter | None = None) -> int:
        return self._trail.count(where)

    def verify(self) -> VerifyReport:
        return self._trail.verify()

    def ping(self) -> bool:
        return self._trail.ping()

    def dispose(self) -> None:
        self._trail.dispose()

    # --- replay ---------------------------------------------------------------------------------------------
    def flush(self) -> bool:
        """Write what the spool holds, in order, and drop it from the spool. True when it is empty afterwards."""
        if not self._pending:
            return True
        with self._replay_lock:
            while True:
                with self._lock:
                    data = self.spool_path.read_bytes() if self.spool_path.exists() else b""
                entries = list(_parse_lines(data))
                try:
                    for start in range(0, len(entries), REPLAY_BATCH):
                        self._trail.append_entries(
                            [
                                NewEntry(
                                    e["kind"],
                                    e["body"],
                                    e["columns"],
                                    e["audit_id"],
                                    datetime.fromisoformat(e["recorded_at"]),
                                )
                                for e in entries[start : start + REPLAY_BATCH]
                            ],
                            wait_s=self.write_wait_s,
                            skip_existing=True,
                        )
                except Exception as exc:
                    if not is_outage(exc):
                        raise
                    self._note_failure(_reason(exc))
                    return False
                with self._lock:
                    rest = self.spool_path.read_bytes()[len(data) :] if self.spool_path.exists() else b""
                    _replace(self.spool_path, rest)
                    self._pending = sum(1 for _ in _parse_lines(rest))
                    if entries:
                        log.info("audit spool replayed: %d entries", len(entries))
                    if not self._pending:
                        self.last_failure = None
                        return True

    def probe(self, wait_s: float = 0.5) -> bool:
        """Could a write reach the database now? (readiness; writes nothing)"""
        try:
            self._trail.check_writable(wait_s)
        except Exception as exc:
            if not is_outage(exc):
                raise
            self._note_failure(_reason(exc))
            return False
        if not self._pending:
            self.last_failure = None
        return True

    def close(self) -> None:
        self._writers.shutdown(wait=False, cancel_futures=True)

    def health(self) -> dict[str, Any]:
        """What /readyz reports about the trail: spool backlog, failing writes, a diverged chain."""
        return {
            "spool_pending": self._pending,
            "write_failure": self.last_failure,
            "chain_diverged": self._trail.diverged,
        }

    # --- interrupted answers --------------------------------------------------------------------------------
    def begin_turn(
        self,
        session_id: str,
        message_id: str,
        client_msg_id: str | None,
        received_at: datetime,
        audience: str = "patient",
    ) -> None:
        """The durable `received` marker, before any answer. Ids and time only: never the text."""
        self.begin_turns([received_marker(session_id, message_id, client_msg_id, received_at, audience)])

    def update_turns(self, updates: list[dict[str, Any]]) -> list[None]:
        """Marker updates (`told_update`) in one write and one fsync, for messages still without a record."""
        with self._markers_lock:
            open_ones = [u for u in updates if u["message_id"] in self._in_flight]
            for update in open_ones:
                self._in_flight[update["message_id"]] = {
                    **self._in_flight[update["message_id"]],
                    "record": update["record"],
                }
            if open_ones:
                try:
                    _append_lines(self.markers_path, open_ones)
                except OSError:
                    log.exception("could not write the marker update")
        return [None] * len(updates)

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
                    fh.writelines(
                        (json.dumps(m, separators=(",", ":")) + "\n").encode() for m in self._in_flight.values()
                    )
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
        markers: dict[str, dict[str, Any]] = {}
        for line in _read_lines(self.markers_path):
            if line.get("update"):
                if line["message_id"] in markers:
                    markers[line["message_id"]]["record"] = line.get("record")
            else:
                markers.setdefault(line["message_id"], {}).update(line)
        recorded: set[str] = set()
        ids = list(markers)
        with self._trail.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                query = select(_ENTRY.c.message_id).where(_ENTRY.c.kind == "turn", _ENTRY.c.message_id.in_(chunk))
                recorded.update(row[0] for row in conn.execute(query))
        interrupted = [m for m in ids if m not in recorded]
        for message_id in interrupted:
            marker = markers[message_id]
            self.record_turn(interrupted_record(marker))
        if interrupted:
            log.warning("recorded %d answers cut short by a restart as interrupted", len(interrupted))
        if self._pending == 0 and self.markers_path.exists():
            _truncate(self.markers_path)
        return interrupted


async def _flush_loop(spool: SpoolingTrail, every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        if spool.pending:
            try:
                await asyncio.to_thread(spool.flush)
            except Exception:  # a bug, not an outage: say so, and keep trying
                log.exception("audit spool replay failed")


@asynccontextmanager
async def spooling(
    trail: AuditTrail, spool_dir: Path, *, flush_every_s: float = 2.0, write_wait_s: float = DEFAULT_WRITE_WAIT_S
) -> AsyncIterator[SpoolingTrail]:
    """The spooling trail for a service's lifetime: recovered at start, flushed every few seconds, and at exit."""
    spool = SpoolingTrail(trail, spool_dir, write_wait_s=write_wait_s)
    await asyncio.to_thread(spool.recover)
    task = asyncio.create_task(_flush_loop(spool, flush_every_s))
    try:
        yield spool
    finally:
        task.cancel()
        if spool.pending and not await asyncio.to_thread(spool.flush):
            log.warning("%d audit entries stay in the spool until the next start", spool.pending)
        spool.close()
        trail.dispose()  # notes the final head in the journal (again harmless if the app disposed it already)
