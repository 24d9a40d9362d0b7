"""Refused access as audit events (kind `access_denied`): who tried what, from where, and why it was refused.

A small addition beside the trail: it appends through any `AuditSink` (sink.py), so a denial is chained,
verified and exported like every other entry.
"""

from __future__ import annotations

from typing import Literal

from sqlmodel import Field, SQLModel

from compliance.audit.sink import AuditSink

KIND = "access_denied"
DenialReason = Literal["unauthenticated", "forbidden", "origin", "csrf", "resume_rejected", "bad_credentials"]


class AccessDenied(SQLModel):
    actor: str = Field(description="the token's subject, or 'anonymous'")
    role: str | None = None
    channel: Literal["http", "websocket"]
    method: str | None = None
    target: str = Field(description="the path asked for (never its query string: it may carry tokens)")
    status: int = Field(description="HTTP status, or the WebSocket close code")
    reason: DenialReason
    source: str = Field(default="", description="client address")
    session_id: str | None = None


def record_denial(sink: AuditSink, event: AccessDenied) -> str:
    """Append one `access_denied` entry; durable when it returns (or spooled, with the spooling trail)."""
    return sink.append(KIND, {KIND: event.model_dump(mode="json")}, session_id=event.session_id, actor=event.actor)
