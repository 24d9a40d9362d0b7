"""Tamper evidence: verify names the first bad record for an edit, a deletion, an insertion, a reordering."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from tests.compliance.conftest import turn


@pytest.fixture
def chain(trail):
    """A trail of 12 turns (plus the checkpoint after seq 10): seq 1..13."""
    for n in range(12):
        trail.record_turn(turn(n=n))
    assert trail.verify().ok
    return trail


def run(trail, sql: str, **params) -> None:
    with trail.engine.begin() as conn:
        conn.execute(text(sql), params)


def renumber(trail, first: int, by: int) -> None:
    """Shift every seq from `first` on by `by` (through negatives, so the primary key never collides), head too."""
    run(trail, "UPDATE audit_entry SET seq = -(seq + :by) WHERE seq >= :first", by=by, first=first)
    run(trail, "UPDATE audit_entry SET seq = -seq WHERE seq < 0")
    run(trail, "UPDATE audit_head SET last_seq = last_seq + :by", by=by)


def forge(trail, seq: int, audit_id: str, copy_of: int) -> None:
    """Insert at `seq` a replay of record `copy_of`, linked to the record before `seq` (no key, so no new MAC)."""
    run(
        trail,
        """INSERT INTO audit_entry (seq, audit_id, kind, recorded_at, session_id, message_id, urgency, level,
                  actor, content, prev_mac, mac)
                  SELECT :seq, :audit_id, kind, recorded_at, session_id, message_id, urgency, level, actor, content,
                         (SELECT mac FROM audit_entry WHERE seq = :prev), mac
                  FROM audit_entry WHERE seq = :copy_of""",
        seq=seq,
        audit_id=audit_id,
        prev=seq - 1,
        copy_of=copy_of,
    )


def audit_id_at(trail, seq: int) -> str:
    with trail.engine.connect() as conn:
        return conn.execute(text("SELECT audit_id FROM audit_entry WHERE seq = :s"), {"s": seq}).scalar_one()


def test_an_intact_chain_verifies(chain):
    report = chain.verify()
    assert report.ok and report.problem is None
    assert (report.first_seq, report.last_seq, report.checked, report.checkpoints) == (1, 13, 13, 1)


def test_an_edited_content_is_named(chain):
    with chain.engine.connect() as conn:
        content = json.loads(conn.execute(text("SELECT content FROM audit_entry WHERE seq = 5")).scalar_one())
    content["assessment"]["level"] = "self_care"
    run(chain, "UPDATE audit_entry SET content = :c WHERE seq = 5", c=json.dumps(content))
    problem = chain.verify().problem
    assert (problem.seq, problem.kind, problem.audit_id) == (5, "edited", audit_id_at(chain, 5))
    assert "seq 5" in problem.describe()


def test_an_edited_filter_column_is_named(chain):
    run(chain, "UPDATE audit_entry SET urgency = 'sc' WHERE seq = 7")
    problem = chain.verify().problem
    assert (problem.seq, problem.kind) == (7, "edited")


def test_a_deleted_record_is_named(chain):
    run(chain, "DELETE FROM audit_entry WHERE seq = 4")
    problem = chain.verify().problem
    assert (problem.seq, problem.kind) == (4, "deleted")


def test_a_deletion_hidden_by_renumbering_is_named(chain):
    run(chain, "DELETE FROM audit_entry WHERE seq = 4")
    renumber(chain, first=5, by=-1)
    problem = chain.verify().problem
    assert (problem.seq, problem.kind) == (4, "out_of_place")


def test_an_inserted_record_is_named(chain):
    # Make room at seq 6 and slip in a copy of record 2 (a replay), linked to record 5 as well as one can.
    renumber(chain, first=6, by=1)
    forge(chain, seq=6, audit_id="forged-0000", copy_of=2)
    problem = chain.verify().problem
    assert (problem.seq, problem.audit_id) == (6, "forged-0000")


def test_an_appended_forgery_is_named(chain):
    forge(chain, seq=14, audit_id="forged-tail", copy_of=3)
    problem = chain.verify().problem
    assert (problem.seq, problem.audit_id) == (14, "forged-tail")


def test_reordered_records_are_named(chain):
    run(chain, "UPDATE audit_entry SET seq = -1 WHERE seq = 8")
    run(chain, "UPDATE audit_entry SET seq = 8 WHERE seq = 9")
    run(chain, "UPDATE audit_entry SET seq = 9 WHERE seq = -1")
    problem = chain.verify().problem
    assert (problem.seq, problem.kind) == (8, "out_of_place")


def test_a_truncated_tail_is_named(chain):
    run(chain, "DELETE FROM audit_entry WHERE seq >= 12")
    problem = chain.verify().problem
    assert (problem.seq, problem.kind) == (12, "tail_missing")


def test_a_deleted_head_of_the_chain_is_named(chain):
    run(chain, "DELETE FROM audit_entry WHERE seq <= 3")
    problem = chain.verify().problem
    assert (problem.seq, problem.kind) == (1, "deleted")


def test_a_different_key_fails_at_the_first_record(chain, database_url):
    from compliance.audit import AuditTrail

    other = AuditTrail(database_url, b"another key")
    problem = other.verify().problem
    other.dispose()
    assert (problem.seq, problem.kind) == (1, "edited")
