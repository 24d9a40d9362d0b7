"""The audit trail's errors: a small hierarchy callers can catch as one."""

from __future__ import annotations


class AuditError(Exception):
    """Base of every audit trail error."""


class SchemaError(AuditError):
    """The database schema is missing or could not be migrated."""


class InvalidFilter(AuditError, ValueError):
    """A query or export filter is malformed: inverted range, unknown urgency, bad cursor."""


class PurgeError(AuditError):
    """A purge was refused (for example, a cut-off in the future)."""
