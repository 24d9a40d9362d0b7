"""What the class tests share: short names for the five levels, and the level the deterministic layers give a text
(``assess_layers``: the learned layer on top of them is trained and tested apart)."""

from __future__ import annotations

from agents.triage import Level
from agents.triage.engine import assess_layers

A, E, D, R, S = (Level.emergency_ambulance, Level.emergency, Level.consultation_24, Level.consultation, Level.self_care)
EMERGENCY = {A, E}


def level(text: str) -> Level:
    return assess_layers(text)[0].level


def raised(text: str, want: Level) -> str | None:
    """Why the deterministic layers' level is more urgent than a clinician's, or None when it is not (the
    over-triage class tests).

    A message neither layer reads gets the clinician default (``consultation`` or ``consultation_24``), never an
    emergency: that default is tested elsewhere (test_clinical.py), so here it only must not be an emergency.
    """
    a = assess_layers(text)[0]
    unread = a.layers == {"rules": "none", "findings": "none"}
    if a.is_emergency and want.urgency.rank != 0:
        return f"{a.level.value} from {a.red_flags}"
    if not unread and a.urgency.rank < want.urgency.rank:
        return f"{a.level.value} from {a.matched_rules} {[c.id for c in a.conditions]}"
    return None
