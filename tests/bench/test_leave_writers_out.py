"""`python -m bench.train_triage --leave-writers-out`: each writer is scored by a model that never saw its cases."""

from __future__ import annotations

import json

import pytest

from bench import train_triage

CASES = [
    ("X-1", "crushing chest pain and sweating for twenty minutes", "emergency_ambulance"),
    ("X-2", "a runny nose and a mild sore throat since yesterday", "self_care"),
    ("X-3", "burning when I pee for two days, no fever", "consultation_24"),
    ("Y-1", "my face has drooped on one side and my arm is weak, it started ten minutes ago", "emergency_ambulance"),
    ("Y-2", "a small paper cut on my finger that bled a little", "self_care"),
    ("Y-3", "a rash on my arm for three weeks that itches a bit", "consultation"),
]


@pytest.fixture(scope="module")
def everything(tmp_path_factory):
    path = tmp_path_factory.mktemp("lwo") / "cases.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": t, "level": level}) + "\n" for i, t, level in CASES))
    return train_triage.examples(path)


def test_each_writer_is_scored_once_for_every_setting(everything, capsys):
    grid = [(0.25, 0.7, 10.0), (0.2, 0.7, 5.0)]
    found = train_triage.leave_writers_out(everything, ["X", "Y"], grid)
    assert set(found) == set(grid)
    assert all(figures["n"] == len(CASES) for figures in found.values())
    assert "deterministic layers" in capsys.readouterr().out


def test_a_writer_with_no_cases_is_named_not_scored_as_empty(everything):
    with pytest.raises(SystemExit, match="writer T: no cases"):
        train_triage.leave_writers_out(everything, ["T"], [(0.2, 0.7, 5.0)])
