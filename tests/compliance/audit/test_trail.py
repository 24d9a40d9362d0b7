"""Writing and reading the trail: typed sections, access and error events, checkpoints, migrations."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import inspect, text

from compliance.audit import (
    AccessEvent,
    AuditTrail,
    EntryFilter,
    ErrorEvent,
    InvalidFilter,
    TurnError,
    TurnRecord,
    flat_turn,
)
from compliance.audit.migrations import VERSION_TABLE, current_revision, head_revision
from tests.compliance.conftest import AUDIT_KEY, turn


def test_a_turn_is_one_entry_in_typed_sections_and_reads_back_whole(trail):
    record = turn(n=1)
    audit_id = trail.record_turn(record)
    entries = list(trail.entries())
    assert [e.audit_id for e in entries] == [audit_id]
    entry = entries[0]
    assert (entry.kind, entry.session_id, entry.message_id, entry.urgency, entry.level) == (
        "turn",
        "s-1",
        record.message_id,
        "ne",
        "consultation",
    )
    content = entry.content
    assert set(content) >= {"message", "assessment", "routing", "response", "error"}
    assert content["message"]["redaction_counts"] == {"PERSON": 1}
    assert content["routing"]["failovers"] == 1
    assert content["routing"]["engines_tried"][0]["reason"] == "timeout"
    assert content["response"]["first_token_ms"] == 12.5
    assert content["error"] is None
    assert TurnRecord.from_content(content) == record
    assert flat_turn(content)["audit_id"] == audit_id


def test_a_failed_turn_carries_an_error_section(trail):
    trail.record_turn(turn(status="error", error="EngineError"))
    trail.record_turn(turn(n=2, status="timeout"))
    first, second = (e.content for e in trail.entries())
    assert first["error"] == {"error_type": "EngineError", "status": "error"}
    assert second["error"] == {"error_type": "timeout", "status": "timeout"}
    assert TurnRecord.from_content(second).error == TurnError(error_type="timeout", status="timeout")
    assert flat_turn(first)["error"] == "EngineError"
    assert flat_turn(second)["error"] is None, "the flat view names a cause beyond the status only"


def test_access_export_and_error_events_are_their_own_entries(trail):
    trail.record_turn(turn())
    trail.record_access(
        AccessEvent(
            actor="carol", role="clinician", action="reidentify", target="s-1", source="10.0.0.7", session_id="s-1"
        )
    )
    trail.record_access(AccessEvent(actor="olga", role="compliance", action="export", target="audit_trail"))
    trail.record_error(ErrorEvent(where="ws.chat", error_type="FrameError", session_id="s-1"))
    kinds = [(e.kind, e.actor) for e in trail.entries()]
    assert kinds == [("turn", None), ("access", "carol"), ("export", "olga"), ("error", None)]
    assert trail.count(EntryFilter(kinds=("turn",))) == 1
    assert trail.verify().ok


def test_periodic_checkpoints_are_signed_and_counted(trail):
    for n in range(25):
        trail.record_turn(turn(n=n))
    checkpoints = [e for e in trail.entries() if e.kind == "checkpoint"]
    assert [c.seq for c in checkpoints] == [11, 21]
    body = checkpoints[0].content["checkpoint"]
    assert body["through_seq"] == 10 and body["public_key"] == trail.public_key_hex
    report = trail.verify()
    assert report.ok and report.checkpoints == 2 and report.checked == 27 == report.head_seq


def test_filters_select_by_time_session_and_urgency(trail, clock):
    for n in range(3):
        trail.record_turn(turn("a", n, urgency="em", level="emergency"))
    middle = clock.now + timedelta(microseconds=500)
    for n in range(3):
        trail.record_turn(turn("b", n, urgency="sc", level="self_care"))
    assert [e.session_id for e in trail.entries(EntryFilter(since=middle))] == ["b"] * 3
    assert [e.session_id for e in trail.entries(EntryFilter(until=middle))] == ["a"] * 3
    assert trail.count(EntryFilter(urgency="em")) == 3
    assert trail.count(EntryFilter(session_id="b", urgency="em")) == 0
    page = trail.page(EntryFilter(after_seq=2), limit=2)
    assert [e.seq for e in page] == [3, 4]


def test_bad_filters_are_refused_with_a_message():
    with pytest.raises(InvalidFilter, match="inverted"):
        EntryFilter.parse(since="2026-02-01T00:00:00Z", until="2026-01-01T00:00:00Z")
    with pytest.raises(InvalidFilter, match="urgency"):
        EntryFilter.parse(urgency="xx")
    with pytest.raises(InvalidFilter, match="since"):
        EntryFilter.parse(since="yesterday")


def test_schema_comes_from_migrations_and_is_idempotent(trail, database_url):
    trail.create_schema()
    trail.create_schema()
    assert current_revision(trail.engine) == head_revision()
    tables = set(inspect(trail.engine).get_table_names())
    assert {"audit_entry", "audit_head", "audit_anchor", VERSION_TABLE} <= tables
    second = AuditTrail(database_url, AUDIT_KEY)
    second.create_schema()
    second.dispose()
    assert trail.ping()


def test_the_unversioned_first_draft_table_is_kept_aside(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    sqlite3.connect(tmp_path / "old.db").close()  # the old database exists: a trail's connections never create one
    legacy = AuditTrail(url, AUDIT_KEY)
    with legacy.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE audit_entry (seq INTEGER PRIMARY KEY, audit_id VARCHAR, kind VARCHAR, "
                "recorded_at DATETIME, content VARCHAR, prev_mac VARCHAR, mac VARCHAR)"
            )
        )
        conn.execute(text("CREATE INDEX ix_audit_entry_kind ON audit_entry (kind)"))
        conn.execute(text("INSERT INTO audit_entry VALUES (1, 'x', 'turn', '2026-01-01', '{}', '0', '0')"))
    legacy.create_schema()
    legacy.record_turn(turn())
    assert "audit_entry_v0" in inspect(legacy.engine).get_table_names()
    assert legacy.verify().ok
    legacy.dispose()


def test_no_raw_text_field_exists_on_the_stored_turn(trail):
    trail.record_turn(turn())
    content = json.dumps(next(iter(trail.entries())).content)
    assert "raw_text" not in content and "<PERSON_1>" in content
