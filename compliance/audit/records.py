"""What the agent reports about one user message, and its split into typed sections.

`TurnRecord` is the flat shape the agent fills in; storage keeps it as sections (sections.py).
Redacted text only: never raw PHI.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from compliance.audit.sections import (
    Assessment,
    ConditionConsidered,
    EngineAttempt,
    MessageReceived,
    Response,
    Routing,
    TurnError,
    TurnStatus,
)

SECTION_NAMES = ("message", "assessment", "routing", "response", "error")


class TurnRecord(BaseModel):
    session_id: str
    message_id: str
    client_msg_id: str | None = None
    received_at: datetime
    audience: str = "patient"
    actor: str | None = None
    """The staff account that asked (a clinician's consult about a patient's session); None for a patient."""
    redacted_text: str = ""
    redaction_counts: dict[str, int] = Field(default_factory=dict)
    language: str | None = None
    """The message's language (en, ja or other): how it was redacted, triaged and answered."""
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
    route: str | None = None
    route_reason: str | None = None
    engine: str | None = None
    model: str | None = None
    engines_tried: list[EngineAttempt] = Field(default_factory=list)
    output_redacted: str = ""
    token_count: int = 0
    guard_events: list[str] = Field(default_factory=list)
    first_token_ms: float | None = None
    total_ms: float | None = None
    node_ms: dict[str, float] = Field(default_factory=dict)
    status: TurnStatus = "complete"
    error: str | None = None

    def sections(self) -> dict[str, Any]:
        """The record as stored: one typed section per concern, JSON-ready."""
        failed = [a for a in self.engines_tried if a.outcome != "used"]
        error = (
            TurnError(error_type=self.error or self.status, status=self.status)
            if self.status in ("error", "timeout") or self.error
            else None
        )
        parts = {
            "message": MessageReceived(
                client_msg_id=self.client_msg_id,
                received_at=self.received_at,
                audience=self.audience,
                redacted_text=self.redacted_text,
                redaction_counts=self.redaction_counts,
                language=self.language,
            ),
            "assessment": Assessment(
                level=self.level,
                urgency=self.urgency,
                red_flags=self.red_flags,
                rationale=self.rationale,
                missing_info=self.missing_info,
                protocol_version=self.protocol_version,
                engine_version=self.engine_version,
                knowledge_version=self.knowledge_version,
                findings=self.findings,
                conditions=self.conditions,
                scores=self.scores,
                needs_clinician=self.needs_clinician,
                layers=self.layers,
            ),
            "routing": Routing(
                route=self.route,
                reason=self.route_reason,
                engines_tried=self.engines_tried,
                engine=self.engine,
                model=self.model,
                failovers=len(failed) if self.engine else max(len(failed) - 1, 0),
            ),
            "response": Response(
                output_redacted=self.output_redacted,
                token_count=self.token_count,
                guard_events=self.guard_events,
                first_token_ms=self.first_token_ms,
                total_ms=self.total_ms,
                node_ms=self.node_ms,
                status=self.status,
            ),
            "error": error,
        }
        return {name: part.model_dump(mode="json") if part is not None else None for name, part in parts.items()}

    @classmethod
    def from_content(cls, content: dict[str, Any]) -> TurnRecord:
        """Back from a stored turn entry's content to the flat record."""
        message, assessment = content["message"], content["assessment"]
        routing, response, error = content["routing"], content["response"], content.get("error")
        return cls(
            session_id=content["session_id"],
            message_id=content["message_id"],
            **message,
            **assessment,
            route=routing["route"],
            route_reason=routing["reason"],
            engine=routing["engine"],
            model=routing["model"],
            engines_tried=routing["engines_tried"],
            **response,
            error=error["error_type"] if error and error["error_type"] != error["status"] else None,
        )


def flat_turn(content: dict[str, Any]) -> dict[str, Any]:
    """A stored turn entry as one flat dict: the envelope (audit_id, kind, recorded_at, ...) plus every section field."""
    flat = {key: value for key, value in content.items() if key not in SECTION_NAMES}
    flat.update(TurnRecord.from_content(content).model_dump(mode="json"))
    return flat
