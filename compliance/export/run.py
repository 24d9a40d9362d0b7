"""One export: record it in the trail, then stream the chosen format over the filtered entries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from compliance.audit import AccessEvent, EntryFilter, StoredEntry
from compliance.export import csv_format
from compliance.export.formats import ExportFormat, parse_format, writer

Requester = AccessEvent


class ExportSource(Protocol):
    """What an export needs of a trail: the chain itself, or the service's spooling trail in front of it."""

    def record_access(self, event: AccessEvent) -> str: ...

    def entries(self, where: EntryFilter | None = None) -> Iterator[StoredEntry]: ...


def export_stream(
    trail: ExportSource, fmt: str, where: EntryFilter, requester: AccessEvent, *, bom: bool = False
) -> tuple[str, Iterator[str]]:
    """Validate, record the export (kind `export`) and return (its audit id, the text chunks).

    The record is written before the first byte, so a failed or abandoned download is still on the trail.
    `bom`: a CSV starts with a UTF-8 byte order mark (for spreadsheets; the other formats never carry one).
    """
    chosen: ExportFormat = parse_format(fmt)
    detail = {
        "format": chosen,
        "since": where.since.isoformat() if where.since else None,
        "until": where.until.isoformat() if where.until else None,
        "session_id": where.session_id,
        "urgency": where.urgency,
        **{
            name: value
            for name, value in (
                ("session_prefix", where.session_prefix),
                ("actor", where.actor),
                ("audience", where.audience),
                ("kinds", ",".join(where.kinds or ())),
                ("levels", ",".join(where.levels or ())),
                ("statuses", ",".join(where.statuses or ())),
            )
            if value
        },
    }
    event = requester.model_copy(
        update={"action": "export", "target": "audit_trail", "detail": {**requester.detail, **detail}}
    )
    audit_id = trail.record_access(event)
    entries = trail.entries(where)
    return audit_id, csv_format.write(entries, bom=True) if chosen == "csv" and bom else writer(chosen)(entries)
