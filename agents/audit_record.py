"""Turns a turn trace into the audit record: redacted text, decisions and timings only (the runner writes it)."""

from __future__ import annotations

from agents.state import TurnTrace
from compliance.audit import (
    Assessment,
    EngineAttempt,
    MessageReceived,
    Response,
    Routing,
    TurnError,
    TurnRecord,
    TurnStatus,
)


def turn_record(trace: TurnTrace, *, status: TurnStatus, error: str | None = None) -> TurnRecord:
    return TurnRecord(
        session_id=trace.session_id,
        message_id=trace.message_id,
        actor=trace.actor,
        message=MessageReceived(
            client_msg_id=trace.client_msg_id,
            received_at=trace.received_at,
            audience=trace.audience,
            redacted_text=trace.redacted_text,
            redaction_counts=trace.redaction_counts,
            language=trace.language,
        ),
        # The engine's assessment, dumped as JSON, has the section's fields (and a few the record leaves out):
        # the audit package may not import the engine (the layer contract), so the section reads its JSON.
        assessment=Assessment.model_validate(trace.assessment.model_dump(mode="json") if trace.assessment else {}),
        routing=Routing.of(
            route=trace.route,
            reason=trace.route_reason,
            attempts=[EngineAttempt(**a.model_dump()) for a in trace.attempts],
        ),
        response=Response(
            output_redacted="".join(trace.output),
            token_count=len(trace.output),
            guard_events=list(trace.guard_events),
            first_token_ms=trace.first_token_ms,
            total_ms=round(trace.total_ms(), 3),
            node_ms=dict(trace.node_ms),
            status=status,
        ),
        error=TurnError.of(status, error),
    )
