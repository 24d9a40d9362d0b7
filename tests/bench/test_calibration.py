"""The learned layer's raise thresholds are set by a fixed rule on the calibration parts (bench/train_triage.py)."""

from __future__ import annotations

import pytest

from agents.triage import learned
from agents.triage.engine import assess_layers
from agents.triage.levels import Level

pytest.importorskip("numpy")
from bench.train_triage import RELEASED_THRESHOLDS, SHORT_RAISE_LIMIT, THRESHOLDS, Example, calibrate

#: The labels below are the rule's input, not clinical judgements: a long message the layers leave below an
#: emergency, labelled one, stands for the long emergencies the layers miss.
LONG_MESSAGE = (
    "my knee has been aching on and off for a few weeks, mostly when I climb the stairs at work or "
    "walk the dog up the hill behind our house, and it clicks a bit when I bend it fully"
)
SHORT_MESSAGES = ("I have a headache", "sore throat since yesterday", "I feel dizzy")


def _example(i: int, text: str, level: Level) -> Example:
    return Example(f"t{i}", level, *assess_layers(text))


def _model(long_emergency: float) -> learned.Model:
    """Leans to an emergency for long messages only (the length band is a feature)."""
    weights = {
        "bias": (0.0, 0.0, 0.0, 0.0, 1.0),
        "len:13-30": tuple(long_emergency if x is Level.emergency else 0.0 for x in learned.LEVELS),
        "len:31+": tuple(long_emergency if x is Level.emergency else 0.0 for x in learned.LEVELS),
    }
    return learned.Model(weights=weights, raise_at=0.2, lower_at=0.99, digest="t")


def _p_emergency(model: learned.Model, example: Example) -> float:
    p = model.probabilities(example.features)
    return p[Level.emergency] + p[Level.emergency_ambulance]


def test_short_messages_stay_below_an_emergency_and_long_emergencies_are_caught() -> None:
    short = [_example(i, text, Level.self_care) for i, text in enumerate(SHORT_MESSAGES)]
    calibration = [_example(10 + i, LONG_MESSAGE, Level.emergency) for i in range(3)]
    assert all(not e.base.is_emergency for e in (*short, *calibration))
    model = _model(long_emergency=1.5)
    chosen = calibrate(model, calibration, short, ceiling=None)
    assert chosen.met
    assert chosen.chosen["short_raised"] <= SHORT_RAISE_LIMIT
    # the lowest threshold that raises no short message; the highest that still raises every long emergency
    assert chosen.raise_at == min(t for t in THRESHOLDS if t > _p_emergency(model, short[0]))
    assert chosen.raise_at_long == max(t for t in THRESHOLDS if t <= _p_emergency(model, calibration[0]))
    assert chosen.chosen["emergency_sensitivity"] == 1.0


def test_a_retrained_layer_never_raises_less_readily_than_the_release() -> None:
    """Session 31's ceiling: where the rule alone would choose a higher threshold than the release's (fewer raises),
    the release's is kept; below it, the rule's choice stands."""
    short = [_example(i, text, Level.self_care) for i, text in enumerate(SHORT_MESSAGES)]
    calibration = [_example(10 + i, LONG_MESSAGE, Level.emergency) for i in range(3)]
    model = _model(long_emergency=1.5)
    free = calibrate(model, calibration, short, ceiling=None)
    assert free.raise_at_long > RELEASED_THRESHOLDS[1], "the case must let the rule alone choose above the ceiling"
    capped = calibrate(model, calibration, short)
    assert (capped.raise_at, capped.raise_at_long) == (
        min(free.raise_at, RELEASED_THRESHOLDS[0]),
        RELEASED_THRESHOLDS[1],
    )
    assert capped.chosen["emergency_sensitivity"] == 1.0
    assert calibrate(model, calibration, short, ceiling=(0.9, 0.9)).raise_at_long == free.raise_at_long


def test_when_no_threshold_meets_the_rule_the_most_sensitive_is_kept_and_said() -> None:
    unsure = learned.Model(weights={"bias": (0.0, 0.0, 0.0, 0.0, 9.0)}, raise_at=0.2, lower_at=0.99, digest="t")
    short = [_example(1, "I have a headache", Level.self_care)]
    calibration = [_example(2, LONG_MESSAGE, Level.emergency)]
    chosen = calibrate(unsure, calibration, short)  # p(emergency) ~ 0.0002: no threshold on the grid raises it
    assert not chosen.met
    assert chosen.chosen["emergency_sensitivity"] == 0.0


def test_the_japanese_rule_keeps_every_emergency_even_past_the_raise_limit() -> None:
    """Session 17's rule (JA_RELEASED_CAUGHT): when the calibration set's emergencies are caught only by raising more
    than JA_RAISE_LIMIT of its other cases, the threshold that catches them is still taken (before, the most
    sensitive threshold within the limit was, and it missed them)."""
    from agents.triage.engine import assess_layers_ja
    from bench.train_triage import JA_RAISE_LIMIT, calibrate_japanese

    def example(i: int, text: str, level: Level) -> Example:
        return Example(f"j{i}", level, *assess_layers_ja(text))

    # one weight for every message: an emergency cannot be raised without raising every other case too
    flat = learned.Model(
        weights={"bias": tuple(1.0 if x is Level.emergency else 0.0 for x in learned.LEVELS)},
        raise_at=0.2,
        lower_at=0.99,
        digest="t",
    )
    calibration = [
        example(1, "膝が少し痛いです。階段を上るときに気になります。", Level.emergency),
        example(2, "膝が少し痛いです。階段を下りるときに気になります。", Level.emergency),
        example(3, "膝が少し痛いです。歩くときに気になります。", Level.self_care),
    ]
    assert not any(e.base.is_emergency for e in calibration)
    p = flat.probabilities(calibration[0].features)
    p_emergency = p[Level.emergency] + p[Level.emergency_ambulance]
    chosen = calibrate_japanese(flat, calibration)
    assert chosen.met
    assert chosen.raise_at == max(t for t in THRESHOLDS if t <= p_emergency)
    assert chosen.chosen["em_caught"] == 2 and chosen.chosen["raised"] > JA_RAISE_LIMIT
