"""JSON Lines: one entry per line, its envelope columns, the stored content and the chain fields."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from compliance.audit import StoredEntry
from compliance.audit.chain import timestamp

CHUNK = 500


def line(entry: StoredEntry) -> str:
    record = {
        "seq": entry.seq,
        "audit_id": entry.audit_id,
        "kind": entry.kind,
        "recorded_at": timestamp(entry.recorded_at),
        "session_id": entry.session_id,
        "message_id": entry.message_id,
        "urgency": entry.urgency,
        "level": entry.level,
        "actor": entry.actor,
        "prev_mac": entry.prev_mac,
        "mac": entry.mac,
    }
    # The content is already canonical JSON text: splice it in rather than parse and re-encode it.
    return (
        json.dumps(record, ensure_ascii=False, separators=(",", ":"))[:-1] + ',"content":' + entry.raw_content + "}\n"
    )


def write(entries: Iterable[StoredEntry]) -> Iterator[str]:
    buffer: list[str] = []
    for entry in entries:
        buffer.append(line(entry))
        if len(buffer) >= CHUNK:
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)
