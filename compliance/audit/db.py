"""The database engine and the one write transaction that appends to the chain.

Writers serialise on the `audit_head` row: PostgreSQL `SELECT ... FOR UPDATE` (works across processes and
replicas), SQLite `BEGIN IMMEDIATE` (the database write lock, across processes on one host).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event

POSTGRES_PREFIXES = ("postgresql://", "postgres://")


def normalize_url(url: str) -> str:
    """Plain `postgresql://` URLs (as libpq and the LangGraph checkpointer take them) get the psycopg 3 driver."""
    for prefix in POSTGRES_PREFIXES:
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_connect)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
    # The driver's own implicit BEGIN is switched off so that appends can say BEGIN IMMEDIATE themselves.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@contextmanager
def locked_head(engine: Engine) -> Iterator[tuple[Connection, int, str]]:
    """A transaction holding the chain's write lock; yields (connection, last seq, last MAC). Commits on exit."""
    with engine.connect() as conn:
        if is_sqlite(engine):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            row = conn.exec_driver_sql("SELECT last_seq, last_mac FROM audit_head WHERE id = 1").one()
        else:
            row = conn.exec_driver_sql("SELECT last_seq, last_mac FROM audit_head WHERE id = 1 FOR UPDATE").one()
        try:
            yield conn, int(row[0]), row[1]
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


ENTRY_COLUMNS = ("seq", "audit_id", "kind", "recorded_at", "session_id", "message_id", "urgency", "level", "actor",
                 "content", "prev_mac", "mac")


def append_rows(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert chained rows and move the head, as plain driver SQL: the append path skips statement compilation."""
    sqlite = conn.dialect.name == "sqlite"
    mark = ":{}" if sqlite else "%({})s"
    columns = ", ".join(ENTRY_COLUMNS)
    values = ", ".join(mark.format(name) for name in ENTRY_COLUMNS)
    params = [{**row, "recorded_at": _sqlite_datetime(row["recorded_at"])} for row in rows] if sqlite else rows
    conn.exec_driver_sql(f"INSERT INTO audit_entry ({columns}) VALUES ({values})", params if len(params) > 1 else params[0])
    head = f"UPDATE audit_head SET last_seq = {mark.format('seq')}, last_mac = {mark.format('mac')} WHERE id = 1"
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
