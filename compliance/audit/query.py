"""Reading the trail: filters, and a streamed, ordered iteration over the stored entries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator
from sqlalchemy import Connection, Select, String, and_, not_, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from compliance.audit.errors import InvalidFilter
from compliance.audit.fastjson import loads
from compliance.audit.models import ENTRY_TABLE

Urgency = Literal["em", "ne", "sc"]
URGENCIES: tuple[str, ...] = ("em", "ne", "sc")
KINDS: tuple[str, ...] = (
    "turn",
    "access",
    "export",
    "error",
    "checkpoint",
    "access_denied",
    "consent",
)  # the last two: denials.py, consent.py
LEVELS: tuple[str, ...] = ("emergency_ambulance", "emergency", "consultation_24", "consultation", "self_care")
STATUSES: tuple[str, ...] = ("complete", "interrupted", "error", "timeout")
Audience = Literal["patient", "clinician"]
#: Consults recorded before they were filed under the patient's session had a thread of their own as session.
LEGACY_CONSULT_PREFIX = "consult:"
STREAM_BATCH = 1000

T = ENTRY_TABLE
COLUMNS = (
    T.c.seq,
    T.c.audit_id,
    T.c.kind,
    T.c.recorded_at,
    T.c.session_id,
    T.c.message_id,
    T.c.urgency,
    T.c.level,
    T.c.actor,
    T.c.content,
    T.c.prev_mac,
    T.c.mac,
    T.c.key_id,
)


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC; aware ones are converted."""
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:  # year 1 with a positive offset: a ValueError so callers answer 422, not 500
        raise ValueError(f"date out of range: {moment.isoformat()}") from None


class EntryFilter(BaseModel):
    """Which entries: `since` inclusive, `until` exclusive, both UTC instants; `after_seq` (oldest first) and
    `before_seq` (newest first) for keyset paging.

    `session_prefix` matches sessions whose id starts with it (the review page shows ids cut short); `actor` is
    the staff account behind an entry; `levels` and `statuses` are a turn's disposition and how its answer ended;
    `audience` tells a patient's message from a clinician's consult (a turn with an actor)."""

    model_config = ConfigDict(frozen=True)

    since: datetime | None = None
    until: datetime | None = None
    session_id: str | None = None
    session_prefix: str | None = None
    urgency: Urgency | None = None
    levels: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    actor: str | None = None
    audience: Audience | None = None
    kinds: tuple[str, ...] | None = None
    after_seq: int | None = None
    before_seq: int | None = None

    @model_validator(mode="after")
    def _check(self) -> EntryFilter:
        if self.since is not None:
            object.__setattr__(self, "since", as_utc(self.since))
        if self.until is not None:
            object.__setattr__(self, "until", as_utc(self.until))
        if self.since is not None and self.until is not None and self.since > self.until:
            raise ValueError("inverted time range: since is after until")
        for name, given, known in (
            ("kind", self.kinds, KINDS),
            ("level", self.levels, LEVELS),
            ("status", self.statuses, STATUSES),
        ):
            unknown = set(given or ()) - set(known)
            if unknown:
                raise ValueError(f"unknown {name}: {', '.join(sorted(unknown))}")
        return self

    @classmethod
    def parse(cls, **values: Any) -> EntryFilter:
        """Like the constructor, but any problem is an `InvalidFilter` with a readable message."""
        try:
            return cls(**values)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            errors = getattr(exc, "errors", None)
            if callable(errors):
                message = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'filter'}: {e['msg']}" for e in errors())
            else:
                message = str(exc)
            raise InvalidFilter(message.replace("Value error, ", "")) from None

    def apply(self, query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
        if self.since is not None:
            query = query.where(T.c.recorded_at >= self.since)
        if self.until is not None:
            query = query.where(T.c.recorded_at < self.until)
        if self.session_id is not None:
            query = query.where(T.c.session_id == self.session_id)
        if self.session_prefix:
            query = query.where(T.c.session_id.startswith(self.session_prefix, autoescape=True))
        if self.urgency is not None:
            query = query.where(T.c.urgency == self.urgency)
        if self.levels:
            query = query.where(T.c.level.in_(self.levels))
        if self.statuses:
            query = query.where(T.c.kind == "turn", ContentText("response", "status").in_(self.statuses))
        if self.actor is not None:
            query = query.where(T.c.actor == self.actor)
        if self.audience is not None:
            consult = and_(
                T.c.kind == "turn",
                or_(T.c.actor.is_not(None), T.c.session_id.startswith(LEGACY_CONSULT_PREFIX, autoescape=True)),
            )
            query = query.where(consult if self.audience == "clinician" else and_(T.c.kind == "turn", not_(consult)))
        if self.kinds:
            query = query.where(T.c.kind.in_(self.kinds))
        if self.after_seq is not None:
            query = query.where(T.c.seq > self.after_seq)
        if self.before_seq is not None:
            query = query.where(T.c.seq < self.before_seq)
        return query


class ContentText(ColumnElement[str]):
    """A text field inside an entry's JSON `content`, by a fixed path of keys (never user input), in SQL."""

    inherit_cache = True
    type = String()

    def __init__(self, *path: str) -> None:
        if not all(key.isidentifier() for key in path):  # they are written into the SQL
            raise ValueError(f"a JSON path is made of identifiers, not {path!r}")
        self.path = path


@compiles(ContentText, "sqlite")
def _content_text_sqlite(element: ContentText, compiler: Any, **kw: Any) -> str:
    return f"json_extract({compiler.process(T.c.content, **kw)}, '$.{'.'.join(element.path)}')"


@compiles(ContentText, "postgresql")
def _content_text_postgresql(element: ContentText, compiler: Any, **kw: Any) -> str:
    return f"(CAST({compiler.process(T.c.content, **kw)} AS JSON) #>> '{{{','.join(element.path)}}}')"


@dataclass(slots=True)
class StoredEntry:
    """One row of the trail as read back."""

    seq: int
    audit_id: str
    kind: str
    recorded_at: datetime
    session_id: str | None
    message_id: str | None
    urgency: str | None
    level: str | None
    actor: str | None
    raw_content: str
    prev_mac: str
    mac: str
    key_id: str | None = None

    @property
    def content(self) -> dict[str, Any]:
        content: dict[str, Any] = loads(self.raw_content)
        return content

    @classmethod
    def from_row(cls, row: Any) -> StoredEntry:
        seq, audit_id, kind, recorded_at, session_id, message_id, urgency, level, actor, content, prev, mac, kid = row
        return cls(
            seq,
            audit_id,
            kind,
            as_utc(recorded_at),
            session_id,
            message_id,
            urgency,
            level,
            actor,
            content,
            prev,
            mac,
            kid,
        )


def entry_query(
    where: EntryFilter | None = None, *, descending: bool = False, limit: int | None = None
) -> Select[*tuple[Any, ...]]:
    query = select(*COLUMNS)
    if where is not None:
        query = where.apply(query)
    query = query.order_by(T.c.seq.desc() if descending else T.c.seq)
    return query.limit(limit) if limit is not None else query


def stream(conn: Connection, query: Select[*tuple[Any, ...]]) -> Iterator[StoredEntry]:
    """Rows in batches from a server-side cursor: memory stays bounded however large the range."""
    result = conn.execution_options(stream_results=True, yield_per=STREAM_BATCH).execute(query)
    for row in result:
        yield StoredEntry.from_row(row)
