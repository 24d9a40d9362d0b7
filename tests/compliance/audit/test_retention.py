"""Retention: purging old entries leaves a chain that still verifies, anchored in a signed checkpoint."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from compliance.audit import PurgeError, retention
from tests.compliance.conftest import turn


def old_and_new(trail, clock, old: int = 15, new: int = 5):
    for n in range(old):
        trail.record_turn(turn("old", n))
    clock.now += timedelta(days=400)
    cutoff = clock.now
    for n in range(new):
        trail.record_turn(turn("new", n))
    return cutoff


def test_purge_deletes_before_the_cutoff_and_the_rest_verifies(trail, clock):
    cutoff = old_and_new(trail, clock)
    report = trail.purge(cutoff)
    assert report.purged == 16 and report.through_seq == 16  # 15 turns and the checkpoint after seq 10
    remaining = list(trail.entries())
    assert {e.session_id for e in remaining if e.kind == "turn"} == {"new"}
    purge_checkpoint = remaining[-1]
    assert purge_checkpoint.kind == "checkpoint"
    assert purge_checkpoint.content["checkpoint"]["purge"]["through_seq"] == 16
    verdict = trail.verify()
    assert verdict.ok and verdict.anchored_at == 16 and verdict.first_seq == 17
    trail.record_turn(turn("later"))
    assert trail.verify().ok


def test_a_second_purge_with_the_same_cutoff_does_nothing(trail, clock):
    cutoff = old_and_new(trail, clock)
    trail.purge(cutoff)
    assert trail.purge(cutoff).purged == 0
    assert trail.verify().ok


def test_purging_everything_keeps_the_anchor_checkpoint(trail, clock):
    cutoff = old_and_new(trail, clock, old=5, new=0)
    report = trail.purge(cutoff)
    assert report.purged == 5
    assert [e.kind for e in trail.entries()] == ["checkpoint"]
    assert trail.verify().ok


def test_an_interrupted_purge_still_verifies_and_a_rerun_finishes(trail, clock, monkeypatch):
    cutoff = old_and_new(trail, clock)
    monkeypatch.setattr(retention, "_delete_through", lambda *_: None)
    trail.purge(cutoff)
    assert trail.count() == 23 and trail.verify().ok  # 15 old, 5 new, 3 checkpoints
    monkeypatch.undo()
    assert trail.purge(cutoff).purged == 0
    assert trail.count() == 7 and trail.verify().ok


def test_a_forged_or_missing_anchor_is_detected(trail, clock):
    cutoff = old_and_new(trail, clock)
    trail.purge(cutoff)
    with trail.engine.begin() as conn:
        conn.execute(text("UPDATE audit_anchor SET purged = purged + 1"))
    assert trail.verify().problem.kind == "bad_anchor"
    with trail.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_anchor"))
    problem = trail.verify().problem
    assert (problem.seq, problem.kind) == (1, "deleted")


def test_a_cutoff_in_the_future_is_refused(trail, clock):
    with pytest.raises(PurgeError):
        trail.purge(clock.now + timedelta(days=1))
