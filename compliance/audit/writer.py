"""The agent's way into the trail: each message's `received` marker, what the patient was told, and its turn
record, committed in groups."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from compliance.audit.group_commit import GroupCommit
from compliance.audit.records import TurnRecord
from compliance.audit.sink import AuditSink
from compliance.audit.spool import received_marker, told_update


class TurnWriter:
    def __init__(self, sink: AuditSink) -> None:
        self._records: GroupCommit[TurnRecord, str] = GroupCommit(sink.record_turns)
        # Only the spooling trail (app/main.py) keeps received markers; a plain trail has none to write.
        markers = sink.markers
        self._markers: GroupCommit[dict[str, Any], None] | None = None
        self._updates: GroupCommit[dict[str, Any], None] | None = None
        if markers is not None:
            self._markers, self._updates = GroupCommit(markers.begin_turns), GroupCommit(markers.update_turns)

    def received(
        self, session_id: str, message_id: str, client_msg_id: str | None, received_at: datetime, audience: str
    ) -> asyncio.Future[None] | None:
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
