"""Where audit entries go: the seam between the code that writes them and the trail that keeps them.

Two implementations: `AuditTrail` (store.py) commits to the database and returns when the entry is durable;
`SpoolingTrail` (spool.py) does the same within a bounded wait, or writes the entry to an fsync'd spool that
is replayed later (issue 16). Either way an entry's audit id is returned only once the entry is durable.

The spooling trail also keeps `TurnMarkers`: a durable marker per received message, so that a message whose
process died before its record was written is recorded as interrupted at the next start. `markers` is None
for a sink that keeps none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from compliance.audit.records import TurnRecord
    from compliance.audit.sections import AccessEvent, ErrorEvent


class TurnMarkers(Protocol):
    def begin_turns(self, markers: list[dict[str, Any]]) -> list[None]:
        """`received` markers (spool.received_marker), on disk when this returns."""
        ...

    def update_turns(self, updates: list[dict[str, Any]]) -> list[None]:
        """What the patient was told so far (spool.told_update), for messages still without a record."""
        ...


class AuditSink(Protocol):
    def record_turn(self, record: TurnRecord) -> str:
        """The one `turn` entry for a user message; its audit id."""
        ...

    def record_turns(self, records: list[TurnRecord]) -> list[str]:
        """Several turns' entries written together (group commit); their audit ids, in order."""
        ...

    def record_access(self, event: AccessEvent) -> str:
        """Who viewed, listed, re-identified, verified or exported what (kind `access`, or `export`)."""
        ...

    def record_error(self, event: ErrorEvent) -> str: ...

    def append(
        self,
        kind: str,
        body: dict[str, Any],
        *,
        session_id: str | None = None,
        message_id: str | None = None,
        urgency: str | None = None,
        level: str | None = None,
        actor: str | None = None,
    ) -> str:
        """One entry of any kind (denials.py, consent.py); its audit id."""
        ...

    @property
    def markers(self) -> TurnMarkers | None:
        """The received markers this sink keeps, or None."""
        ...
