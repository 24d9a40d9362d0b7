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
        for name in (
            "record_turn",
            "record_turns",
            "record_access",
            "record_error",
            "append",
            "append_entries",
            "check_writable",
        ):
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
    return TurnRecord.from_flat(
        {
            "session_id": f"s{n % 3}",
            "message_id": f"m{n}",
            "received_at": datetime.now(UTC),
            "redacted_text": f"chest pain <PERSON_1> #{n}",
            "level": "emergency",
            "urgency": urgency,
        }
    )


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
    denial = record_denial(
        spool,
        AccessDenied(
            actor="anonymous", channel="http", method="GET", target="/api/audit", status=401, reason="unauthenticated"
        ),
    )
    access = spool.record_access(AccessEvent(actor="comp", role="compliance", action="view", target="x"))
    assert spool.pending == 6 and _message_ids(trail) == ["m0"]
    lines = (tmp_path / "spool" / "spool.jsonl").read_text().splitlines()
    assert [json.loads(line)["audit_id"] for line in lines] == [*spooled, denial, access]
    assert not spool.flush()  # still down: nothing lost, nothing written
    outage.on = False
    late = spool.record_turn(_turn(5))  # the spool holds entries: this one queues behind them, no database wait
    assert spool.pending == 7 and _message_ids(trail) == ["m0"]
    assert spool.flush()  # the background replay (every 2 s in the service) writes them, oldest first
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
    flat = record.flat()
    assert (flat["status"], flat["error"], flat["client_msg_id"]) == ("interrupted", "process_restarted", "c-7")
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


# --- issue 16: a bounded wait, a chain that is not where we left it, what the patient was told -------------------

