"""The Japanese learned layer: character bigrams, raise only, trained and calibrated on the stored Japanese sets."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from agents.triage import assess, learned
from agents.triage.engine import assess_layers_ja, raise_japanese
from agents.triage.levels import Level

ROOT = Path(__file__).resolve().parents[3]
MILD = "昨日から喉が少しイガイガします"


def _model_preferring(level: Level) -> learned.Model:
    bias = tuple(8.0 if x is level else 0.0 for x in learned.LEVELS)
    return learned.Model(weights={"bias": bias}, raise_at=0.5, lower_at=1.0, digest="t")


def test_grams_are_read_on_normalised_text() -> None:
    assert learned.grams("ズキズキ 痛い") == learned.grams("ずきずき痛い")
    assert "ずき" in learned.grams("ズキズキ")


def test_it_raises_to_an_emergency_in_japanese_words_and_never_lowers() -> None:
    base, feats = assess_layers_ja(MILD)
    assert not base.is_emergency and base.needs_clinician
    raised = raise_japanese(base, feats, _model_preferring(Level.emergency))
    assert raised.level is Level.emergency and raised.needs_clinician
    assert any("\u3040" <= ch <= "\u30ff" for ch in raised.rationale), "the patient's words stay Japanese"
    kept = raise_japanese(base, feats, _model_preferring(Level.self_care))
    assert kept.level is base.level and "model" in kept.layers


def test_an_emergency_the_findings_layer_reads_is_never_touched() -> None:
    base, feats = assess_layers_ja("胸がぎゅーっと痛くて冷や汗が出ています")
    assert base.is_emergency
    assert raise_japanese(base, feats, _model_preferring(Level.self_care)) is base


def test_the_shipped_japanese_weights_match_the_stored_sets() -> None:
    data = json.loads(learned.JA_PATH.read_text(encoding="utf-8"))
    trained = {s["file"] for s in data["trained_on"]}
    for source in (*data["trained_on"], *data["calibration"]["files"]):
        assert "blind2" not in source["file"] and "blind3" not in source["file"], "a locked set is never read"
        digest = hashlib.sha256((ROOT / source["file"]).read_bytes()).hexdigest()[:16]
        assert digest == source["sha256"], f"{source['file']} changed: run `python -m bench.train_triage --ja`"
    assert not trained.intersection(s["file"] for s in data["calibration"]["files"])
    model = learned.from_json(data)
    assert hashlib.sha256(json.dumps(model.weights, sort_keys=True).encode()).hexdigest()[:12] == data["digest"]
    assert model.lower_at >= 1.0


def test_a_mild_japanese_message_is_not_raised() -> None:
    assert not assess(MILD, lang="ja").is_emergency
