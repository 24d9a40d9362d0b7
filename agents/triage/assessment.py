"""The clinical engine's verdict: the one typed value the rest of the product reads."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, computed_field

from agents.triage.levels import Level, Urgency


class ConditionConsidered(BaseModel):
    """A condition the findings suggest (or the text names), for clinicians and the audit record only."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    level: Level
    via: str
    """'named' (the text names or suspects it) or 'pattern' (its key findings are present)."""
    findings: tuple[str, ...] = ()


class Assessment(BaseModel):
    model_config = ConfigDict(frozen=True)

    level: Level
    red_flags: tuple[str, ...] = ()
    rationale: str
    missing_info: tuple[str, ...] = ()
    protocol_version: str
    matched_rules: tuple[str, ...] = ()
    """Every phrase rule that held, most urgent first (for audit and evaluation)."""
    engine_version: str = ""
    knowledge_version: str = ""
    findings: tuple[str, ...] = ()
    """Concept ids taken as the patient's, now (present or suspected), physiology included."""
    conditions: tuple[ConditionConsidered, ...] = ()
    """Conditions considered, most urgent first, with the findings behind each."""
    scores: dict[str, str] = {}
    """Physiological scores that held (NEWS2, qSOFA), with their values."""
    needs_clinician: bool = False
    """The engine could not read the message (no complaint recognised, or not English): a clinician must."""
    layers: dict[str, str] = {}
    """What each layer proposed: 'rules' and 'findings' (a level or 'none'), 'model' (its level and probability)."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def urgency(self) -> Urgency:
        return self.level.urgency

    @property
    def is_emergency(self) -> bool:
        return self.urgency is Urgency.em
