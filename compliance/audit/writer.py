"""The agent's way into the trail: each message's `received` marker, what the patient was told, and its turn
record, committed in groups."""

from __future__ import annotations

import asyncio
from datetime import datetime

from compliance.audit.group_commit import GroupCommit
from compliance.audit.records import TurnRecord
from compliance.audit.spool import received_marker, told_update
from compliance.audit.store import AuditTrail


class TurnWriter:
    def __init__(self, trail: AuditTrail) -> None:
        self._records: GroupCommit[TurnRecord, str] = GroupCommit(trail.record_turns)
        # Only the spooling trail (app/main.py) keeps received markers; a bare trail has none to write.
        begin_turns = getattr(trail, "begin_turns", None)
        update_turns = getattr(trail, "update_turns", None)
        self._markers: GroupCommit[dict, None] | None = GroupCommit(begin_turns) if begin_turns else None
        self._updates: GroupCommit[dict, None] | None = GroupCommit(update_turns) if update_turns else None

    def received(self, session_id: str, message_id: str, client_msg_id: str | None, received_at: datetime,
                 audience: str) -> asyncio.Future[None] | None:
        """The durable marker that a message arrived (None when the trail keeps none); done once it is on disk."""
        if self._markers is None:
            return None
        return self._markers.submit(received_marker(session_id, message_id, client_msg_id, received_at, audience))

    def told(self, record: TurnRecord) -> asyncio.Future[None] | None:
        """Add to the message's marker what the patient has been told so far (the turn as it stands, status
        aside): a record made after a crash then carries it. None when the trail keeps no markers."""
        if self._updates is None:
            return None
        return self._updates.submit(told_update(record))

    def record(self, record: TurnRecord) -> asyncio.Future[str]:
        """The turn's one record; the future holds its audit id once committed."""
        return self._records.submit(record)

    async def drain(self) -> None:
        await self._records.drain()
        for group in (self._markers, self._updates):
            if group is not None:
                await group.drain()
