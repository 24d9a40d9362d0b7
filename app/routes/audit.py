"""`/api/audit`: the compliance officer's read-only view of the trail, its integrity, and exports.

Every response that shows records (lists, a session timeline, an entry, an export) is itself recorded as an
access event: who, what, from where. There is no route that edits or deletes records.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from app.auth import Principal
from app.deps import CompliancePrincipal, TrailDep
from compliance.audit import (
    AccessAction,
    AccessEvent,
    EntryFilter,
    InvalidFilter,
    StoredEntry,
    VerifyReport,
)
from compliance.audit.chain import timestamp
from compliance.audit.spool import SpoolingTrail
from compliance.export import export_stream, media_type
from compliance.export.formats import export_filename

router = APIRouter(prefix="/api/audit", tags=["audit"])

Urgency = Literal["em", "ne", "sc"]
Kind = Literal["turn", "access", "export", "error", "checkpoint", "access_denied", "consent"]
Since = Annotated[datetime | None, Query(description="ISO 8601, inclusive; naive means UTC")]
Until = Annotated[datetime | None, Query(description="ISO 8601, exclusive; naive means UTC")]
SessionId = Annotated[str | None, Query(alias="session", max_length=64)]
SessionPrefix = Annotated[str | None, Query(max_length=64, description="sessions whose id starts with this")]
Actor = Annotated[str | None, Query(max_length=128, description="the staff account behind the entry")]
Levels = Annotated[list[str] | None, Query(alias="level", description="dispositions (repeatable)")]
Statuses = Annotated[
    list[str] | None, Query(alias="status", description="complete, interrupted, error, timeout (repeatable)")
]
Audience = Annotated[
    Literal["patient", "clinician"] | None, Query(description="a patient's message, or a clinician's consult")
]
MAX_PAGE = 500


def _filter(**values: Any) -> EntryFilter:
    try:
        return EntryFilter.parse(**values)
    except InvalidFilter as exc:
        raise HTTPException(422, str(exc)) from None


def _many(values: Sequence[str] | None) -> tuple[str, ...] | None:
    return tuple(values) if values else None


def _access(
    request: Request,
    principal: Principal,
    action: AccessAction,
    target: str,
    session_id: str | None = None,
    **detail: Any,
) -> AccessEvent:
    return AccessEvent(
        actor=principal.subject,
        role=principal.role,
        action=action,
        target=target,
        source=request.client.host if request.client else "",
        session_id=session_id,
        detail={"user_agent": request.headers.get("user-agent", "")[:200], **detail},
    )


def _entry(entry: StoredEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "audit_id": entry.audit_id,
        "kind": entry.kind,
        "recorded_at": timestamp(entry.recorded_at),
        "session_id": entry.session_id,
        "message_id": entry.message_id,
        "urgency": entry.urgency,
        "level": entry.level,
        "actor": entry.actor,
        "content": entry.content,
        "mac": entry.mac,
    }


def _page(trail: SpoolingTrail, where: EntryFilter, limit: int) -> dict[str, Any]:
    rows = trail.page(where, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [_entry(e) for e in rows], "next_cursor": rows[-1].seq if more else None}


@router.get("/decisions")
def list_decisions(
    request: Request,
    principal: CompliancePrincipal,
    trail: TrailDep,
    since: Since = None,
    until: Until = None,
    session_id: SessionId = None,
    urgency: Urgency | None = None,
    kind: Kind = "turn",
    cursor: Annotated[int | None, Query(ge=0, description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    session_prefix: SessionPrefix = None,
    actor: Actor = None,
    level: Levels = None,
    status: Statuses = None,
    audience: Audience = None,
) -> dict[str, Any]:
    """Entries in chain order (turns, i.e. decisions, by default), filtered, a page at a time."""
    where = _filter(
        since=since,
        until=until,
        session_id=session_id,
        urgency=urgency,
        kinds=(kind,),
        after_seq=cursor,
        session_prefix=session_prefix,
        actor=actor,
        levels=_many(level),
        statuses=_many(status),
        audience=audience,
    )
    trail.record_access(
        _access(
            request,
            principal,
            "list",
            "decisions",
            session_id,
            kind=kind,
            urgency=urgency,
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
        )
    )
    return _page(trail, where, limit)


@router.get("/sessions/{session_id}")
def session_timeline(
    request: Request,
    principal: CompliancePrincipal,
    trail: TrailDep,
    session_id: str,
    cursor: Annotated[int | None, Query(ge=0)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = MAX_PAGE,
) -> dict[str, Any]:
    """Everything recorded about one conversation, in order."""
    trail.record_access(_access(request, principal, "view", f"session:{session_id}", session_id))
    return {"session_id": session_id, **_page(trail, EntryFilter(session_id=session_id, after_seq=cursor), limit)}


@router.get("/entries/{audit_id}")
def read_entry(request: Request, principal: CompliancePrincipal, trail: TrailDep, audit_id: str) -> dict[str, Any]:
    entry = trail.get(audit_id)
    if entry is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such audit entry")
    trail.record_access(_access(request, principal, "view", f"entry:{audit_id}", entry.session_id))
    return _entry(entry)


@router.get("/verify")
async def verify_status(_principal: CompliancePrincipal, trail: TrailDep) -> VerifyReport:
    """One streaming pass over the chain: `ok`, how many records, and the first bad one if any."""
    return await run_in_threadpool(trail.verify)


@router.get("/export")
def export(
    request: Request,
    principal: CompliancePrincipal,
    trail: TrailDep,
    format: Literal["csv", "jsonl", "fhir"],  # noqa: A002
    since: Since = None,
    until: Until = None,
    session_id: SessionId = None,
    urgency: Urgency | None = None,
    session_prefix: SessionPrefix = None,
    actor: Actor = None,
    level: Levels = None,
    status: Statuses = None,
    audience: Audience = None,
    kind: Annotated[list[Kind] | None, Query(description="entry kinds (repeatable)")] = None,
    bom: Annotated[bool, Query(description="CSV: start with a UTF-8 byte order mark (for Excel)")] = False,
) -> StreamingResponse:
    """The filtered trail as a download, streamed; recorded as an `export` event before the first byte. The file
    name says the date range and the filter (`triage-audit_2026-12-01_to_2026-12-04_urgency-em.csv`)."""
    where = _filter(
        since=since,
        until=until,
        session_id=session_id,
        urgency=urgency,
        session_prefix=session_prefix,
        actor=actor,
        levels=_many(level),
        statuses=_many(status),
        audience=audience,
        kinds=_many(kind),
    )
    # The export's own record may wait in the spool like any other entry.
    audit_id, chunks = export_stream(
        trail,
        format,
        where,
        _access(request, principal, "export", "audit_trail", session_id),
        bom=bom,
    )
    filename = export_filename(format, where)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "X-Audit-Id": audit_id}
    return StreamingResponse(chunks, media_type=media_type(format), headers=headers)
