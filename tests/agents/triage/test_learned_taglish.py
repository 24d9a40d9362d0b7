"""The Taglish learned layer (knowledge/learned_tl.json) decides only messages read as English mixed with Tagalog; an
English message is decided by the English layer's weights exactly as before, and the Taglish weights come from the
stored cases, at the English layer's raise thresholds (it lowers only when more confident)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from agents.triage import assess, learned
from agents.triage.engine import apply_model, assess_layers
from bench.train_triage import TAGLISH_LOWER_AT

ROOT = Path(__file__).resolve().parents[3]
TAGLISH = "may ubo po ako ng isang linggo na, may plema, walang lagnat"
ENGLISH = "I have had a cough for a week with some phlegm, no fever"


def test_a_taglish_message_is_decided_by_the_taglish_layer() -> None:
    base, feats = assess_layers(TAGLISH)
    assert base.layers["language"] == "glossed"
    taglish, english = learned.model_glossed(), learned.model()
    assert taglish is not None and english is not None and taglish.digest != english.digest
    assert taglish.probabilities(feats) != english.probabilities(feats)  # the check below can tell them apart
    assert assess(TAGLISH).layers["model"] == apply_model(base, feats, taglish).layers["model"]


def test_an_english_message_is_decided_by_the_english_layer_alone() -> None:
    base, feats = assess_layers(ENGLISH)
    assert "language" not in base.layers
    assert learned.model_for("english") is learned.model()
    assert assess(ENGLISH).layers["model"] == apply_model(base, feats, learned.model()).layers["model"]  # type: ignore[arg-type]


def test_the_taglish_weights_come_from_the_stored_cases_at_the_english_thresholds() -> None:
    data = json.loads(learned.GLOSSED_PATH.read_text(encoding="utf-8"))
    files = {source["file"] for source in data["trained_on"]}
    english = json.loads(learned.PATH.read_text(encoding="utf-8"))
    assert {s["file"] for s in english["trained_on"]} < files, "the English cases and the Taglish parts"
    assert any("dev50" in f for f in files) and any("dev51" in f for f in files)
    for source in (*data["trained_on"], *data["calibration"]["files"]):
        path = ROOT / source["file"]
        assert "locked" not in path.name and "calibration" not in path.name
        assert hashlib.sha256(path.read_bytes()).hexdigest()[:16] == source["sha256"], (
            f"{source['file']} changed since the Taglish weights were trained: run "
            "`python -m bench.train_triage --taglish`"
        )
    for key in ("raise_at", "raise_at_long"):
        assert data[key] == english[key]
    assert data["lower_at"] == TAGLISH_LOWER_AT > english["lower_at"], "it lowers only when more confident"
    model = learned.from_json(data)
    assert hashlib.sha256(json.dumps(model.weights, sort_keys=True).encode()).hexdigest()[:12] == data["digest"]


def test_a_taglish_complaint_no_rule_places_is_seen_within_24_hours_unless_the_layer_is_sure() -> None:
    """Read in part (a complaint recognised, no rule or finding placing it): not held for a clinician, as a message
    with nothing recognised is, but placed at a doctor within 24 hours, which only the Taglish layer may move."""
    base, feats = assess_layers("may bukol po sa leeg ko, 2 weeks na, hindi naman masakit")
    assert base.layers == {"rules": "none", "findings": "none", "language": "glossed"}
    assert base.level.value == "consultation_24" and not base.needs_clinician
    assert "complaint" not in base.missing_info and "could not read all" in base.rationale
    unsure = learned.Model(
        weights={"bias": (0.0, 0.0, 0.0, 1.0, 1.3)}, raise_at=0.9, lower_at=TAGLISH_LOWER_AT, digest="t"
    )
    assert apply_model(base, feats, unsure).level is base.level
