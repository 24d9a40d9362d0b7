"""Turns a turn trace into the audit record: redacted text, decisions and timings only (the runner writes it)."""

from __future__ import annotations

from datetime import UTC, datetime

from agents.state import TurnTrace
from compliance.audit import (
    Assessment,
    EngineAttempt,
    MessageReceived,
    Routing,
    TurnError,
    TurnRecord,
    TurnStatus,
)


def message_received(client_msg_id: str | None, audience: str, language: str) -> MessageReceived:
    """The record's message section of a message that has just arrived (its text is filled in by redaction)."""
    return MessageReceived(
        client_msg_id=client_msg_id, received_at=datetime.now(UTC), audience=audience, language=language
    )


def turn_record(trace: TurnTrace, *, status: TurnStatus, error: str | None = None) -> TurnRecord:
    return TurnRecord(
        session_id=trace.session_id,
        message_id=trace.message_id,
        actor=trace.actor,
        message=trace.message.model_copy(),
        # The engine's assessment, dumped as JSON, has the section's fields (and a few the record leaves out):
        # the audit package may not import the engine (the layer contract), so the section reads its JSON.
        assessment=Assessment.model_validate(trace.assessment.model_dump(mode="json") if trace.assessment else {}),
        routing=Routing.of(
            route=trace.routing.route,
            reason=trace.routing.reason,
            attempts=[EngineAttempt(**a.model_dump()) for a in trace.attempts],
        ),
        response=trace.response.model_copy(
            update={
                "output_redacted": "".join(trace.output),
                "token_count": len(trace.output),
                "guard_events": list(trace.response.guard_events),
                "total_ms": round(trace.total_ms(), 3),
                "node_ms": dict(trace.response.node_ms),
                "status": status,
            }
        ),
        error=TurnError.of(status, error),
    )
