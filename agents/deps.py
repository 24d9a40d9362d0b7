"""The long-lived parts every turn uses, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.engines.router import Router
from agents.guard import default_judge
from compliance.audit.sink import AuditSink
from compliance.audit.writer import TurnWriter
from compliance.keys import KeyRing
from compliance.phi import Redactor


@dataclass(frozen=True)
class AgentDeps:
    redactor: Redactor
    router: Router
    trail: AuditSink
    """Where the turns' records go: the spooling trail in the service (compliance/audit/sink.py)."""
    vault_key: bytes | KeyRing
    """The vault key, or the ring of the current and retired ones (compliance/keys.py)."""
    history_turns: int = 12
    writer: TurnWriter = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "writer", TurnWriter(self.trail))
        default_judge()  # the output guard's rules, compiled now rather than on the first answer
