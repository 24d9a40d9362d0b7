"""The layer attribution (bench/triage_layers.py): counts that add up, and no case ever printed."""

from __future__ import annotations

import json

from agents.triage import Level
from bench import corpus_eval, triage_layers

A, E, D, S = Level.emergency_ambulance, Level.emergency, Level.consultation_24, Level.self_care


def test_each_emergency_is_counted_by_the_layer_that_reaches_it():
    result = triage_layers.attribute(
        [
            (A, E, A),  # the deterministic layers reach it; the model only moves it within the emergencies
            (E, D, E),  # only the learned layer's raise reaches it
            (E, D, D),  # no layer does
            (D, D, E),  # a false raise
            (S, E, E),  # a deterministic false emergency is not the learned layer's
            (D, D, D),
        ]
    )
    assert (result.cases, result.emergencies) == (6, 3)
    assert (result.deterministic, result.learned_only, result.missed, result.false_raises) == (1, 1, 1, 1)


def test_a_real_part_adds_up_and_a_locked_part_is_never_listed(capsys):
    assert triage_layers.main(["--split", "dev13", "locked13"]) == 0
    out = capsys.readouterr().out
    ids = [json.loads(line)["id"] for line in (corpus_eval.CORPUS / "locked13.jsonl").read_text().splitlines()]
    assert not any(case_id in out for case_id in ids)
    result = triage_layers.attribute(triage_layers.outcomes(corpus_eval.CORPUS / "dev13.jsonl"))
    assert result.deterministic + result.learned_only + result.missed == result.emergencies > 0
    assert result.line("dev13") in out
