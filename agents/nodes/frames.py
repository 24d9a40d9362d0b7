"""What the answering nodes share (not a node): the turn's request to an engine, and its `token` frames.

Every piece of an answer goes to the client as it is made and onto the trace, which the audit record reads, so
what went out and what is recorded are the same text, an interrupted turn included.
"""

from __future__ import annotations

import time
from typing import Any

from agents.engines.base import GenerationRequest
from agents.state import TriageState, TurnContext, TurnTrace
from agents.triage import Assessment, finding_name, follow_up_question, red_flag_name


def triage_frame(trace: TurnTrace, assessment: Assessment) -> dict[str, Any]:
    """The turn's `triage` frame: the clinical engine's disposition, sent before any answer."""
    return {
        "type": "triage",
        "message_id": trace.message_id,
        "level": assessment.level.value,
        "urgency": assessment.urgency.value,
        "red_flags": list(assessment.red_flags),
        "rationale": assessment.rationale,
        "missing_info": list(assessment.missing_info),
        "needs_clinician": assessment.needs_clinician,
        # The message as stored (identifiers replaced): what a client may keep of it, never the raw text.
        "redacted_text": trace.message.redacted_text,
        # For the clinician queue only (app/routes/chat.py's STAFF_ONLY keeps these from the patient): red
        # flags and findings by name, and the conditions behind the level with their findings.
        "red_flag_labels": [{"id": f, "name": red_flag_name(f)} for f in assessment.red_flags],
        "findings": [{"id": f, "name": finding_name(f)} for f in assessment.findings],
        "conditions": [
            {
                "name": c.name,
                "level": c.level.value,
                "via": c.via,
                "findings": [finding_name(f) for f in c.findings],
            }
            for c in assessment.conditions[:5]
        ],
    }


def build_request(state: TriageState, ctx: TurnContext) -> GenerationRequest:
    assessment = ctx.assessed()
    turns = state["conversation"][-ctx.deps.history_turns :]
    language = "ja" if ctx.trace.language == "ja" else "en"  # any other language is answered in English
    return GenerationRequest.model_validate(
        {
            "assessment": assessment,
            "conversation": turns,  # validated into ChatTurns by pydantic's core, faster than one by one here
            "follow_up_questions": tuple(follow_up_question(key, language) for key in assessment.missing_info),
            "audience": ctx.trace.message.audience,
            "language": language,
        }
    )


class TokenFrames:
    """Sends an answer's pieces as `token` frames, keeps them on the trace, and times the node that sends them."""

    __slots__ = ("_emit", "_message_id", "_output", "_trace", "first_frame_at", "started")

    def __init__(self, ctx: TurnContext) -> None:
        self._trace: TurnTrace = ctx.trace
        self._emit = ctx.emit
        self._message_id = ctx.trace.message_id
        self._output = ctx.trace.output
        self.started = time.perf_counter()
        #: When the turn's first frame was written (None until then, or if an earlier node wrote it).
        self.first_frame_at: float | None = None

    async def send(self, text: str) -> None:
        if not text:
            return
        trace = self._trace
        self._output.append(text)
        first = trace.response.first_token_ms is None
        if first:
            trace.response.first_token_ms = round(trace.elapsed_ms(), 3)
        await self._emit({"type": "token", "message_id": self._message_id, "text": text})
        if first:
            self.first_frame_at = time.perf_counter()

    def done(self, node: str) -> None:
        """Record the node's wall time, and what the router and the output guard added to the engine's first token
        (issue 5's target): from the node's start to the first frame written, less the engine's request -> first
        chunk (`router_guard`)."""
        trace = self._trace
        trace.response.node_ms[node] = round((time.perf_counter() - self.started) * 1000, 3)
        first = trace.attempts[0] if trace.attempts else None
        if self.first_frame_at is not None and first is not None and first.first_token_ms is not None:
            added = (self.first_frame_at - self.started) * 1000 - first.first_token_ms
            trace.response.node_ms["router_guard"] = round(added, 3)
