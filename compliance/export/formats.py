"""The export formats and what each is called on the wire."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from typing import Literal

from compliance.audit import EntryFilter, InvalidFilter, StoredEntry
from compliance.export import csv_format, fhir, jsonl

ExportFormat = Literal["csv", "jsonl", "fhir"]
Writer = Callable[[Iterable[StoredEntry]], Iterator[str]]

FORMATS: dict[str, tuple[Writer, str, str]] = {
    "csv": (csv_format.write, "text/csv; charset=utf-8", "csv"),
    "jsonl": (jsonl.write, "application/x-ndjson", "jsonl"),
    "fhir": (fhir.write, "application/fhir+json", "json"),
}


class UnknownFormat(InvalidFilter):
    """Asked for a format that is not one of FORMATS."""


def parse_format(name: str) -> ExportFormat:
    if name not in FORMATS:
        raise UnknownFormat(f"unknown export format {name!r}: use one of {', '.join(FORMATS)}")
    return name  # type: ignore[return-value]


def media_type(fmt: ExportFormat) -> str:
    return FORMATS[fmt][1]


def file_suffix(fmt: ExportFormat) -> str:
    return FORMATS[fmt][2]


def writer(fmt: ExportFormat) -> Writer:
    return FORMATS[fmt][0]


def export_filename(fmt: ExportFormat, where: EntryFilter) -> str:
    """A name that says what the file holds: `triage-audit_2026-12-01_to_2026-12-04_urgency-em.csv` (dates are
    UTC days, both inclusive), `triage-audit_all-dates_session-3f2a9c1e.jsonl`."""
    first = where.since.date().isoformat() if where.since else None
    last = (where.until - timedelta(microseconds=1)).date().isoformat() if where.until else None
    dates = (
        f"{first}_to_{last}" if first and last else f"from-{first}" if first else f"to-{last}" if last else "all-dates"
    )
    parts = ["triage-audit", dates]
    for name, value in (
        ("kind", "+".join(where.kinds or ())),
        ("audience", where.audience),
        ("urgency", where.urgency),
        ("level", "+".join(where.levels or ())),
        ("status", "+".join(where.statuses or ())),
        ("actor", where.actor),
        ("session", where.session_id or where.session_prefix),
    ):
        if value:
            parts.append(f"{name}-{_SAFE.sub('-', value)[:40]}")
    return "_".join(parts) + "." + file_suffix(fmt)


_SAFE = re.compile(r"[^A-Za-z0-9.+@-]+")
