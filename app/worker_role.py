"""Which process this is in a `triage serve --workers N` (app/supervisor.py), and what that changes at start-up.

A worker is told its index and where its master listens; the rest of the service reads `WorkerRole` rather than
the environment. A process started without one (`triage serve --workers 1`, tests, `create_app()`) is the whole
service, as before.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.worker_link import WorkerLink
from compliance.audit import AuditTrail
from compliance.audit.spool_slots import claim, recover_all

SPOOL_DIR = "audit-spool"


@dataclass(frozen=True)
class WorkerRole:
    """Worker `index` (0 .. N-1) of a service whose master listens on the Unix socket `link_path`."""

    index: int
    link_path: str

    @property
    def name(self) -> str:
        return f"worker-{self.index}"

    def link(self) -> WorkerLink:
        return WorkerLink(self.link_path, self.name)


def spool_dir(settings: Any, worker: WorkerRole | None, store: AuditTrail, stack: AsyncExitStack) -> Path:
    """Where this process spools audit entries and keeps its received markers (compliance/audit/spool_slots.py).

    A worker holds its own slot for its lifetime (its predecessor's markers are recovered by `spooling`). The
    single process uses `<data>/audit-spool`, and first recovers any slot left by an earlier run with workers."""
    base = settings.data_dir / SPOOL_DIR
    if worker is None:
        recover_all(store, base, include_base=False)
        return base
    held = claim(base, worker.index)
    stack.callback(held.release)
    return held.directory
