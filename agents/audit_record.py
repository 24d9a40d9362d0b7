"""Turns a turn trace into the audit record: redacted text, decisions and timings only."""

from __future__ import annotations

from agents.state import TurnTrace
from compliance.audit import ConditionConsidered, EngineAttempt, TurnRecord, TurnStatus


def turn_record(trace: TurnTrace, *, status: TurnStatus, error: str | None = None) -> TurnRecord:
    assessment = trace.assessment or {}
    plan = trace.plan or {}
    used = next((a for a in reversed(trace.attempts) if a.outcome == "used"), None)
    output = "".join(trace.output)
    return TurnRecord(
        session_id=trace.session_id,
        message_id=trace.message_id,
        client_msg_id=trace.client_msg_id,
        received_at=trace.received_at,
        audience=trace.audience,
        actor=trace.actor,
        redacted_text=trace.redacted_text,
        redaction_counts=trace.redaction_counts,
        language=trace.language,
        level=assessment.get("level"),
        urgency=assessment.get("urgency"),
        red_flags=list(assessment.get("red_flags", ())),
        rationale=assessment.get("rationale"),
        missing_info=list(assessment.get("missing_info", ())),
        protocol_version=assessment.get("protocol_version"),
        engine_version=assessment.get("engine_version"),
        knowledge_version=assessment.get("knowledge_version"),
        findings=list(assessment.get("findings", ())),
        conditions=[ConditionConsidered(**c) for c in assessment.get("conditions", ())],
        scores=dict(assessment.get("scores", {})),
        needs_clinician=bool(assessment.get("needs_clinician", False)),
        layers=dict(assessment.get("layers", {})),
        route=plan.get("kind"),
        route_reason=plan.get("reason"),
        engine=used.engine if used else None,
        model=used.model if used else None,
        engines_tried=[EngineAttempt(**a.model_dump()) for a in trace.attempts],
        output_redacted=output,
        token_count=len(trace.output),
        guard_events=list(trace.guard_events),
        first_token_ms=trace.first_token_ms,
        total_ms=round(trace.elapsed_ms(), 3),
        node_ms=dict(trace.node_ms),
        status=status,
        error=error,
    )
