"""One export: record it in the trail, then stream the chosen format over the filtered entries."""

from __future__ import annotations

from collections.abc import Iterator

from compliance.audit import AccessEvent, AuditTrail, EntryFilter
from compliance.export.formats import ExportFormat, parse_format, writer

Requester = AccessEvent


def export_stream(trail: AuditTrail, fmt: str, where: EntryFilter, requester: AccessEvent) -> tuple[str, Iterator[str]]:
    """Validate, record the export (kind `export`) and return (its audit id, the text chunks).

    The record is written before the first byte, so a failed or abandoned download is still on the trail.
    """
    chosen: ExportFormat = parse_format(fmt)
    detail = {
        "format": chosen,
        "since": where.since.isoformat() if where.since else None,
        "until": where.until.isoformat() if where.until else None,
        "session_id": where.session_id,
        "urgency": where.urgency,
    }
    event = requester.model_copy(update={"action": "export", "target": "audit_trail", "detail": {**requester.detail, **detail}})
    audit_id = trail.record_access(event)
    return audit_id, writer(chosen)(trail.entries(where))
