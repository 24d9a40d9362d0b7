"""The chain journal (compliance/audit/journal.py): a second, append-only record of checkpoints and the head, so
that deleting the newest entries and rolling the head back no longer verifies (issue 16)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from compliance.audit import AuditTrail
from tests.compliance.conftest import AUDIT_KEY, turn


@pytest.fixture
def journaled(make_trail, tmp_path):
    def make(**options) -> AuditTrail:
        return make_trail(journal=tmp_path / "journal.jsonl", checkpoint_every=10, **options)

    return make


def truncate_tail(trail: AuditTrail, keep_through: int) -> None:
    """What someone with write access to the database can do: delete the newest entries, roll the head back."""
    with trail.engine.begin() as conn:
        mac = conn.execute(text("SELECT mac FROM audit_entry WHERE seq = :s"), {"s": keep_through}).scalar_one()
        conn.execute(text("DELETE FROM audit_entry WHERE seq > :s"), {"s": keep_through})
        conn.execute(
            text("UPDATE audit_head SET last_seq = :s, last_mac = :m WHERE id = 1"), {"s": keep_through, "m": mac}
        )


def test_without_a_journal_a_truncated_tail_verifies(make_trail):
    """The limit the journal lifts: the database alone cannot tell."""
    trail = make_trail(checkpoint_every=10)
    for n in range(12):
        trail.record_turn(turn(n=n))
    truncate_tail(trail, 12)
    assert trail.verify().ok


def test_a_truncated_tail_fails_verify_against_the_journal(journaled):
    trail = journaled()
    for n in range(12):
        trail.record_turn(turn(n=n))
    trail.dispose()  # a clean stop notes the newest head
    assert trail.verify().ok and trail.verify().journal_checked >= 2
    truncate_tail(trail, 12)  # seq 13 (the newest turn) gone, the head at 12: the chain itself is consistent
    report = trail.verify()
    assert not report.ok
    assert (report.problem.kind, report.problem.seq) == ("tail_missing", 13)
    assert "journal" in report.problem.detail


def test_a_truncation_back_past_a_checkpoint_is_caught_even_after_a_crash(journaled, tmp_path):
    """No clean stop (the newest head may be missing from the journal): the signed checkpoints still are."""
    trail = journaled()
    for n in range(15):
        trail.record_turn(turn(n=n))
    lines = [json.loads(line) for line in (tmp_path / "journal.jsonl").read_text().splitlines()]
    assert [line["through_seq"] for line in lines if line["kind"] == "checkpoint"] == [10]
    truncate_tail(trail, 8)
    problem = trail.verify().problem
    assert problem is not None and problem.kind == "tail_missing"


def test_a_rewritten_chain_with_the_key_does_not_match_the_journal(journaled, tmp_path, database_url):
    """Someone holding the key rebuilds the chain from seq 5 on: every MAC holds, but not what the journal saw."""
    trail = journaled()
    for n in range(12):
        trail.record_turn(turn(n=n))
    trail.dispose()
    truncate_tail(trail, 4)
    forger = AuditTrail(database_url, AUDIT_KEY, checkpoint_every=10)  # no journal: it writes none
    for n in range(12, 21):
        forger.record_turn(turn(n=n))
    forger.dispose()
    report = trail.verify()
    assert not report.ok and report.problem.kind == "journal_mismatch" and report.problem.seq == 10


def test_lines_not_signed_by_a_known_key_are_ignored(journaled, tmp_path):
    trail = journaled()
    for n in range(3):
        trail.record_turn(turn(n=n))
    trail.dispose()
    journal = tmp_path / "journal.jsonl"
    with journal.open("a") as fh:  # an appended forgery would raise a false alarm if it counted
        fh.write(json.dumps({"kind": "head", "seq": 99, "mac": "f" * 64, "key_id": "0" * 16, "sig": "0" * 64}) + "\n")
        fh.write('{"kind": "head", "seq": 1')  # and a torn line
    report = trail.verify()
    assert report.ok and report.journal_ignored == 2 and report.journal_checked >= 1
