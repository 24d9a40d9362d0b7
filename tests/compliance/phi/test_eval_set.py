"""The committed evaluation set is well-formed and large enough."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "bench" / "data" / "phi_messages.jsonl"


def test_eval_set_shape() -> None:
    messages = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(messages) >= 500
    assert sum(len(m["keep"]) for m in messages) >= 200
    assert {m["voice"] for m in messages} == {"patient", "clinician"}
    for message in messages:
        for span in message["phi"] + message["keep"]:
            assert message["text"][span["start"] : span["end"]] == span["value"]
