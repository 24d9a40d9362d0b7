"""The database engine and the one write transaction that appends to the chain.

Writers serialise on the `audit_head` row: PostgreSQL `SELECT ... FOR UPDATE` (works across processes and
replicas), SQLite `BEGIN IMMEDIATE` (the database write lock, across processes on one host).

A SQLite database is opened read-write but never created by a connection (`mode=rw`): a file that was moved
away or deleted is an error, not a fresh empty chain (issue 16). Only `AuditTrail.create_schema` creates one.
Each connection remembers which file it opened; a write transaction on a connection whose file is no longer the
one at the configured path (moved, replaced) is refused with `DatabaseReplaced`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import ConnectionPoolEntry

POSTGRES_PREFIXES = ("postgresql://", "postgres://")
#: The busy timeout of a connection when a write does not say otherwise (the bare trail, the CLI, reads).
DEFAULT_BUSY_MS = 30_000


class DatabaseReplaced(OperationalError):
    """The SQLite file this connection writes to is no longer the one at the configured path (moved away,
    replaced or deleted). An OperationalError, so the spooling trail treats it as an outage."""

    def __init__(self, detail: str) -> None:
        super().__init__("audit write", {}, Exception(detail))


def normalize_url(url: str) -> str:
    """Plain `postgresql://` URLs (as libpq and the LangGraph checkpointer take them) get the psycopg 3 driver."""
    for prefix in POSTGRES_PREFIXES:
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for an in-memory or URI-style database)."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    if parsed.database.startswith("file:"):
        return None
    return Path(parsed.database).absolute()


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        options: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": DEFAULT_BUSY_MS / 1000}}
        if path is not None:
            uri = f"file:{quote(str(path))}?mode=rw"

            def connect() -> sqlite3.Connection:  # never creates the file (mode=rw)
                return sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=DEFAULT_BUSY_MS / 1000)

            options = {"creator": connect}
        engine = create_engine(url, **options)
        event.listen(engine, "connect", _sqlite_connect)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _sqlite_connect(dbapi_connection: sqlite3.Connection, record: ConnectionPoolEntry) -> None:
    # The driver's own implicit BEGIN is switched off so that appends can say BEGIN IMMEDIATE themselves.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={DEFAULT_BUSY_MS}")
    row = cursor.execute("PRAGMA database_list").fetchone()
    cursor.close()
    if row is not None and row[2]:
        record.info["file"] = row[2]
        record.info["file_identity"] = _file_identity(Path(row[2]))


def _check_same_file(conn: Connection) -> None:
    """Refuse to write through a connection whose file is not (or no longer) the one at its path."""
    path, identity = conn.info.get("file"), conn.info.get("file_identity")
    if path is None:
        return
    now = _file_identity(Path(path))
    if now is None or now != identity:
        conn.invalidate()
        raise DatabaseReplaced(f"the audit database file at {path} was moved, replaced or deleted")


@contextmanager
def locked_head(engine: Engine, wait_s: float | None = None) -> Iterator[tuple[Connection, int, str]]:
    """A transaction holding the chain's write lock; yields (connection, last seq, last MAC). Commits on exit.

    `wait_s` bounds the wait for the lock (SQLite's busy timeout, PostgreSQL's lock and statement timeouts) for
    this transaction only; None waits as long as the connection's default."""
    with engine.connect() as conn:
        if is_sqlite(engine):
            _check_same_file(conn)
            if wait_s is not None:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={max(1, int(wait_s * 1000))}")
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            finally:
                if wait_s is not None:
                    conn.exec_driver_sql(f"PRAGMA busy_timeout={DEFAULT_BUSY_MS}")
            row = conn.exec_driver_sql("SELECT last_seq, last_mac FROM audit_head WHERE id = 1").one()
        else:
            if wait_s is not None:
                ms = max(1, int(wait_s * 1000))
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = {ms}")
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {ms}")
            row = conn.exec_driver_sql("SELECT last_seq, last_mac FROM audit_head WHERE id = 1 FOR UPDATE").one()
        try:
            yield conn, int(row[0]), row[1]
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


ENTRY_COLUMNS = (
    "seq",
    "audit_id",
    "kind",
    "recorded_at",
    "session_id",
    "message_id",
    "urgency",
    "level",
    "actor",
    "content",
    "prev_mac",
    "mac",
    "key_id",
)


def append_rows(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert chained rows and move the head, as plain driver SQL: the append path skips statement compilation."""
    sqlite = conn.dialect.name == "sqlite"
    mark = ":{}" if sqlite else "%({})s"
    columns = ", ".join(ENTRY_COLUMNS)
    values = ", ".join(mark.format(name) for name in ENTRY_COLUMNS)
    params = [{**row, "recorded_at": _sqlite_datetime(row["recorded_at"])} for row in rows] if sqlite else rows
    # Only the module's own column names and placeholders are formatted in; the values travel as parameters.
    insert = f"INSERT INTO audit_entry ({columns}) VALUES ({values})"  # noqa: S608
    conn.exec_driver_sql(insert, params if len(params) > 1 else params[0])
    head = f"UPDATE audit_head SET last_seq = {mark.format('seq')}, last_mac = {mark.format('mac')} WHERE id = 1"  # noqa: S608
    conn.exec_driver_sql(head, {"seq": rows[-1]["seq"], "mac": rows[-1]["mac"]})


def _sqlite_datetime(moment: datetime) -> str:
    """The text form SQLAlchemy's SQLite DateTime stores (naive UTC), so filters and reads see one format."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[Connection]:
    """One consistent read: a REPEATABLE READ transaction on PostgreSQL, a deferred read transaction on SQLite."""
    with engine.connect() as conn:
        if is_sqlite(engine):
            conn.exec_driver_sql("BEGIN")
        else:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            conn.begin()
        try:
            yield conn
        finally:
            conn.rollback()
