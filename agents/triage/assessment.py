"""The clinical engine's verdict: the one typed value the rest of the product reads."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, computed_field

from agents.triage.levels import Level, Urgency


class Assessment(BaseModel):
    model_config = ConfigDict(frozen=True)

    level: Level
    red_flags: tuple[str, ...] = ()
    rationale: str
    missing_info: tuple[str, ...] = ()
    protocol_version: str
    matched_rules: tuple[str, ...] = ()
    """Every rule that held, most urgent first (for audit and evaluation)."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def urgency(self) -> Urgency:
        return self.level.urgency

    @property
    def is_emergency(self) -> bool:
        return self.urgency is Urgency.em
