"""The long-lived parts every turn uses, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from agents.engines.router import Router
from compliance.audit import AuditTrail
from compliance.phi import Redactor


@dataclass(frozen=True)
class AgentDeps:
    redactor: Redactor
    router: Router
    trail: AuditTrail
    vault_key: bytes
    history_turns: int = 12
