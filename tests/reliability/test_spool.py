"""The spooling trail on its own: outage -> spool (fsync'd, in order) -> replay when the database is back."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from compliance.audit import AccessEvent, AuditTrail, TurnRecord
from compliance.audit.denials import AccessDenied, record_denial
from compliance.audit.spool import SpoolingTrail

KEY = b"k" * 32
BROKEN = create_engine("sqlite:////nonexistent-dir/audit.db")  # connecting fails: "unable to open database file"


class Outage:
    """Makes the wrapped trail's writes fail like a database that refuses connections, while switched on."""

    def __init__(self, trail: AuditTrail) -> None:
        self.on = False
        self._trail = trail
        for name in ("record_turn", "record_turns", "record_access", "record_error", "_append"):
            setattr(self, name, self._guard(getattr(trail, name)))

    def _guard(self, method):
        def call(*args, **kwargs):
            if self.on:
                raise OperationalError("INSERT", {}, Exception("connection refused"))
            return method(*args, **kwargs)
        return call

    @property
    def engine(self):
        return BROKEN if self.on else self._trail.engine

    def __getattr__(self, name):
        return getattr(self._trail, name)


def _turn(n: int, urgency: str = "em") -> TurnRecord:
    return TurnRecord(session_id=f"s{n % 3}", message_id=f"m{n}", received_at=datetime.now(UTC),
                      redacted_text=f"chest pain <PERSON_1> #{n}", level="emergency", urgency=urgency)


@pytest.fixture
def trail(tmp_path):
    real = AuditTrail(f"sqlite:///{tmp_path / 'audit.db'}", KEY)
    real.create_schema()
    yield real
    real.dispose()


def _message_ids(trail: AuditTrail) -> list[str]:
    return [e.message_id for e in trail.entries() if e.kind == "turn"]


def test_entries_made_during_an_outage_are_spooled_then_written_in_order(trail, tmp_path):
    outage = Outage(trail)
    spool = SpoolingTrail(outage, tmp_path / "spool")  # type: ignore[arg-type]
    first = spool.record_turn(_turn(0))
    outage.on = True
    spooled = [spool.record_turn(_turn(n)) for n in range(1, 5)]
    denial = record_denial(spool, AccessDenied(actor="anonymous", channel="http", method="GET", target="/api/audit",
                                               status=401, reason="unauthenticated"))
    access = spool.record_access(AccessEvent(actor="comp", role="compliance", action="view", target="x"))
    assert spool.pending == 6 and _message_ids(trail) == ["m0"]
    lines = (tmp_path / "spool" / "spool.jsonl").read_text().splitlines()
    assert [json.loads(line)["audit_id"] for line in lines] == [*spooled, denial, access]
    assert not spool.flush()  # still down: nothing lost, nothing written
    outage.on = False
    late = spool.record_turn(_turn(5))  # the next write drains the spool first
    assert spool.pending == 0
    assert _message_ids(trail) == [f"m{n}" for n in range(6)]
    ids = [e.audit_id for e in trail.entries() if e.kind != "checkpoint"]
    assert ids == [first, *spooled[:4], denial, access, late]
    assert trail.verify().ok
    assert (tmp_path / "spool" / "spool.jsonl").read_text() == ""


def test_replay_is_idempotent_after_a_crash_mid_replay(trail, tmp_path):
    outage = Outage(trail)
    spool = SpoolingTrail(outage, tmp_path / "spool")  # type: ignore[arg-type]
    outage.on = True
    for n in range(3):
        spool.record_turn(_turn(n))
    outage.on = False
    saved = (tmp_path / "spool" / "spool.jsonl").read_bytes()
    assert spool.flush()
    # As if the process died after the commits but before the spool was emptied; plus a torn last line.
    (tmp_path / "spool" / "spool.jsonl").write_bytes(saved + b'{"audit_id": "torn')
    again = SpoolingTrail(trail, tmp_path / "spool")
    assert again.pending == 3
    assert again.flush()
    assert _message_ids(trail) == ["m0", "m1", "m2"]
    assert trail.verify().ok


def test_a_message_without_a_record_after_a_crash_is_recorded_as_interrupted(trail, tmp_path):
    spool = SpoolingTrail(trail, tmp_path / "spool")
    now = datetime.now(UTC)
    spool.begin_turn("s1", "answered", None, now)
    spool.record_turn(_turn(9).model_copy(update={"message_id": "answered", "session_id": "s1"}))
    spool.begin_turn("s1", "cut-short", "c-7", now)
    marker = (tmp_path / "spool" / "received.jsonl").read_text()
    assert "cut-short" in marker and "chest" not in marker  # ids and time only, never text
    # The process dies here. At the next start:
    restarted = SpoolingTrail(trail, tmp_path / "spool")
    assert restarted.recover() == ["cut-short"]
    [entry] = [e for e in trail.entries() if e.message_id == "cut-short"]
    record = TurnRecord.from_content(entry.content)
    assert (record.status, record.error, record.client_msg_id) == ("interrupted", "process_restarted", "c-7")
    assert restarted.recover() == []  # once only
    assert trail.verify().ok


def test_the_marker_file_stays_small_under_endless_traffic(trail, tmp_path, monkeypatch):
    monkeypatch.setattr("compliance.audit.spool.MARKERS_COMPACT_BYTES", 2000)
    spool = SpoolingTrail(trail, tmp_path / "spool")
    now = datetime.now(UTC)
    spool.begin_turn("s", "always-open", None, now)  # one message stays in flight throughout
    for n in range(60):
        spool.begin_turn("s", f"m{n}", None, now)
        spool.record_turn(_turn(n))
    markers = (tmp_path / "spool" / "received.jsonl").read_text()
    assert len(markers) < 4000 and "always-open" in markers
