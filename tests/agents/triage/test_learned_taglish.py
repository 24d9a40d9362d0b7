"""The Taglish learned layer (knowledge/learned_tl.json) decides only messages read as English mixed with Tagalog; an
English message is decided by the English layer's weights exactly as before, and the Taglish weights come from the
stored cases, at the English layer's thresholds."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from agents.triage import assess, learned
from agents.triage.engine import apply_model, assess_layers

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
    for key in ("raise_at", "raise_at_long", "lower_at"):
        assert data[key] == english[key]
    model = learned.from_json(data)
    assert hashlib.sha256(json.dumps(model.weights, sort_keys=True).encode()).hexdigest()[:12] == data["digest"]
