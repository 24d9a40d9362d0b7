"""The export formats and what each is called on the wire."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Literal

from compliance.audit import InvalidFilter, StoredEntry
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
