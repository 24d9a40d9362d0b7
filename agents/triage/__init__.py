"""Deterministic clinical triage: red flags, vitals, negation, follow-up questions.

    from agents.triage import assess, follow_up_question
    result = assess("crushing chest pain going down my left arm", age=58)
    result.level  # Level.emergency_ambulance

Pure functions over protocol data files (``protocols/*.yaml``, ``lexicon.yaml``)
that are read once per process. Depends on nothing else in the project.
"""

from __future__ import annotations

from agents.triage.assessment import Assessment
from agents.triage.engine import assess, follow_up_question
from agents.triage.levels import Level, Urgency
from agents.triage.protocols import ProtocolError, load

PROTOCOL_VERSION: str = load().version

__all__ = [
    "PROTOCOL_VERSION",
    "Assessment",
    "Level",
    "ProtocolError",
    "Urgency",
    "assess",
    "follow_up_question",
]
