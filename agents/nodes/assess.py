"""Node 2: the deterministic clinical engine decides the disposition; the triage frame goes out at once.

The assessment is the turn's (runtime context and trace); the state keeps only the conversation's language. A
message the admission screen read from this same state keeps the screen's assessment (the redact node checked).
"""

from __future__ import annotations

from langgraph.runtime import Runtime

from agents.nodes.frames import triage_frame
from agents.state import TriageState, TurnContext
from agents.timing import timed
from agents.triage import assess as clinical_assess


def prior_user_turns(state: TriageState) -> list[str]:
    return [turn["content"] for turn in state.get("conversation", [])[:-1] if turn["role"] == "user"]


def conversation_language(state: TriageState, detected: str, text: str) -> str:
    """The message's language; a message without words ("38.5", "120/80") keeps the conversation's."""
    if not any(ch.isalpha() for ch in text):
        return state.get("language", detected)
    return detected


async def assess(state: TriageState, runtime: Runtime[TurnContext]) -> TriageState:
    trace = runtime.context.trace
    screened = runtime.context.screened
    with timed(trace, "assess"):
        if screened is not None:  # the screen set the trace's language as below
            assessment = screened.assessment
        else:
            current = state["conversation"][-1]["content"]
            trace.language = conversation_language(state, trace.language, current)
            assessment = clinical_assess(current, history=prior_user_turns(state), lang=trace.language)
        runtime.context.assessment = trace.assessment = assessment
    await runtime.context.emit(triage_frame(trace, assessment))
    return {"language": trace.language}
