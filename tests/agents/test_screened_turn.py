"""An emergency the admission screen read (agents/screen.py) and the service then admitted over its bound runs on the
screen's reading: the message is redacted and assessed once, not twice, exactly when the service is busiest. If
the conversation moved on between the screen and the turn, the turn reads the message again.

The real graph, runner, redactor and clinical engine over a real SQLite audit trail; the engine and the redactor
are wrapped only to count their calls.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from cryptography.fernet import Fernet
from langgraph.checkpoint.memory import InMemorySaver

import agents.nodes.assess
import agents.screen
from agents.deps import AgentDeps
from agents.engines.local import emergency_script, local_engine
from agents.engines.router import Router
from agents.graph import build_graph
from agents.runner import TriageAgent
from compliance.audit import AuditTrail, flat_turn
from compliance.phi import Redactor

EMERGENCY = "This is Margaret Okafor, I have crushing chest pain spreading to my left arm and I am sweating"
EARLIER = "I have had a cough for a week"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch, redactor: Redactor) -> Counter[str]:
    """How many times the clinical engine assessed, and the redactor redacted, each text."""
    counts: Counter[str] = Counter()
    real_assess, real_redact = agents.nodes.assess.clinical_assess, redactor.redact

    def assess(text: str, **kwargs: Any) -> Any:
        counts[f"assess:{text}"] += 1
        return real_assess(text, **kwargs)

    def redact(text: str, *args: Any, **kwargs: Any) -> Any:
        counts[f"redact:{text}"] += 1
        return real_redact(text, *args, **kwargs)

    monkeypatch.setattr(agents.nodes.assess, "clinical_assess", assess)
    monkeypatch.setattr(agents.screen, "clinical_assess", assess)
    monkeypatch.setattr(redactor, "redact", redact)
    return counts


def assessed(reads: Counter[str], words: str) -> int:
    """The engine's reads of the message with these words (it reads the redacted text)."""
    return sum(n for key, n in reads.items() if key.startswith("assess:") and words in key)


def make_agent(trail: AuditTrail, redactor: Redactor) -> tuple[TriageAgent, Any]:
    router = Router([local_engine()], emergency_script(), first_token_timeout_s=5, total_timeout_s=10)
    graph = build_graph(InMemorySaver())
    deps = AgentDeps(redactor=redactor, router=router, trail=trail, vault_key=Fernet.generate_key())
    return TriageAgent(graph, deps), graph


async def run(agent: TriageAgent, text: str, **kwargs: Any) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []

    async def collect(frame: dict[str, Any]) -> None:
        frames.append(frame)

    await agent.handle_message("s-1", text, collect, client_msg_id=f"c-{text[:8]}", **kwargs)
    return frames


def records(trail: AuditTrail) -> list[dict[str, Any]]:
    return [flat_turn(entry.content) for entry in trail.entries() if entry.kind == "turn"]


async def saved_conversation(graph: Any) -> list[dict[str, str]]:
    snapshot = await graph.aget_state({"configurable": {"thread_id": "s-1"}})
    return snapshot.values["conversation"]


async def test_an_emergency_admitted_after_the_screen_is_read_once(trail, redactor, reads):
    agent, graph = make_agent(trail, redactor)
    await run(agent, EARLIER)
    screening = await agent.screen("s-1", EMERGENCY, client_msg_id="c-em")
    assert screening.is_emergency
    frames = await run(agent, EMERGENCY, screened=screening)

    assert reads[f"redact:{EMERGENCY}"] == 1 and assessed(reads, "crushing chest pain") == 1
    triage = frames[0]
    assert (
        triage["type"] == "triage" and triage["urgency"] == "em" and triage["message_id"] == screening.trace.message_id
    )
    assert frames[-1]["type"] == "done" and frames[-1]["engine"] == "emergency_script"
    record = records(trail)[-1]
    assert record["message_id"] == screening.trace.message_id and record["status"] == "complete"
    assert record["urgency"] == "em" and "screen" in record["node_ms"]
    assert "Okafor" not in record["redacted_text"] and "<PERSON_1>" in record["redacted_text"]
    # the conversation keeps the redacted message once, after the earlier one, and its vault the name's placeholder
    conversation = await saved_conversation(graph)
    assert [turn["content"] for turn in conversation if turn["role"] == "user"] == [EARLIER, record["redacted_text"]]
    assert len(records(trail)) == 2


async def test_a_conversation_that_moved_on_since_the_screen_is_read_again(trail, redactor, reads):
    agent, graph = make_agent(trail, redactor)
    screening = await agent.screen("s-1", EMERGENCY, client_msg_id="c-em")
    await run(agent, EARLIER)  # another socket of the same session, between the screen and the turn
    frames = await run(agent, EMERGENCY, screened=screening)

    assert reads[f"redact:{EMERGENCY}"] == 2 and assessed(reads, "crushing chest pain") == 2
    assert frames[0]["urgency"] == "em"
    conversation = await saved_conversation(graph)
    users = [turn["content"] for turn in conversation if turn["role"] == "user"]
    assert len(conversation) == 4 and users[0] == EARLIER  # each message and its answer, in the order they ran
