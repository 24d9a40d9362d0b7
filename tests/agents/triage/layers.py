"""What the class tests share: short names for the five levels, and the level the deterministic layers give a text
(``assess_layers``: the learned layer on top of them is trained and tested apart)."""

from __future__ import annotations

from agents.triage import Level
from agents.triage.engine import assess_layers

A, E, D, R, S = (Level.emergency_ambulance, Level.emergency, Level.consultation_24, Level.consultation, Level.self_care)
EMERGENCY = {A, E}


def level(text: str) -> Level:
    return assess_layers(text)[0].level
