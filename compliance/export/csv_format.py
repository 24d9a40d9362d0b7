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

from compliance.audit import AccessEvent, ErrorEvent, StoredEntry, TurnRecord
from compliance.audit.denials import KIND as DENIED
from compliance.audit.denials import AccessDenied

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
        "mac": entry.mac,
    }
    if entry.kind == "turn":
        values.update(turn_values(TurnRecord.from_content(entry.content)))
    else:
        values.update(event_values(entry.kind, entry.content))
    for name in FREE_TEXT:
        values[name] = _defuse(values.get(name))
    return ["" if values.get(name) is None else values[name] for name in COLUMNS]


def turn_values(turn: TurnRecord) -> dict[str, Any]:
    """A turn's columns, from its typed sections."""
    return {
        "red_flags": ";".join(turn.assessment.red_flags),
        "protocol_version": turn.assessment.protocol_version,
        "route": turn.routing.route,
        "engine": turn.routing.engine,
        "model": turn.routing.model,
        "failovers": turn.routing.failovers,
        "status": turn.response.status,
        "error": turn.error.error_type if turn.error else None,
        "token_count": turn.response.token_count,
        "first_token_ms": turn.response.first_token_ms,
        "total_ms": turn.response.total_ms,
        "redaction_counts": json.dumps(turn.message.redaction_counts, sort_keys=True),
        "redacted_text": turn.message.redacted_text,
        "output_redacted": turn.response.output_redacted,
    }


def event_values(kind: str, content: dict[str, Any]) -> dict[str, Any]:
    """Another event's columns: who did what to what (access, export, refusal), or which error."""
    if kind in ("access", "export"):
        access = AccessEvent.model_validate(content["access"])
        said = access.detail.get("redacted_text")  # a clinician's reply, as recorded
        return {"action": access.action, "target": access.target, "source": access.source, "redacted_text": said}
    if kind == DENIED:
        denied = AccessDenied.model_validate(content[DENIED])
        return {"target": denied.target, "source": denied.source}
    if kind == "error":
        return {"error": ErrorEvent.model_validate(content["error_event"]).error_type}
    return {}


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
