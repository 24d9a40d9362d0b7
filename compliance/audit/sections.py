"""The typed sections of a turn record, and the other event kinds. Redacted text only: never raw PHI.

These are SQLModel (pydantic) models stored as canonical JSON inside the HMAC-chained `audit_entry.content`,
so that one MAC covers every field; the columns needed for filtering are kept beside it (see models.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlmodel import Field, SQLModel

TurnStatus = Literal["complete", "interrupted", "error", "timeout"]
AccessAction = Literal[
    "view",
    "list",
    "reidentify",
    "export",
    "verify",
    "purge",
    "takeover",
    "release",
    "reply",
    "assign",
    "unassign",
    "resolve",
    "reopen",
    "account_create",
    "account_disable",
    "account_enable",
    "account_password",
    "account_role",
]


class EngineAttempt(SQLModel):
    engine: str
    model: str
    outcome: str
    reason: str | None = None
    first_token_ms: float | None = None
    tokens: int = 0
    error_kind: str | None = (
        None  # connect, http_<status>, first_token_timeout, stream_broken, malformed_sse, breaker_open, or a guard rule
    )
    status_code: int | None = None
    retry_after_s: float | None = None
    breaker: str | None = None  # the engine's circuit state when it was asked
    duration_ms: float | None = None
    completed: bool | None = None  # the engine finished its answer
    endpoint: str | None = None  # the server asked, of the engine's pool (its base URL without credentials)


class MessageReceived(SQLModel):
    """The user message as stored: its redacted text and how many spans of each PHI type were replaced."""

    client_msg_id: str | None = None
    received_at: datetime
    audience: str = "patient"
    redacted_text: str = ""
    redaction_counts: dict[str, int] = Field(default_factory=dict)
    language: str | None = None
    """The message's language as every stage read it (compliance/language.py: en, ja or other); None before issue 19."""


class ConditionConsidered(SQLModel):
    """A condition the clinical engine considered, with the findings behind it (clinicians and audit only)."""

    id: str
    name: str
    level: str
    via: str
    findings: list[str] = Field(default_factory=list)


class Assessment(SQLModel):
    """The deterministic clinical decision, with the engine and knowledge versions that made it."""

    level: str | None = None
    urgency: str | None = None
    red_flags: list[str] = Field(default_factory=list)
    rationale: str | None = None
    missing_info: list[str] = Field(default_factory=list)
    protocol_version: str | None = None
    engine_version: str | None = None
    knowledge_version: str | None = None
    findings: list[str] = Field(default_factory=list)
    conditions: list[ConditionConsidered] = Field(default_factory=list)
    scores: dict[str, str] = Field(default_factory=dict)
    needs_clinician: bool = False
    layers: dict[str, str] = Field(default_factory=dict)
    """What each layer of the engine proposed (rules, findings, model), for explaining the level."""


class Routing(SQLModel):
    """Who answered: the route, every engine tried with its outcome, the one used, and how many failovers."""

    route: str | None = None
    reason: str | None = None
    engines_tried: list[EngineAttempt] = Field(default_factory=list)
    engine: str | None = None
    model: str | None = None
    failovers: int = 0

    @classmethod
    def of(cls, *, route: str | None, reason: str | None, attempts: list[EngineAttempt]) -> Routing:
        """The routing section from the engines tried in order: the one used, and how many failed over."""
        tried = [EngineAttempt.model_validate(a) for a in attempts]
        used = next((a for a in reversed(tried) if a.outcome == "used"), None)
        failed = sum(1 for a in tried if a.outcome != "used")
        return cls(
            route=route,
            reason=reason,
            engines_tried=tried,
            engine=used.engine if used else None,
            model=used.model if used else None,
            failovers=failed if used else max(failed - 1, 0),
        )


class Response(SQLModel):
    """What the user got back (redacted), how fast, and whether it finished."""

    output_redacted: str = ""
    token_count: int = 0
    guard_events: list[str] = Field(default_factory=list)
    first_token_ms: float | None = None
    total_ms: float | None = None
    node_ms: dict[str, float] = Field(
        default_factory=dict,
        description="wall ms per graph node; `router_guard`: what the router and output guard added to the first "
        "engine's own first-token time",
    )
    status: TurnStatus = "complete"


class TurnError(SQLModel):
    """Why a turn did not complete (an exception type name or timeout; never message text)."""

    error_type: str
    status: TurnStatus

    @classmethod
    def of(cls, status: TurnStatus, error: str | None) -> TurnError | None:
        """The section for a turn that ended with `status`; None for one that completed without an error."""
        if status in ("error", "timeout") or error:
            return cls(error_type=error or status, status=status)
        return None


class ErrorEvent(SQLModel):
    """An error outside a turn (a socket, a route, a background job): kind `error`."""

    where: str
    error_type: str
    detail: str | None = Field(default=None, description="redacted, short")
    session_id: str | None = None
    message_id: str | None = None


class AccessEvent(SQLModel):
    """Who viewed, re-identified, exported or verified what, from where: kinds `access` and `export`."""

    actor: str
    role: str
    action: AccessAction
    target: str = Field(description="what was touched: a session id, an audit id, 'decisions', 'export'")
    source: str = Field(default="", description="where from: client address, user agent or 'cli@host'")
    session_id: str | None = None
    detail: dict[str, str | int | None] = Field(default_factory=dict)
