"""The learned layer's authority is bounded, its weights come from the stored cases, and training is reproducible."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from agents.triage import assess, learned
from agents.triage.engine import apply_model, assess_layers
from agents.triage.levels import Level

ROOT = Path(__file__).resolve().parents[3]


def _model_preferring(
    level: Level, strength: float = 8.0, *, raise_at: float = 0.35, lower_at: float = 0.5
) -> learned.Model:
    bias = tuple(strength if x is level else 0.0 for x in learned.LEVELS)
    return learned.Model(weights={"bias": bias}, raise_at=raise_at, lower_at=lower_at, digest="test")


def test_an_emergency_from_the_deterministic_layers_is_never_lowered() -> None:
    base, feats = assess_layers("crushing chest pain going into my left arm, sweating and short of breath")
    assert base.level is Level.emergency_ambulance
    decided = apply_model(base, feats, _model_preferring(Level.self_care))
    assert decided.level is Level.emergency_ambulance
    assert decided.layers["model"].startswith("emergency_ambulance")


def test_the_model_raises_a_non_emergency_when_an_emergency_is_probable_enough() -> None:
    base, feats = assess_layers("I have had a runny nose and a mild cold for two days")
    assert not base.is_emergency
    raised = apply_model(base, feats, _model_preferring(Level.emergency, strength=1.0, raise_at=0.35))
    assert raised.level is Level.emergency
    assert "emergency department" in raised.rationale


def test_lowering_needs_a_confident_share_and_never_touches_an_unreadable_message() -> None:
    base, feats = assess_layers("my knee has been aching on and off for a few weeks when I climb stairs")
    assert base.level.rank < Level.self_care.rank
    unsure = learned.Model(weights={"bias": (0.0, 0.0, 0.0, 1.0, 1.2)}, raise_at=0.9, lower_at=0.9, digest="t")
    assert apply_model(base, feats, unsure).level is base.level
    sure = _model_preferring(Level.self_care, lower_at=0.5)
    assert apply_model(base, feats, sure).level is Level.self_care

    unreadable, feats = assess_layers("zxq vbnm qwerty plok")
    assert unreadable.needs_clinician
    assert apply_model(unreadable, feats, sure).level is unreadable.level


def test_assessments_say_what_each_layer_proposed() -> None:
    a = assess("my 3 week old baby has a temperature of 38.4")
    assert a.is_emergency
    assert {"rules", "findings"} <= set(a.layers)
    if learned.model() is not None:
        assert a.layers["model"].split()[0] in {x.value for x in Level}


def test_the_shipped_weights_were_trained_on_the_stored_cases_as_they_are() -> None:
    data = json.loads(learned.PATH.read_text(encoding="utf-8"))
    assert data["trained_on"], "the weights name the files they were trained on"
    for source in data["trained_on"]:
        path = ROOT / source["file"]
        assert "locked" not in path.name, "a locked part is never trained on"
        assert hashlib.sha256(path.read_bytes()).hexdigest()[:16] == source["sha256"], (
            f"{source['file']} changed since the weights were trained: run `python -m bench.train_triage`"
        )
    for source in data["calibration"]["files"]:
        path = ROOT / source["file"]
        assert source["file"] not in {s["file"] for s in data["trained_on"]}, "a calibration part is never trained on"
        assert hashlib.sha256(path.read_bytes()).hexdigest()[:16] == source["sha256"], (
            f"{source['file']} changed since the thresholds were calibrated: run `python -m bench.train_triage`"
        )
    model = learned.from_json(data)
    assert hashlib.sha256(json.dumps(model.weights, sort_keys=True).encode()).hexdigest()[:12] == data["digest"]
    assert not any(f.startswith("base:") for f in model.weights), "the model never sees the floor's level"


def test_training_is_deterministic() -> None:
    pytest.importorskip("numpy")
    from bench.train_triage import Example, fit

    texts = [
        ("crushing chest pain and sweating", Level.emergency_ambulance),
        ("a mild cold and runny nose", Level.self_care),
        ("burning when I pee since yesterday", Level.consultation_24),
        ("a mole that changed shape", Level.consultation),
    ] * 2
    train = [Example(f"t{i}", level, *assess_layers(text)) for i, (text, level) in enumerate(texts)]
    assert fit(train).digest == fit(train).digest


def test_a_red_flag_floor_is_never_lowered_by_the_model() -> None:
    base, feats = assess_layers("had unprotected sex last night")
    assert base.level is Level.consultation_24 and base.red_flags  # emergency contraception: time-critical
    sure = _model_preferring(Level.self_care, lower_at=0.5)
    assert apply_model(base, feats, sure).level is Level.consultation_24


def test_measurements_reach_the_model_through_the_physiology_layer_not_as_words() -> None:
    """2.8.11: the labels and units of observations are no words of the model's (they had been read as an
    emergency's, since clinicians wrote them mostly in emergencies); abnormal values still count through the
    physiology layer's findings."""
    note = "A 39-year-old man scalded his hand with steam an hour ago; redness only, no blisters."
    _, plain = assess_layers(note)
    _, normal = assess_layers(note + " HR 80, BP 120/70 mmHg, SpO2 99%, RR 16, temperature 36.8 C.")
    assert not {f for f in normal if f.startswith(("s:", "b:"))} - set(plain)
    _, abnormal = assess_layers(note + " HR 80, BP 120/70 mmHg, SpO2 86%, RR 16, temperature 36.8 C.")
    assert any(f.startswith("find:") and f not in normal for f in abnormal)


def test_the_japanese_layer_reads_every_bigram_it_was_trained_on() -> None:
    """2.8.15: the English measurement labels are no English words of the model's, but the Japanese layer reads
    character bigrams, and "hr" or "bp" there are two letters of a note that its weights were trained with (2.8.11
    had dropped them from Japanese too: the layer then met features it was not trained on)."""
    from agents.triage.engine import assess_layers_ja

    _, feats = assess_layers_ja("45歳男性。HR 80、BP 120/70、SpO2 98%。胸痛なし。")
    assert {"s:hr", "s:bp"} <= set(feats)
    _, english = assess_layers("45M. HR 80, BP 120/70, SpO2 98%. No chest pain.")
    assert not {"s:hr", "s:bp"} & set(english)
