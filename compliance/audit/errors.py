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


class ChainDiverged(AuditError):
    """The database's chain head is not where this process left it (it went backwards, vanished, or the entry
    this process last wrote is gone or different): the database was replaced, restored or truncated. Nothing is
    written to it, so no second chain is started; the spooling trail keeps the entries and raises the alarm."""


class WriteAbandoned(AuditError):
    """The caller gave up on a write before it committed (compliance/audit/spool.py); nothing was written."""


class MissingDatabase(AuditError):
    """There is no audit database (or no audit schema in it) where one was expected; none was created."""
