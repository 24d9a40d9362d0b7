"""A patient's consent to the privacy notice as an audit event (kind `consent`).

Like denials.py, a small addition beside the trail: it appends through any `AuditSink` (sink.py), so a consent
is chained, verified and exported like every other entry. It names the session, never the person.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from compliance.audit.sink import AuditSink

KIND = "consent"


class ConsentGiven(SQLModel):
    actor: str = Field(description="'patient:<session id>': the anonymous patient of that session")
    session_id: str
    notice_version: str = Field(description="the version of the privacy notice agreed to (a hash of its text and link)")
    notice_url: str | None = None
    source: str = Field(default="", description="client address")


def record_consent(sink: AuditSink, event: ConsentGiven) -> str:
    """Append one `consent` entry; durable when it returns (or spooled, with the spooling trail)."""
    return sink.append(KIND, {KIND: event.model_dump(mode="json")}, session_id=event.session_id, actor=event.actor)
