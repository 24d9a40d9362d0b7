"""The audit trail: append-only, HMAC-chained entries in SQLite or PostgreSQL.

Every append runs in one transaction holding the chain's write lock (db.locked_head), so any number of threads,
worker processes and replicas produce one valid chain. `record_*` return only after the commit: the record is
durable when the caller gets its audit id.

Inside each write transaction the database's chain head is compared with the one this process last wrote
(issue 16): when it went backwards, or the entry this process last wrote is gone or different, the database was
replaced, restored or truncated underneath the process, and the write is refused (`ChainDiverged`) rather than
starting a second chain. Pooled connections are recycled after any failed write, so a database put back in
place is used again at once.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, inspect, select
from sqlalchemy import exc as sa_exc

from compliance.audit import migrations
from compliance.audit.chain import Signer, canonical, checkpoint_statement, entry_message, mac_of, timestamp
from compliance.audit.db import WriterQueue, append_rows, locked_head, make_engine, read_snapshot, sqlite_path
from compliance.audit.errors import ChainDiverged, MissingDatabase, SchemaError, WriteAbandoned
from compliance.audit.journal import ChainJournal
from compliance.audit.models import ANCHOR_TABLE, ENTRY_TABLE, HEAD_TABLE
from compliance.audit.query import EntryFilter, StoredEntry, entry_query, stream
from compliance.audit.records import TurnRecord
from compliance.audit.retention import PurgeReport, purge_before
from compliance.audit.sections import AccessEvent, ErrorEvent
from compliance.audit.verify import VerifyReport, verify_chain
from compliance.keys import KeyRing

log = logging.getLogger(__name__)

DEFAULT_CHECKPOINT_EVERY = 1000


def turn_columns(record: TurnRecord) -> dict[str, Any]:
    """The indexed columns of a turn entry (the rest is in its sections)."""
    return {
        "session_id": record.session_id,
        "message_id": record.message_id,
        "urgency": record.urgency,
        "level": record.level,
        "actor": record.actor,
    }


_ENTRY = ENTRY_TABLE
_HEAD = HEAD_TABLE
_ANCHOR = ANCHOR_TABLE


@dataclass(slots=True)
class NewEntry:
    """An entry to append: its kind, body (the sections), filter columns; an audit id and time when the caller
    fixed them already (a spooled entry keeps the id its caller was given)."""

    kind: str
    body: dict[str, Any]
    columns: dict[str, Any] = field(default_factory=dict)
    audit_id: str | None = None
    recorded_at: datetime | None = None


class WriteTimeout(sa_exc.OperationalError):
    """The chain's write lock was not had within the caller's wait (an OperationalError: an outage to the spool)."""

    def __init__(self, waited_s: float) -> None:
        super().__init__("audit write", {}, Exception(f"the audit chain lock was not free within {waited_s:.2f}s"))


class ChainTransaction:
    """One write transaction on the chain, holding its lock: append entries and checkpoints, sign statements.

    Made by `AuditTrail.write_transaction()` (retention.py appends a checkpoint and stores an anchor in one).
    Rows are chained as they are added and inserted together by `flush()` (called on commit at the latest)."""

    def __init__(self, trail: AuditTrail, conn: Connection, seq: int, mac: str, signer: Signer) -> None:
        self.trail = trail
        self.conn = conn
        self.seq = seq
        self.mac = mac
        self.now = trail.now()
        self._signer = signer
        self.rows: list[dict[str, Any]] = []
        self._unwritten = 0

    def add(self, entry: NewEntry) -> str:
        """Chain one entry (and the periodic checkpoint when due); its audit id."""
        trail = self.trail
        audit_id = entry.audit_id or str(uuid.uuid4())
        self._push(
            trail.entry_row(
                self.seq + 1, self.mac, audit_id, entry.kind, entry.recorded_at or self.now, entry.body, **entry.columns
            )
        )
        every = trail.checkpoint_every
        if every and self.seq % every == 0:
            self.checkpoint("periodic")
        return audit_id

    def checkpoint(self, reason: str, extra: dict[str, Any] | None = None) -> str:
        """A signed checkpoint over the chain as it stands in this transaction; its audit id."""
        signer, through, through_mac = self._signer, self.seq, self.mac
        body = {
            "checkpoint": {
                "through_seq": through,
                "through_mac": through_mac,
                "reason": reason,
                "key_id": signer.key_id,
                "public_key": signer.public_hex,
                "signature": signer.sign(checkpoint_statement(through, through_mac)),
                **(extra or {}),
            }
        }
        row = self.trail.entry_row(through + 1, through_mac, str(uuid.uuid4()), "checkpoint", self.now, body)
        self._push(row)
        return str(row["audit_id"])

    def sign(self, statement: str) -> str:
        """Sign a statement with the trail's checkpoint key (retention's anchors)."""
        return self._signer.sign(statement)

    def existing(self, audit_ids: Sequence[str]) -> set[str]:
        """Which of these audit ids the chain already holds (a replay skips them)."""
        found: set[str] = set()
        for start in range(0, len(audit_ids), 500):
            chunk = list(audit_ids[start : start + 500])
            found.update(r[0] for r in self.conn.execute(select(_ENTRY.c.audit_id).where(_ENTRY.c.audit_id.in_(chunk))))
        return found

    def flush(self) -> None:
        if self._unwritten:
            append_rows(self.conn, self.rows[-self._unwritten :])
            self._unwritten = 0

    def _push(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        self._unwritten += 1
        self.seq, self.mac = row["seq"], row["mac"]


class AuditTrail:
    """The chain in its database: an `AuditSink` (sink.py) whose writes return once committed, and the reads,
    verification and retention over it.

    Writing: `append_entries()` appends entries in one write transaction; `write_transaction()` yields that
    transaction (`ChainTransaction`) for a caller that must do more inside it (retention.py)."""

    def __init__(
        self,
        database_url: str,
        key: bytes | KeyRing,
        *,
        checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
        clock: Callable[[], datetime] | None = None,
        journal: Path | str | None = None,
    ) -> None:
        """`key`: the HMAC key, or a ring of the current and retired keys (compliance/keys.py). `journal`: the
        append-only file that also records checkpoints and the head (compliance/audit/journal.py), if any."""
        self._url = database_url
        self._engine = make_engine(database_url)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._keys = KeyRing.of(key)
        self._key = self._keys.current
        self._key_id = self._keys.current_id
        self._signer = Signer(self._key)
        self._signers = {signer.key_id: signer for signer in map(Signer, self._keys.keys())}
        self.checkpoint_every = checkpoint_every
        self._journal = ChainJournal(Path(journal), self._keys) if journal is not None else None
        # In-process writers queue here rather than on the database lock (cheaper, and fair on SQLite); other
        # processes' writers of the same SQLite file queue with this one in `_writers` (db.WriterQueue).
        self._lock = threading.Lock()
        self._writers = WriterQueue.for_url(database_url)
        # The chain head as this process last committed it: the next write checks the database still has it.
        self._head: tuple[int, str] | None = None
        self.diverged: str | None = None
        """Why the last write was refused because the chain was not where this process left it (else None)."""

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def public_key_hex(self) -> str:
        """Ed25519 public key that checks checkpoint and anchor signatures without the secret."""
        return self._signer.public_hex

    @property
    def keys(self) -> KeyRing:
        return self._keys

    @property
    def key_id(self) -> str:
        """The id of the HMAC key new entries are chained with (stored with each entry)."""
        return self._key_id

    @property
    def journal(self) -> ChainJournal | None:
        return self._journal

    @property
    def markers(self) -> None:
        """The plain trail keeps no received markers (the spooling trail does: spool.py)."""
        return None

    # --- schema -------------------------------------------------------------------------------------------
    def create_schema(self) -> None:
        """Create the database if need be and bring it to the latest migration (idempotent; safe with several
        workers starting at once). The only call that creates a database."""
        path = sqlite_path(self._url)
        if path is not None and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            import sqlite3

            sqlite3.connect(path).close()
        try:
            migrations.upgrade(self._engine)
        except Exception as exc:
            if migrations.current_revision(self._engine) != migrations.head_revision():
                raise SchemaError(f"audit schema migration failed: {exc}") from exc

    def require_database(self) -> None:
        """Raise `MissingDatabase` unless the database exists and holds an audit chain; never creates one."""
        path = sqlite_path(self._url)
        if path is not None and not path.exists():
            raise MissingDatabase(f"no audit database at {path}")
        try:
            with self._engine.connect() as conn:
                present = inspect(conn).has_table(_HEAD.name)
        except sa_exc.DBAPIError as exc:
            raise MissingDatabase(f"cannot open the audit database: {type(exc.orig).__name__}: {exc.orig}") from None
        if not present:
            raise MissingDatabase("the database holds no audit chain (no audit_head table)")

    def upgrade_schema(self) -> None:
        """Migrate an existing audit database to the latest revision; refuses (MissingDatabase) to create one."""
        self.require_database()
        self.create_schema()

    def ping(self) -> bool:
        with self._engine.connect() as conn:
            conn.execute(select(_HEAD.c.last_seq).where(_HEAD.c.id == 1)).one()
        return True

    def now(self) -> datetime:
        return self._clock()

    # --- writing ------------------------------------------------------------------------------------------
    def record_turn(self, record: TurnRecord) -> str:
        """The one `turn` entry for a user message, in typed sections. Durable when it returns."""
        return self.record_turns([record])[0]

    def record_turns(self, records: list[TurnRecord]) -> list[str]:
        """Several turns' entries in one transaction (one commit, one fsync: group commit); their audit ids."""
        return self.append_entries([turn_entry(record) for record in records])

    def record_access(self, event: AccessEvent) -> str:
        """Who viewed, listed, re-identified, verified or exported what, from where (`export` for exports)."""
        return self.append_entries([access_entry(event)])[0]

    def record_error(self, event: ErrorEvent) -> str:
        return self.append_entries([error_entry(event)])[0]

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
        """One entry of any kind (denials.py's `access_denied`); its audit id once committed."""
        columns = {
            "session_id": session_id,
            "message_id": message_id,
            "urgency": urgency,
            "level": level,
            "actor": actor,
        }
        return self.append_entries([NewEntry(kind, body, columns)])[0]

    def checkpoint(self, reason: str = "manual") -> str:
        """A signed checkpoint over the chain as it stands now."""
        with self.write_transaction() as tx:
            return tx.checkpoint(reason)

    def append_entries(
        self,
        entries: Sequence[NewEntry],
        *,
        wait_s: float | None = None,
        commit_if: Callable[[], bool] | None = None,
        skip_existing: bool = False,
    ) -> list[str]:
        """Chain entries in order, in one transaction (a periodic checkpoint where due); their audit ids.

        `wait_s` bounds the wait for the chain's lock (None: the connection's default, 30 s on SQLite).
        `commit_if` is asked just before the commit; False rolls back and raises `WriteAbandoned`.
        `skip_existing` leaves out entries whose audit id the chain already holds (an idempotent replay)."""
        with self.write_transaction(wait_s=wait_s) as tx:
            present = tx.existing([e.audit_id for e in entries if e.audit_id]) if skip_existing else set()
            ids = [e.audit_id if e.audit_id in present else tx.add(e) for e in entries]
            tx.flush()
            if commit_if is not None and not commit_if():
                raise WriteAbandoned("the caller gave up before the commit")
        return ids

    @contextmanager
    def write_transaction(self, *, wait_s: float | None = None) -> Iterator[ChainTransaction]:
        """The chain's write transaction (this process's lock, then the database's), after checking that the
        database's head is where this process left it. Commits on a normal exit; recycles the connection pool
        after a failure."""
        started = time.monotonic()
        if not self._lock.acquire(timeout=-1 if wait_s is None else max(wait_s, 0.0)):
            raise WriteTimeout(time.monotonic() - started)
        try:
            try:
                with self._writers.turn() if self._writers is not None else nullcontext():
                    waited = time.monotonic() - started
                    if wait_s is not None and waited > wait_s:
                        raise WriteTimeout(waited)
                    remaining = None if wait_s is None else max(wait_s - waited, 0.001)
                    with locked_head(self._engine, remaining) as (conn, seq, mac):
                        self._check_head(conn, seq, mac)
                        tx = ChainTransaction(self, conn, seq, mac, self._signer)
                        yield tx
                        tx.flush()
            except (sa_exc.DBAPIError, ChainDiverged, OSError):
                self._engine.dispose()  # stale pooled connections (a moved or replaced file) go with the failure
                raise
            if tx.rows:
                self._head = (tx.seq, tx.mac)
                self.diverged = None
                if self._journal is not None:
                    self._journal.committed(tx.rows)
        finally:
            self._lock.release()

    def _check_head(self, conn: Connection, seq: int, mac: str) -> None:
        known = self._head
        if known is None or known == (seq, mac):
            return
        known_seq, known_mac = known
        if seq > known_seq:  # others wrote since: fine if what this process wrote is still there, unchanged
            found = conn.execute(select(_ENTRY.c.mac).where(_ENTRY.c.seq == known_seq)).scalar()
            if found == known_mac:
                return
            if found is None:
                anchored = conn.execute(select(func.max(_ANCHOR.c.through_seq))).scalar() or 0
                if anchored >= known_seq:  # purged since (retention), under a signed anchor
                    return
        self.diverged = (
            f"the database's chain head is seq {seq}, but this process last wrote seq {known_seq} and "
            f"{'it is not there as written' if seq >= known_seq else 'the chain went backwards'}"
        )
        log.error("audit chain diverged: %s; not writing a second chain", self.diverged)
        raise ChainDiverged(self.diverged)

    def probe_write(self, wait_s: float) -> bool:
        """Can the chain take a write now? Takes the write lock, checks the head, writes nothing (rolled back).
        Raises what a write would raise."""
        with self.write_transaction(wait_s=wait_s) as tx:
            tx.conn.exec_driver_sql("UPDATE audit_head SET last_seq = last_seq WHERE id = 1")
            raise _Probed()

    def check_writable(self, wait_s: float) -> bool:
        try:
            self.probe_write(wait_s)
        except _Probed:
            return True
        return False  # pragma: no cover - probe_write always raises

    def entry_row(
        self,
        seq: int,
        prev_mac: str,
        audit_id: str,
        kind: str,
        moment: datetime,
        body: dict[str, Any],
        *,
        session_id: str | None = None,
        message_id: str | None = None,
        urgency: str | None = None,
        level: str | None = None,
        actor: str | None = None,
    ) -> dict[str, Any]:
        """One chained row, ready to insert (public for the migration of bulk data and the benchmark)."""
        stamp = timestamp(moment)
        envelope = {
            "audit_id": audit_id,
            "kind": kind,
            "recorded_at": stamp,
            "session_id": session_id,
            "message_id": message_id,
        }
        content = canonical({**envelope, **body})
        message = entry_message(
            seq, prev_mac, audit_id, kind, stamp, session_id, message_id, urgency, level, actor, content
        )
        return {
            "seq": seq,
            "audit_id": audit_id,
            "kind": kind,
            "recorded_at": moment,
            "session_id": session_id,
            "message_id": message_id,
            "urgency": urgency,
            "level": level,
            "actor": actor,
            "content": content,
            "prev_mac": prev_mac,
            "mac": mac_of(self._key, message),
            "key_id": self._key_id,
        }

    # --- reading ------------------------------------------------------------------------------------------
    def entries(self, where: EntryFilter | None = None) -> Iterator[StoredEntry]:
        """Every matching entry in chain order, streamed (bounded memory however many there are)."""
        with read_snapshot(self._engine) as conn:
            yield from stream(conn, entry_query(where))

    def page(self, where: EntryFilter, limit: int, *, newest_first: bool = False) -> list[StoredEntry]:
        """Up to `limit` entries in chain order, or newest first (page on with `before_seq`)."""
        with self._engine.connect() as conn:
            return [
                StoredEntry.from_row(r) for r in conn.execute(entry_query(where, descending=newest_first, limit=limit))
            ]

    def get(self, audit_id: str) -> StoredEntry | None:
        with self._engine.connect() as conn:
            row = conn.execute(entry_query().where(_ENTRY.c.audit_id == audit_id)).first()
        return StoredEntry.from_row(row) if row else None

    def count(self, where: EntryFilter | None = None) -> int:
        query = select(func.count()).select_from(_ENTRY)
        with self._engine.connect() as conn:
            count: int = conn.execute(where.apply(query) if where else query).scalar_one()
        return count

    def head(self) -> tuple[int, str]:
        with self._engine.connect() as conn:
            seq, mac = conn.execute(select(_HEAD.c.last_seq, _HEAD.c.last_mac).where(_HEAD.c.id == 1)).one()
        return int(seq), mac

    # --- integrity and retention --------------------------------------------------------------------------
    def verify(self) -> VerifyReport:
        """One streaming pass over the chain; names the first bad record. With a journal, also checks that the
        chain still holds every checkpoint and head the journal noted (tail truncation)."""
        return verify_chain(self._engine, self._keys, self._signers, self._journal)

    def purge(self, before: datetime) -> PurgeReport:
        """Delete entries recorded before `before`, after anchoring the remaining chain in a signed checkpoint."""
        return purge_before(self, before)

    def dispose(self) -> None:
        if self._journal is not None:
            self._journal.close()
        if self._writers is not None:
            self._writers.close()
        self._engine.dispose()


class _Probed(Exception):
    """Ends a probe's transaction (rolled back)."""


def turn_entry(record: TurnRecord) -> NewEntry:
    return NewEntry("turn", record.sections(), turn_columns(record))


def access_entry(event: AccessEvent) -> NewEntry:
    kind = "export" if event.action == "export" else "access"
    return NewEntry(
        kind, {"access": event.model_dump(mode="json")}, {"session_id": event.session_id, "actor": event.actor}
    )


def error_entry(event: ErrorEvent) -> NewEntry:
    return NewEntry(
        "error",
        {"error_event": event.model_dump(mode="json")},
        {"session_id": event.session_id, "message_id": event.message_id},
    )