LOCKER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
db.execute("ROLLBACK")
"""


def test_a_write_waits_at_most_the_cap_for_a_database_locked_by_another_process(trail, tmp_path):
    import subprocess
    import sys
    import time

    spool = SpoolingTrail(trail, tmp_path / "spool", write_wait_s=0.3)
    first = spool.record_turn(_turn(0))
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(tmp_path / "audit.db")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert locker.stdout.readline().strip() == "locked"
        started = time.monotonic()
        second = spool.record_turn(_turn(1))
        capped = time.monotonic() - started
        started = time.monotonic()
        third = spool.record_turn(_turn(2))  # the spool holds something: straight to it, no database wait
        queued = time.monotonic() - started
        assert spool.pending == 2 and spool.last_failure is not None
        assert not spool.flush()  # still locked: nothing written, nothing lost
    finally:
        locker.stdin.close()
        locker.wait(timeout=10)
    assert 0.25 < capped < 0.8 and queued < 0.1, (capped, queued)
    assert spool.flush() and spool.pending == 0 and spool.last_failure is None
    assert [e.audit_id for e in trail.entries()] == [first, second, third]
    assert trail.verify().ok


def test_a_write_given_up_on_never_commits_later(trail, tmp_path):
    """The caller stopped waiting and spooled the entry: the attempt still under way must not commit it too."""
    import time

    spool = SpoolingTrail(trail, tmp_path / "spool", write_wait_s=0.2)
    real = trail.append_entries

    def slow(entries, **options):  # reaches the database only after the caller has given up
        time.sleep(0.4)
        return real(entries, **options)

    trail.append_entries = slow  # type: ignore[method-assign]
    audit_id = spool.record_turn(_turn(0))
    assert spool.pending == 1
    time.sleep(0.6)  # the attempt got to its commit and was refused
    trail.append_entries = real  # type: ignore[method-assign]
    assert list(trail.entries()) == []
    assert spool.flush()
    assert [e.audit_id for e in trail.entries()] == [audit_id]  # once: from the spool, not also from the attempt
    assert trail.verify().ok


def test_a_replaced_database_gets_no_entry_and_a_restored_one_gets_them_all(trail, tmp_path):
    path = tmp_path / "audit.db"
    spool = SpoolingTrail(trail, tmp_path / "spool", write_wait_s=0.5)
    spool.record_turn(_turn(0))
    aside = tmp_path / "aside"
    aside.mkdir()
    for file in tmp_path.glob("audit.db*"):
        file.rename(aside / file.name)
    stranger = AuditTrail(f"sqlite:///{path}", b"someone else's key")
    stranger.create_schema()
    stranger.record_turn(_turn(99))
    stranger.dispose()
    spooled = [spool.record_turn(_turn(n)) for n in range(1, 4)]
    assert not spool.flush()  # the chain there is not ours: refused, not continued
    assert spool.health()["chain_diverged"] and spool.pending == 3
    assert [e.message_id for e in AuditTrail(f"sqlite:///{path}", KEY).entries()] == ["m99"]
    for file in tmp_path.glob("audit.db*"):
        file.unlink()
    for file in aside.iterdir():
        file.rename(tmp_path / file.name)
    assert spool.flush()  # stale pooled connections were recycled: no restart needed
    assert spool.health() == {"spool_pending": 0, "write_failure": None, "chain_diverged": None}
    assert [e.audit_id for e in trail.entries()][1:] == spooled
    assert trail.verify().ok


def test_a_missing_database_is_not_created_by_a_write(trail, tmp_path):
    spool = SpoolingTrail(trail, tmp_path / "spool", write_wait_s=0.5)
    for file in tmp_path.glob("audit.db*"):
        file.unlink()
    spool.record_turn(_turn(0))
    assert spool.pending == 1 and not (tmp_path / "audit.db").exists()


def test_an_interrupted_record_carries_what_the_patient_was_told(trail, tmp_path):
    from compliance.audit.spool import told_update

    spool = SpoolingTrail(trail, tmp_path / "spool")
    now = datetime.now(UTC)
    spool.begin_turn("s1", "told", "c-1", now)
    spool.update_turns([told_update(_turn(1).model_copy(update={"message_id": "told", "session_id": "s1"}))])
    spool.begin_turn("s1", "untold", "c-2", now)  # killed before its triage frame went out
    restarted = SpoolingTrail(trail, tmp_path / "spool")
    assert sorted(restarted.recover()) == ["told", "untold"]
    records = {e.message_id: TurnRecord.from_content(e.content).flat() for e in trail.entries()}
    told, untold = records["told"], records["untold"]
    assert (told["status"], told["error"], told["client_msg_id"]) == ("interrupted", "process_restarted", "c-1")
    assert (told["level"], told["urgency"], told["redacted_text"]) == ("emergency", "em", "chest pain <PERSON_1> #1")
    assert (untold["level"], untold["redacted_text"]) == (None, "")
    assert trail.verify().ok


def test_a_marker_written_before_records_kept_sections_is_recovered_with_what_was_told(trail, tmp_path):
    # A spool left by the previous release holds the told record flat (every field at the top level).
    spool = SpoolingTrail(trail, tmp_path / "spool")
    spool.begin_turn("s1", "old", "c-1", datetime.now(UTC))
    flat = {**_turn(1).flat(), "session_id": "s1", "message_id": "old", "received_at": "2026-12-01T00:00:00+00:00"}
    spool.update_turns([{"message_id": "old", "update": "told", "record": flat}])
    assert SpoolingTrail(trail, tmp_path / "spool").recover() == ["old"]
    (entry,) = [e for e in trail.entries() if e.message_id == "old"]
    record = TurnRecord.from_content(entry.content)
    assert (record.status, record.level, record.message.redacted_text) == (
        "interrupted",
        "emergency",
        flat["redacted_text"],
    )
    assert record.error is not None and record.error.error_type == "process_restarted"


# --- the AuditSink seam (compliance/audit/sink.py) ------------------------------------------------------------


async def test_the_turn_writer_writes_received_markers_only_through_a_sink_that_keeps_them(trail, tmp_path):
    from compliance.audit.writer import TurnWriter

    now = datetime.now(UTC)
    plain = TurnWriter(trail)
    assert trail.markers is None and plain.received("s0", "m0", None, now, "patient") is None
    spool = SpoolingTrail(trail, tmp_path / "spool")
    writer = TurnWriter(spool)
    received = writer.received("s1", "m1", "c-1", now, "patient")
    assert received is not None
    await received
    marker = json.loads((tmp_path / "spool" / "received.jsonl").read_text())
    assert (marker["message_id"], marker["client_msg_id"]) == ("m1", "c-1")
    ids = [await plain.record(_turn(0)), await writer.record(_turn(1))]
    await plain.drain()
    await writer.drain()
    assert [e.audit_id for e in trail.entries()] == ids and trail.verify().ok
    assert SpoolingTrail(trail, tmp_path / "spool").recover() == []  # m1 has its record: not interrupted


def test_the_spooling_trail_reads_the_chain_and_spooled_entries_join_it_once_replayed(trail, tmp_path):
    from compliance.audit import EntryFilter

    outage = Outage(trail)
    spool = SpoolingTrail(outage, tmp_path / "spool")  # type: ignore[arg-type]
    first = spool.record_turn(_turn(0))
    outage.on = True
    spooled = spool.record_turn(_turn(1))
    where = EntryFilter()
    assert spool.count(where) == 1 and spool.get(spooled) is None
    assert [e.audit_id for e in spool.page(where, 10)] == [first]
    outage.on = False
    assert spool.flush()
    assert [e.audit_id for e in spool.page(where, 10, newest_first=True)] == [spooled, first]
    assert spool.get(spooled).message_id == "m1" and spool.count(where) == 2 and spool.verify().ok
