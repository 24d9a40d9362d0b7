"""The clinician queue's durable copy in the service's database (table `hub_session`): one row per session,
its summary and redacted transcript as JSON, written behind by the in-process hub (app/hub.py) and read back at
start, so a restart shows the same queue. Across replicas the queue travels over Redis instead
(app/hub_redis.py), whose log is its durable copy."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    insert,
    select,
)

from compliance.audit.db import normalize_url

metadata = MetaData()
hub_session = Table(
    "hub_session",
    metadata,
    Column("session_id", String(128), primary_key=True),
    Column("record", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


class SqlQueueStore:
    """A `QueueStore` over SQLAlchemy (SQLite by default, PostgreSQL where the service's database is)."""

    def __init__(self, database_url: str) -> None:
        url = normalize_url(database_url)
        args = {"check_same_thread": False, "timeout": 30} if url.startswith("sqlite") else {}
        self.engine: Engine = create_engine(url, connect_args=args, pool_pre_ping=not url.startswith("sqlite"))
        metadata.create_all(self.engine, tables=[hub_session])

    def load(self) -> list[str]:
        with self.engine.connect() as conn:
            return [row[0] for row in conn.execute(select(hub_session.c.record).order_by(hub_session.c.updated_at))]

    def write(self, records: dict[str, str], gone: set[str]) -> None:
        """Replace the rows of `records` and delete those of `gone`, in one transaction."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            ids = [*records, *gone]
            if ids:
                conn.execute(delete(hub_session).where(hub_session.c.session_id.in_(ids)))
            if records:
                conn.execute(
                    insert(hub_session),
                    [{"session_id": sid, "record": data, "updated_at": now} for sid, data in records.items()],
                )

    def dispose(self) -> None:
        self.engine.dispose()
