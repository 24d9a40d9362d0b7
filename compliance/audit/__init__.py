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
    AccessAction,
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
from compliance.audit.sink import AuditSink, TurnMarkers
from compliance.audit.store import AuditTrail, NewEntry
from compliance.audit.verify import Problem, VerifyReport

__all__ = [
    "KINDS",
    "URGENCIES",
    "AccessAction",
    "AccessEvent",
    "Assessment",
    "AuditAnchor",
    "AuditEntry",
    "AuditError",
    "AuditHead",
    "AuditSink",
    "AuditTrail",
    "ChainDiverged",
    "ConditionConsidered",
    "EngineAttempt",
    "EntryFilter",
    "ErrorEvent",
    "InvalidFilter",
    "MessageReceived",
    "MissingDatabase",
    "NewEntry",
    "Problem",
    "PurgeError",
    "PurgeReport",
    "Response",
    "Routing",
    "SchemaError",
    "StoredEntry",
    "TurnError",
    "TurnMarkers",
    "TurnRecord",
    "TurnStatus",
    "VerifyReport",
    "WriteAbandoned",
    "flat_turn",
]
