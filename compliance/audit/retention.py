"""Retention: purge entries older than a cut-off while keeping the rest of the chain verifiable.

1. Under the chain lock: find the boundary (the last entry recorded before the cut-off, never the head), append
   a signed `checkpoint` (reason `purge`) naming it, and store a signed anchor row (`audit_anchor`).
2. Then delete the entries up to the boundary in batches, outside the lock, so writers are not held up.
   A crash between the two leaves entries the anchor already covers; verify skips them, a rerun deletes them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel
from sqlalchemy import delete, func, insert, select

from compliance.audit.chain import anchor_statement
from compliance.audit.errors import PurgeError
from compliance.audit.models import ANCHOR_TABLE, ENTRY_TABLE
from compliance.audit.query import as_utc

if TYPE_CHECKING:
    from compliance.audit.store import AuditTrail

DELETE_BATCH = 5000
_ENTRY = ENTRY_TABLE
_ANCHOR = ANCHOR_TABLE


class PurgeReport(BaseModel):
    before: datetime
    purged: int
    through_seq: int | None = None
    checkpoint_audit_id: str | None = None


def purge_before(trail: AuditTrail, before: datetime) -> PurgeReport:
    before = as_utc(before)
    if before > trail.now():
        raise PurgeError("the cut-off is in the future")
    with trail.write_transaction() as tx:
        conn, last_seq = tx.conn, tx.seq
        start = conn.execute(select(func.max(_ANCHOR.c.through_seq))).scalar() or 0
        first_kept = conn.execute(select(func.min(_ENTRY.c.seq)).where(_ENTRY.c.recorded_at >= before)).scalar()
        through = min(first_kept - 1 if first_kept is not None else last_seq, last_seq)
        if through <= start:
            report = PurgeReport(before=before, purged=0)
        else:
            through_mac = conn.execute(select(_ENTRY.c.mac).where(_ENTRY.c.seq == through)).scalar_one()
            purged = conn.execute(select(func.count()).select_from(_ENTRY).where(_ENTRY.c.seq <= through)).scalar_one()
            now = tx.now
            purge = {"through_seq": through, "through_mac": through_mac, "purged": purged, "before": before.isoformat()}
            checkpoint_id = tx.checkpoint("purge", {"purge": purge})
            signature = tx.sign(anchor_statement(through, through_mac, purged))
            conn.execute(
                insert(_ANCHOR).values(
                    through_seq=through,
                    through_mac=through_mac,
                    purged=purged,
                    purged_at=now,
                    checkpoint_audit_id=checkpoint_id,
                    signature=signature,
                )
            )
            report = PurgeReport(before=before, purged=purged, through_seq=through, checkpoint_audit_id=checkpoint_id)
        anchored = max(start, report.through_seq or 0)
    _delete_through(trail, anchored)
    return report


def _delete_through(trail: AuditTrail, through: int) -> None:
    """Delete what an anchor covers, a batch per transaction."""
    if through <= 0:
        return
    with trail.engine.connect() as conn:
        low = conn.execute(select(func.min(_ENTRY.c.seq))).scalar()
        while low is not None and low <= through:
            high = min(low + DELETE_BATCH - 1, through)
            conn.execute(delete(_ENTRY).where(_ENTRY.c.seq >= low, _ENTRY.c.seq <= high))
            conn.commit()
            low = high + 1
