"""Audit exports: CSV, JSON Lines and a FHIR R4 Bundle of AuditEvent, streamed in chunks of text.

`export_stream(trail, fmt, where, requester)` records the export itself as an audit event first (so an export
can never happen unrecorded), then yields the file piece by piece; nothing holds the whole range in memory.
"""

from compliance.export.formats import FORMATS, ExportFormat, UnknownFormat, media_type, parse_format
from compliance.export.run import Requester, export_stream

__all__ = ["FORMATS", "ExportFormat", "Requester", "UnknownFormat", "export_stream", "media_type", "parse_format"]
