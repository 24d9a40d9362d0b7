"""CSV: one row per entry, the decision fields flattened; lists joined with `;`, the rest of the content as JSON.

Written for spreadsheets as well as programs: `recorded_at` is UTC as `YYYY-MM-DD HH:MM:SS.mmm`, which Excel,
LibreOffice and Google Sheets read as a date and time (the exact instant, to the microsecond, is in the JSON
Lines export); `redacted_text` holds a patient's message, a clinician's consult question, or the text of a
clinician's reply to a patient, each as stored (PHI-redacted); free text that a spreadsheet would run as a
formula is quoted. `bom=True` starts the file with a UTF-8 byte order mark, for Excel's double-click import.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from compliance.audit import StoredEntry

CHUNK = 500
BOM = "\ufeff"
COLUMNS = (
    "seq",
    "audit_id",
    "kind",
    "recorded_at",
    "session_id",
    "message_id",
    "actor",
    "level",
    "urgency",
    "red_flags",
    "protocol_version",
    "route",
    "engine",
    "model",
    "failovers",
    "status",
    "error",
    "token_count",
    "first_token_ms",
    "total_ms",
    "redaction_counts",
    "action",
    "target",
    "source",
    "redacted_text",
    "output_redacted",
    "mac",
)

FREE_TEXT = ("actor", "target", "source", "redacted_text", "output_redacted")


def row(entry: StoredEntry) -> list[Any]:
    content = entry.content
    message = content.get("message") or {}
    assessment = content.get("assessment") or {}
    routing = content.get("routing") or {}
    response = content.get("response") or {}
    access = content.get("access") or content.get("access_denied") or {}
    said = (access.get("detail") or {}).get("redacted_text")  # a clinician's reply, as recorded
    error = content.get("error") or content.get("error_event") or {}
    values: dict[str, Any] = {
        "seq": entry.seq,
        "audit_id": entry.audit_id,
        "kind": entry.kind,
        "recorded_at": spreadsheet_time(entry.recorded_at),
        "session_id": entry.session_id,
        "message_id": entry.message_id,
        "actor": entry.actor,
        "level": entry.level,
        "urgency": entry.urgency,
        "red_flags": ";".join(assessment.get("red_flags") or ()),
        "protocol_version": assessment.get("protocol_version"),
        "route": routing.get("route"),
        "engine": routing.get("engine"),
        "model": routing.get("model"),
        "failovers": routing.get("failovers"),
        "status": response.get("status"),
        "error": error.get("error_type"),
        "token_count": response.get("token_count"),
        "first_token_ms": response.get("first_token_ms"),
        "total_ms": response.get("total_ms"),
        "redaction_counts": json.dumps(message["redaction_counts"], sort_keys=True) if message else None,
        "action": access.get("action"),
        "target": access.get("target"),
        "source": access.get("source"),
        "redacted_text": message.get("redacted_text") or said,
        "output_redacted": response.get("output_redacted"),
        "mac": entry.mac,
    }
    for name in FREE_TEXT:
        values[name] = _defuse(values[name])
    return ["" if values[name] is None else values[name] for name in COLUMNS]


def spreadsheet_time(moment: datetime) -> str:
    """UTC, to the millisecond, in the one form every spreadsheet reads as a date and time."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def _defuse(text: str | None) -> str | None:
    """Spreadsheets run cells starting with = + - @ as formulas: quote such free text (OWASP CSV injection)."""
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def write(entries: Iterable[StoredEntry], *, bom: bool = False) -> Iterator[str]:
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(COLUMNS)
    pending = 1
    for entry in entries:
        out.writerow(row(entry))
        pending += 1
        if pending >= CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()
