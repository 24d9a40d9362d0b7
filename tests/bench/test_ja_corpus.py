"""The Japanese blind batches (rounds 8 to 18): the stored sets are what the build makes of the sources, labelled by the labeller."""

from __future__ import annotations

import json

from bench import ja_corpus, triage_eval


def _rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_stored_sets_are_rebuilt_from_the_sources_unchanged(tmp_path, monkeypatch):
    stored = {
        part: (ja_corpus.DATA / f"triage_ja_{part}.jsonl").read_bytes() for part in set(ja_corpus.WRITERS.values())
    }
    monkeypatch.setattr(ja_corpus, "DATA", tmp_path)
    counts = ja_corpus.build()
    assert counts == {
        "train": 1000,
        "train18": 1500,
        "calibration": 300,
        "short": 200,
        "blind3": 150,
        "blind4": 150,
        "blind_short": 150,
        "blind5": 150,
        "blind6": 150,
        "blind7": 150,
        "blind8": 150,
        "blind9": 150,
        "clinician_dev": 150,
        "blind10": 150,
        "blind11": 150,
        "clinician_train": 300,
        "blind12": 150,
        "dev15": 150,
        "blind13": 150,
        "blind14": 150,
        "blind15": 150,
        "blind16": 150,
    }
    for part, content in stored.items():
        assert (tmp_path / f"triage_ja_{part}.jsonl").read_bytes() == content


def test_labels_are_the_labellers_and_the_held_sets_are_never_listed():
    rows = _rows(ja_corpus.DATA / "triage_ja_train.jsonl")
    labels = {}
    for writer in [w for w, part in ja_corpus.WRITERS.items() if part == "train"]:
        labels.update({r["id"]: r["level"] for r in _rows(ja_corpus.SOURCE / "labels" / f"{writer}.jsonl")})
    assert all(r["level"] == labels[r["id"]] for r in rows)
    assert any(r["level"] != r["writer_level"] for r in rows)
    # every part but the readable ones is read by nobody tuning the engine
    assert set(ja_corpus.WRITERS.values()) - ja_corpus.READABLE <= set(triage_eval.JA_LOCKED)
    assert not ja_corpus.READABLE & set(triage_eval.JA_LOCKED)
