"""The blind corpus's split is reproducible and a locked part is never listed case by case."""

from __future__ import annotations

import json

import pytest

from bench import corpus_eval


def test_the_split_is_a_pure_function_of_the_id():
    dev = [json.loads(line) for line in (corpus_eval.CORPUS / "dev.jsonl").read_text().splitlines()]
    assert dev and all(corpus_eval.split_of(case["id"]) == "dev" for case in dev)
    assert corpus_eval.split_of("E-0001") == "locked2"  # a later round is a locked part of its own
    assert corpus_eval.split_of("ZD-0001") == "locked8"
    assert corpus_eval.split_of("ZE-0001") == corpus_eval.split_of("ZF-0001") == "calibration"
    assert corpus_eval.split_of("ZS-0001") == "short" and corpus_eval.split_of("ZT-0001") == "locked8_short"
    share = sum(corpus_eval.split_of(f"A-{i:04d}") == "dev" for i in range(1, 1001)) / 1000
    assert 0.35 < share < 0.45


def test_labels_come_from_the_labeller_never_the_writer():
    dev = [json.loads(line) for line in (corpus_eval.CORPUS / "dev.jsonl").read_text().splitlines()]
    labels = {}
    for path in (corpus_eval.CORPUS / "source" / "labels").glob("*.jsonl"):
        labels.update({row["id"]: row["level"] for row in map(json.loads, path.read_text().splitlines())})
    assert all(case["level"] == labels[case["id"]] for case in dev)
    assert any(case["level"] != case["writer_level"] for case in dev)


@pytest.mark.parametrize("split", ["locked", "calibration", "short"])
def test_a_locked_or_calibration_part_is_never_listed(capsys, split):
    assert corpus_eval.main(["score", "--split", split, "--misses"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and "never listed" in out.err
