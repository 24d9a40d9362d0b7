"""The audit trail: append-only, HMAC-chained entries in SQLite or PostgreSQL.

Every append runs in one transaction holding the chain's write lock (db.locked_head), so any number of threads,
worker processes and replicas produce one valid chain. `record_*` return only after the commit: the record is
durable when the caller gets its audit id.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from compliance.audit import migrations
from compliance.audit.chain import Signer, canonical, checkpoint_statement, entry_message, mac_of, timestamp
from compliance.audit.db import append_rows, locked_head, make_engine, read_snapshot
from compliance.audit.errors import SchemaError
from compliance.audit.models import AuditEntry, AuditHead
from compliance.audit.query import EntryFilter, StoredEntry, entry_query, stream
from compliance.audit.records import TurnRecord
from compliance.audit.retention import PurgeReport, purge_before
from compliance.audit.sections import AccessEvent, ErrorEvent
from compliance.audit.verify import VerifyReport, verify_chain

DEFAULT_CHECKPOINT_EVERY = 1000


def turn_columns(record: TurnRecord) -> dict[str, Any]:
    """The indexed columns of a turn entry (the rest is in its sections)."""
    return {"session_id": record.session_id, "message_id": record.message_id, "urgency": record.urgency,
            "level": record.level}
_ENTRY = AuditEntry.__table__
_HEAD = AuditHead.__table__


class AuditTrail:
    def __init__(self, database_url: str, key: bytes, *, checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
                 clock: Callable[[], datetime] | None = None) -> None:
        self._engine = make_engine(database_url)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._key = key
        self._signer = Signer(key)
        self._checkpoint_every = checkpoint_every
        # In-process writers queue here rather than on the database lock (cheaper, and fair on SQLite).
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def public_key_hex(self) -> str:
        """Ed25519 public key that checks checkpoint and anchor signatures without the secret."""
        return self._signer.public_hex

    # --- schema -------------------------------------------------------------------------------------------
    def create_schema(self) -> None:
        """Bring the database to the latest migration (idempotent; safe with several workers starting at once)."""
        try:
            migrations.upgrade(self._engine)
        except Exception as exc:
            if migrations.current_revision(self._engine) != migrations.head_revision():
                raise SchemaError(f"audit schema migration failed: {exc}") from exc

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
        return self._append_many([("turn", record.sections(), turn_columns(record)) for record in records])

    def record_access(self, event: AccessEvent) -> str:
        """Who viewed, listed, re-identified, verified or exported what, from where (`export` for exports)."""
        kind = "export" if event.action == "export" else "access"
        return self._append(kind, {"access": event.model_dump(mode="json")}, session_id=event.session_id, actor=event.actor)

    def record_error(self, event: ErrorEvent) -> str:
        return self._append(
            "error", {"error_event": event.model_dump(mode="json")}, session_id=event.session_id,
            message_id=event.message_id,
        )

    def checkpoint(self, reason: str = "manual") -> str:
        """A signed checkpoint over the chain as it stands now."""
        with self._lock, locked_head(self._engine) as (conn, last_seq, last_mac):
            row = self._checkpoint_row(last_seq + 1, last_mac, self._clock(), reason)
            self._write(conn, [row])
        return row["audit_id"]

    def _append(self, kind: str, body: dict[str, Any], *, session_id: str | None = None, message_id: str | None = None,
                urgency: str | None = None, level: str | None = None, actor: str | None = None) -> str:
        columns = {"session_id": session_id, "message_id": message_id, "urgency": urgency, "level": level, "actor": actor}
        return self._append_many([(kind, body, columns)])[0]

    def _append_many(self, entries: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> list[str]:
        """Chain (kind, body, columns) entries in order, in one transaction; a periodic checkpoint where due."""
        audit_ids: list[str] = []
        with self._lock, locked_head(self._engine) as (conn, seq, mac):
            now = self._clock()
            rows: list[dict[str, Any]] = []
            for kind, body, columns in entries:
                audit_id = str(uuid.uuid4())
                row = self.entry_row(seq + 1, mac, audit_id, kind, now, body, **columns)
                rows.append(row)
                audit_ids.append(audit_id)
                seq, mac = row["seq"], row["mac"]
                if self._checkpoint_every and seq % self._checkpoint_every == 0:
                    row = self._checkpoint_row(seq + 1, mac, now, "periodic")
                    rows.append(row)
                    seq, mac = row["seq"], row["mac"]
            self._write(conn, rows)
        return audit_ids

    def entry_row(self, seq: int, prev_mac: str, audit_id: str, kind: str, moment: datetime, body: dict[str, Any], *,
                  session_id: str | None = None, message_id: str | None = None, urgency: str | None = None,
                  level: str | None = None, actor: str | None = None) -> dict[str, Any]:
        """One chained row, ready to insert (public for the migration of bulk data and the benchmark)."""
        stamp = timestamp(moment)
        envelope = {"audit_id": audit_id, "kind": kind, "recorded_at": stamp, "session_id": session_id,
                    "message_id": message_id}
        content = canonical({**envelope, **body})
        message = entry_message(seq, prev_mac, audit_id, kind, stamp, session_id, message_id, urgency, level, actor, content)
        return {"seq": seq, "audit_id": audit_id, "kind": kind, "recorded_at": moment, "session_id": session_id,
                "message_id": message_id, "urgency": urgency, "level": level, "actor": actor, "content": content,
                "prev_mac": prev_mac, "mac": mac_of(self._key, message)}

    def _checkpoint_row(self, seq: int, prev_mac: str, moment: datetime, reason: str,
                        extra: dict[str, Any] | None = None) -> dict[str, Any]:
        through = seq - 1
        body = {"checkpoint": {
            "through_seq": through, "through_mac": prev_mac, "reason": reason, "key_id": self._signer.key_id,
            "public_key": self._signer.public_hex, "signature": self._signer.sign(checkpoint_statement(through, prev_mac)),
            **(extra or {}),
        }}
        return self.entry_row(seq, prev_mac, str(uuid.uuid4()), "checkpoint", moment, body)

    @staticmethod
    def _write(conn: Connection, rows: list[dict[str, Any]]) -> None:
        append_rows(conn, rows)

    # --- reading ------------------------------------------------------------------------------------------
    def entries(self, where: EntryFilter | None = None) -> Iterator[StoredEntry]:
        """Every matching entry in chain order, streamed (bounded memory however many there are)."""
        with read_snapshot(self._engine) as conn:
            yield from stream(conn, entry_query(where))

    def page(self, where: EntryFilter, limit: int) -> list[StoredEntry]:
        with self._engine.connect() as conn:
            return [StoredEntry.from_row(r) for r in conn.execute(entry_query(where, limit=limit))]

    def get(self, audit_id: str) -> StoredEntry | None:
        with self._engine.connect() as conn:
            row = conn.execute(entry_query().where(_ENTRY.c.audit_id == audit_id)).first()
        return StoredEntry.from_row(row) if row else None

    def count(self, where: EntryFilter | None = None) -> int:
        query = select(func.count()).select_from(_ENTRY)
        with self._engine.connect() as conn:
            return conn.execute(where.apply(query) if where else query).scalar_one()

    def head(self) -> tuple[int, str]:
        with self._engine.connect() as conn:
            seq, mac = conn.execute(select(_HEAD.c.last_seq, _HEAD.c.last_mac).where(_HEAD.c.id == 1)).one()
        return int(seq), mac

    # --- integrity and retention --------------------------------------------------------------------------
    def verify(self) -> VerifyReport:
        """One streaming pass over the chain; names the first bad record."""
        return verify_chain(self._engine, self._key, self._signer)

    def purge(self, before: datetime) -> PurgeReport:
        """Delete entries recorded before `before`, after anchoring the remaining chain in a signed checkpoint."""
        return purge_before(self, before)

    def _locked(self) -> tuple[threading.Lock, AbstractContextManager[tuple[Connection, int, str]]]:
        """The in-process lock and the database write transaction, for retention.purge_before."""
        return self._lock, locked_head(self._engine)

    def dispose(self) -> None:
        self._engine.dispose()
