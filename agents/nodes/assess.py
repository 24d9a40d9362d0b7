"""Node 2: the deterministic clinical engine decides the disposition; the triage frame goes out at once.

The assessment is the turn's (runtime context and trace); the state keeps only the conversation's language.
"""

from __future__ import annotations

from langgraph.runtime import Runtime

from agents.state import TriageState, TurnContext
from agents.timing import timed
from agents.triage import assess as clinical_assess
from agents.triage import finding_name, red_flag_name


def prior_user_turns(state: TriageState) -> list[str]:
    return [turn["content"] for turn in state.get("conversation", [])[:-1] if turn["role"] == "user"]


def conversation_language(state: TriageState, detected: str, text: str) -> str:
    """The message's language; a message without words ("38.5", "120/80") keeps the conversation's."""
    if not any(ch.isalpha() for ch in text):
        return state.get("language", detected)
    return detected


async def assess(state: TriageState, runtime: Runtime[TurnContext]) -> TriageState:
    trace = runtime.context.trace
    with timed(trace, "assess"):
        current = state["conversation"][-1]["content"]
        trace.language = conversation_language(state, trace.language, current)
        assessment = runtime.context.assessment = clinical_assess(
            current, history=prior_user_turns(state), lang=trace.language
        )
        trace.assessment = assessment
    await runtime.context.emit(
        {
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
    )
    return {"language": trace.language}
