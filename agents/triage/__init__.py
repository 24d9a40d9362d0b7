"""Deterministic clinical triage: findings, context, physiology, conditions, red flags, follow-up questions.

    from agents.triage import assess, follow_up_question
    result = assess("crushing chest pain going down my left arm", age=58)
    result.level       # Level.emergency_ambulance
    result.conditions  # what a clinician sees: conditions considered and the findings behind them
    assess("胸がぎゅーっと痛くて冷や汗が出ています", lang="ja").level   # the Japanese reader (japanese/)

Pure functions over data files read once per process (and at import, so a broken file stops start-up):
the knowledge base (``knowledge/``: concepts, conditions, context triggers, physiology) and the first
engine's phrase rules (``protocols/*.yaml``, ``lexicon.yaml``). Depends on nothing else in the project: the
caller detects a message's language and passes ``lang``.
The design is described in docs/triage-engine.md.
"""

from __future__ import annotations

from agents.triage import knowledge
from agents.triage.assessment import Assessment, ConditionConsidered
from agents.triage.engine import ENGINE_VERSION, assess, follow_up_question
from agents.triage.labels import condition_name, finding_name, red_flag_name
from agents.triage.levels import Level, Urgency
from agents.triage.protocols import ProtocolError, load

PROTOCOL_VERSION: str = load().version
KNOWLEDGE_VERSION: str = knowledge.load().version

__all__ = [
    "ENGINE_VERSION",
    "KNOWLEDGE_VERSION",
    "PROTOCOL_VERSION",
    "Assessment",
    "ConditionConsidered",
    "Level",
    "ProtocolError",
    "Urgency",
    "assess",
    "condition_name",
    "finding_name",
    "follow_up_question",
    "red_flag_name",
]
