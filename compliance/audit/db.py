"""The database engine and the one write transaction that appends to the chain.

Writers serialise on the `audit_head` row: PostgreSQL `SELECT ... FOR UPDATE` (works across processes and
replicas), SQLite `BEGIN IMMEDIATE` (the database write lock, across processes on one host).

A SQLite database is opened read-write but never created by a connection (`mode=rw`): a file that was moved
away or deleted is an error, not a fresh empty chain (issue 16). Only `AuditTrail.create_schema` creates one.
Each connection remembers which file it opened; a write transaction on a connection whose file is no longer the
one at the configured path (moved, replaced) is refused with `DatabaseReplaced`.
"""

from __future__ import annotations

import fcntl
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


#: Seconds a new PostgreSQL connection may take, handshake and sign-in included. A database host that drops packets
#: (rather than refusing) would otherwise hold a request for the operating system's TCP timeout (minutes) before the
#: caller's fallback (the audit spool, a staff request's 503) could begin.
POSTGRES_CONNECT_TIMEOUT_S = 5


def postgres_connect_args() -> dict[str, Any]:
    return {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S}


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
    return create_engine(url, connect_args=postgres_connect_args(), pool_pre_ping=True, pool_size=5, max_overflow=10)


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


class WriterQueue:
    """Chain writers of one SQLite file, across processes, wait here for their turn (a blocking `flock` on
    `<file>.writers`) before `BEGIN IMMEDIATE`.

    SQLite's own busy handler polls with growing sleeps (1, 2, 5, 10 ms, ...), so a process committing back to
    back takes the write lock again before a sleeping writer of another process looks: with several worker
    processes one could starve the others (their writes would then wait past their bound and go to the spool).
    A writer blocked in `flock` is woken the moment the lock is free. The database's own lock still guarantees
    one writer at a time; this only orders them. Without a usable lock file, writers go straight to SQLite's."""

    def __init__(self, path: Path) -> None:
        self.path = path.with_name(path.name + ".writers")
        self._fd: int | None = None
        self._broken = False

    @classmethod
    def for_url(cls, url: str) -> WriterQueue | None:
        path = sqlite_path(url)
        return cls(path) if path is not None else None

    @contextmanager
    def turn(self) -> Iterator[None]:
        fd = self._open()
        if fd is None:
            yield
            return
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def _open(self) -> int | None:
        if self._fd is None and not self._broken:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                self._broken = True  # a read-only directory: SQLite's own lock alone
        return self._fd

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


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
            if wait_s is not None:  # both bounds in one round trip (SET LOCAL takes no parameters)
                ms = f"{max(1, int(wait_s * 1000))}ms"
                conn.exec_driver_sql(
                    "SELECT set_config('lock_timeout', %(ms)s, true), set_config('statement_timeout', %(ms)s, true)",
                    {"ms": ms},
                )
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


#: Rows per multi-row INSERT on PostgreSQL (13 parameters each, well under the protocol's 65,535).
PG_ROWS_PER_STATEMENT = 1000


def append_rows(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert chained rows and move the head, as plain driver SQL: the append path skips statement compilation.

    SQLite: one prepared INSERT run per row (no round trips to save in-process), then the head. PostgreSQL: a
    group is one statement, a multi-row INSERT with the head's UPDATE in the same round trip (a data-modifying
    CTE), so a group of N turns costs the server one statement, not N + 1 (group commit, issue 20)."""
    columns = ", ".join(ENTRY_COLUMNS)
    # Only the module's own column names and placeholders are formatted in; the values travel as parameters.
    if conn.dialect.name == "sqlite":
        values = ", ".join(f":{name}" for name in ENTRY_COLUMNS)
        params = [{**row, "recorded_at": _sqlite_datetime(row["recorded_at"])} for row in rows]
        conn.exec_driver_sql(f"INSERT INTO audit_entry ({columns}) VALUES ({values})", params)  # noqa: S608
        conn.exec_driver_sql(
            "UPDATE audit_head SET last_seq = :seq, last_mac = :mac WHERE id = 1",
            {"seq": rows[-1]["seq"], "mac": rows[-1]["mac"]},
        )
        return
    one_row = "(" + ", ".join(["%s"] * len(ENTRY_COLUMNS)) + ")"
    for start in range(0, len(rows), PG_ROWS_PER_STATEMENT):
        chunk = rows[start : start + PG_ROWS_PER_STATEMENT]
        last = start + len(chunk) == len(rows)
        insert = f"INSERT INTO audit_entry ({columns}) VALUES {', '.join([one_row] * len(chunk))}"  # noqa: S608
        flat = tuple(row[name] for row in chunk for name in ENTRY_COLUMNS)
        if last:
            insert = f"WITH appended AS ({insert}) UPDATE audit_head SET last_seq = %s, last_mac = %s WHERE id = 1"  # noqa: S608
            flat += (rows[-1]["seq"], rows[-1]["mac"])
        conn.exec_driver_sql(insert, flat)


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
