"""The red-flag screen of a message the service is too busy to start (app/admission.py), and its refusal record.

Before a message is refused as busy it is read exactly as the graph's redact and assess nodes would read it: the
same redactor with the conversation's placeholder vault, the same clinical engine over the conversation's earlier
messages (read from the checkpoint), in the conversation's language. So the screen cannot miss an emergency the
full turn would find: it is the same function on the same input. A cheaper screen (the phrase rules alone, or the
raw text) was not taken: redaction can change what the engine reads, and a conversation's earlier messages can
make a new one an emergency. It costs what the first two nodes cost (about 1.5 ms).

An emergency is then admitted and runs the whole graph (the fixed emergency script, no model call) on the screen's
reading: its redact and assess nodes take the screen's redaction and assessment instead of doing the same work
twice, unless the conversation moved on between the two (`reading_of`; then they read it again). Under load most
of a busy service's screened messages are emergencies, so this is the work saved where it counts. Unless it is a
follow-up to the emergency the conversation was already told of, with no new reason and nothing more urgent
(`repeats_emergency`): that one is answered at once with the fixed script again, from the screen, without a turn
(agents/runner.py `repeat_emergency`), so that a busy service does not run every later message of an emergency
conversation as a whole turn over its bound. It is not saved in the conversation (the emergency it follows is),
and its one audit record says why. Anything else is refused: nothing is saved in the conversation (the patient
sends it again), and its one audit record is a `turn` entry with status `error` and error `busy`, route `busy`,
carrying the redacted text and the screen's assessment (why it was safe to refuse).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import cast

from langchain_core.runnables import RunnableConfig

from agents.audit_record import turn_record
from agents.deps import AgentDeps
from agents.graph import TriageGraph
from agents.nodes.assess import conversation_language
from agents.nodes.route import already_told
from agents.state import TriageState, Turn, TurnTrace
from agents.triage import Assessment
from agents.triage import assess as clinical_assess
from compliance.audit import TurnRecord
from compliance.phi import PlaceholderVault, Redaction

BUSY = "busy"


@dataclass(frozen=True)
class Screening:
    """A message read by the screen: its trace (redacted text, assessment) and the clinical engine's verdict."""

    trace: TurnTrace
    assessment: Assessment
    conversation: tuple[Turn, ...]
    """The conversation as saved, and this message (redacted) as its last turn."""
    repeats_emergency: bool
    """An emergency the conversation was already told of, with no new reason and nothing more urgent."""
    redaction: Redaction
    """The message redacted with `vault`."""
    vault: PlaceholderVault
    """The conversation's placeholder vault, this message's placeholders added."""
    saved_vault: bytes | None
    """The vault as the conversation's state held it when the screen read it."""

    def reading_of(self, state: TriageState) -> tuple[PlaceholderVault, Redaction] | None:
        """The screen's vault and redaction, if it read this very state (no turn of the conversation between)."""
        if state.get("vault") != self.saved_vault or tuple(state.get("conversation", [])) != self.conversation[:-1]:
            return None
        return self.vault, self.redaction

    @property
    def is_emergency(self) -> bool:
        return self.assessment.is_emergency


async def screen(
    graph: TriageGraph, deps: AgentDeps, trace: TurnTrace, raw_text: str, config: RunnableConfig
) -> Screening:
    """Redact and assess `raw_text` as the next message of the conversation under `config`; save nothing."""
    started = time.perf_counter()
    snapshot = await graph.aget_state(config)
    state = cast(TriageState, snapshot.values or {})
    blob = state.get("vault")
    vault = PlaceholderVault.decrypt(blob, deps.vault_key) if blob else PlaceholderVault()
    result = deps.redactor.redact(raw_text, vault, language=trace.language)
    trace.message.redacted_text = result.redacted
    trace.message.redaction_counts = result.counts
    trace.language = conversation_language(state, trace.language, result.redacted)
    conversation = state.get("conversation", [])
    history = [turn["content"] for turn in conversation if turn["role"] == "user"]
    assessment = clinical_assess(result.redacted, history=history, lang=trace.language)
    trace.assessment = assessment
    trace.response.node_ms["screen"] = round((time.perf_counter() - started) * 1000, 3)
    return Screening(
        trace,
        assessment,
        (*conversation, {"role": "user", "content": result.redacted}),
        already_told(state.get("emergency_told"), assessment),
        result,
        vault,
        blob,
    )


def refusal_record(screening: Screening, reason: str) -> TurnRecord:
    """The refused message's one audit record."""
    trace = screening.trace
    trace.routing.route, trace.routing.reason = BUSY, reason
    return turn_record(trace, status="error", error=BUSY)
