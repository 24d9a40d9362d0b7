"""The database engine and the one write transaction that appends to the chain.

Writers serialise on the `audit_head` row: PostgreSQL `SELECT ... FOR UPDATE` (works across processes and
replicas), SQLite `BEGIN IMMEDIATE` (the database write lock, across processes on one host).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, event, text

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
            row = conn.execute(text("SELECT last_seq, last_mac FROM audit_head WHERE id = 1")).one()
        else:
            row = conn.execute(text("SELECT last_seq, last_mac FROM audit_head WHERE id = 1 FOR UPDATE")).one()
        try:
            yield conn, int(row[0]), row[1]
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


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
