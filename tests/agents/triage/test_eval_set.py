"""The evaluation set's make-up and the engine's figures on it (a regression guard)."""

from __future__ import annotations

from collections import Counter

from bench.triage_eval import evaluate, load_cases


def test_case_set_composition() -> None:
    cases = load_cases()
    assert len(cases) >= 200
    assert len({c["id"] for c in cases}) == len(cases)
    urgencies = Counter(c["urgency"] for c in cases)
    for share in urgencies.values():
        assert 0.25 <= share / len(cases) <= 0.42
    styles = Counter(c["style"] for c in cases)
    assert 0.4 <= styles["chat"] / len(cases) <= 0.6
    assert len({c["family"] for c in cases}) >= 22


def test_targets_on_own_set() -> None:
    report = evaluate(load_cases())
    assert report.sensitivity == 1.0
    assert report.under_triage <= 0.02
    assert report.accuracy3 >= 0.90
    assert not report.failures()
