"""The Japanese learned layer: character bigrams; it raises to an emergency, or lets a calm level the findings layer
read stand instead of the clinician's hold; trained and calibrated on the stored Japanese sets."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from agents.triage import assess, learned
from agents.triage.engine import assess_layers_ja, decide_japanese
from agents.triage.levels import Level

ROOT = Path(__file__).resolve().parents[3]
MILD = "昨日から喉が少しイガイガします"
ROUTINE = "半年くらい前から腰がときどき痛みます"
UNREAD = "あのー、ちょっと相談したいことがあるんですけど"


def _model_preferring(level: Level, release_at: float | None = None) -> learned.Model:
    bias = tuple(8.0 if x is level else 0.0 for x in learned.LEVELS)
    return learned.Model(weights={"bias": bias}, raise_at=0.5, lower_at=1.0, digest="t", release_at=release_at)


def test_grams_are_read_on_normalised_text() -> None:
    assert learned.grams("ズキズキ 痛い") == learned.grams("ずきずき痛い")
    assert "ずき" in learned.grams("ズキズキ")


def test_it_raises_to_an_emergency_in_japanese_words_and_never_lowers() -> None:
    base, feats = assess_layers_ja(MILD)
    assert not base.is_emergency and base.needs_clinician
    raised = decide_japanese(base, feats, _model_preferring(Level.emergency))
    assert raised.level is Level.emergency and raised.needs_clinician
    assert any("\u3040" <= ch <= "\u30ff" for ch in raised.rationale), "the patient's words stay Japanese"
    kept = decide_japanese(base, feats, _model_preferring(Level.self_care))
    assert kept.level is base.level and "model" in kept.layers


def test_an_emergency_the_findings_layer_reads_is_never_touched() -> None:
    base, feats = assess_layers_ja("胸がぎゅーっと痛くて冷や汗が出ています")
    assert base.is_emergency
    assert decide_japanese(base, feats, _model_preferring(Level.self_care)) is base


def test_the_shipped_japanese_weights_match_the_stored_sets() -> None:
    data = json.loads(learned.JA_PATH.read_text(encoding="utf-8"))
    trained = {s["file"] for s in data["trained_on"]}
    for source in (*data["trained_on"], *data["calibration"]["files"]):
        assert not any(f"blind{n}" in source["file"] for n in (2, 3, 4)), "a locked set is never read"
        digest = hashlib.sha256((ROOT / source["file"]).read_bytes()).hexdigest()[:16]
        assert digest == source["sha256"], f"{source['file']} changed: run `python -m bench.train_triage --ja`"
    assert not trained.intersection(s["file"] for s in data["calibration"]["files"])
    model = learned.from_json(data)
    assert hashlib.sha256(json.dumps(model.weights, sort_keys=True).encode()).hexdigest()[:12] == data["digest"]
    assert model.lower_at >= 1.0


def test_a_mild_japanese_message_is_not_raised() -> None:
    assert not assess(MILD, lang="ja").is_emergency


def test_a_calm_level_read_stands_only_when_the_model_agrees() -> None:
    base, feats = assess_layers_ja(MILD)
    assert base.level is Level.consultation_24 and base.layers["read"] == Level.self_care.value, "held for a clinician"
    released = decide_japanese(base, feats, _model_preferring(Level.self_care, release_at=0.5))
    assert released.level is Level.self_care and not released.needs_clinician
    assert released.layers["released"] == "self_care"
    assert any("\u3040" <= ch <= "\u30ff" for ch in released.rationale)
    for doubtful in (_model_preferring(Level.consultation_24, release_at=0.5), _model_preferring(Level.self_care)):
        held = decide_japanese(base, feats, doubtful)
        assert held.level is Level.consultation_24 and held.needs_clinician


def test_a_routine_level_read_stays_held() -> None:
    base, feats = assess_layers_ja(ROUTINE)
    assert base.layers["read"] == Level.consultation.value
    for model in (_model_preferring(Level.self_care, release_at=0.5), _model_preferring(Level.consultation, 0.5)):
        held = decide_japanese(base, feats, model)
        assert held.level is Level.consultation_24 and held.needs_clinician


def test_a_message_nothing_placed_is_never_released() -> None:
    base, feats = assess_layers_ja(UNREAD)
    assert "read" not in base.layers and base.needs_clinician
    held = decide_japanese(base, feats, _model_preferring(Level.self_care, release_at=0.01))
    assert held.level is Level.consultation_24 and held.needs_clinician
