"""The long-lived parts every turn uses, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.engines.router import Router
from compliance.audit import AuditTrail
from compliance.audit.writer import TurnWriter
from compliance.phi import Redactor


@dataclass(frozen=True)
class AgentDeps:
    redactor: Redactor
    router: Router
    trail: AuditTrail
    vault_key: bytes
    history_turns: int = 12
    writer: TurnWriter = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "writer", TurnWriter(self.trail))
