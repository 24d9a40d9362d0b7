"""Tamper-evident audit trail (never raw PHI): typed sections, HMAC chain, signed checkpoints, retention."""

from compliance.audit.errors import (
    AuditError,
    ChainDiverged,
    InvalidFilter,
    MissingDatabase,
    PurgeError,
    SchemaError,
    WriteAbandoned,
)
from compliance.audit.models import AuditAnchor, AuditEntry, AuditHead
from compliance.audit.query import KINDS, URGENCIES, EntryFilter, StoredEntry
from compliance.audit.records import TurnRecord, flat_turn
from compliance.audit.retention import PurgeReport
from compliance.audit.sections import (
    AccessEvent,
    Assessment,
    ConditionConsidered,
    EngineAttempt,
    ErrorEvent,
    MessageReceived,
    Response,
    Routing,
    TurnError,
    TurnStatus,
)
from compliance.audit.store import AuditTrail, NewEntry
from compliance.audit.verify import Problem, VerifyReport

__all__ = [
    "KINDS", "URGENCIES", "AccessEvent", "Assessment", "AuditAnchor", "AuditEntry", "AuditError", "AuditHead",
    "AuditTrail", "ConditionConsidered", "EngineAttempt", "EntryFilter", "ErrorEvent", "InvalidFilter", "MessageReceived", "Problem",
    "PurgeError", "PurgeReport", "Response", "Routing", "SchemaError", "StoredEntry", "TurnError", "TurnRecord",
    "TurnStatus", "VerifyReport", "flat_turn",
    "ChainDiverged", "MissingDatabase", "NewEntry", "WriteAbandoned",
]
