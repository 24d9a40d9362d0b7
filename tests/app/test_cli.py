"""`triage assess` and `triage redact`: JSON Lines round trips through the real console entry point."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.servers import REPO


def run_cli(*args: str, stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], input=stdin, capture_output=True, text=True, cwd=REPO, timeout=120
    )


def test_assess_round_trip_keeps_input_fields_and_adds_the_verdict():
    lines = [
        {"text": "Sudden crushing chest pain spreading to my jaw, sweating", "age": 61, "sex": "male", "id": "a"},
        {"text": "I have a runny nose and sneezing since yesterday, no fever", "id": "b"},
    ]
    result = run_cli("assess", stdin="\n".join(json.dumps(x) for x in lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b"]
    assert out[0]["age"] == 61 and out[0]["sex"] == "male"
    assert out[0]["urgency"] == "em" and out[0]["red_flags"]
    assert out[1]["urgency"] in {"sc", "ne"} and out[1]["level"] != "emergency"
    for o in out:
        assert set(o) >= {"text", "level", "urgency", "red_flags", "rationale"}
        assert isinstance(o["rationale"], str) and o["rationale"]


@pytest.mark.parametrize(
    "bad, reason",
    [
        ("not json at all", "line 2"),
        ('{"no_text": 1}', "line 2"),
        ('{"text": "fever", "age": "old"}', "line 2"),
        ('{"text": "fever", "age": -4}', "line 2"),
        ("[1, 2]", "line 2"),
    ],
)
def test_assess_bad_line_names_the_line_and_fails_without_garbage(bad, reason):
    good = json.dumps({"text": "mild cough for two days"})
    result = run_cli("assess", stdin=f"{good}\n{bad}\n{good}\n")
    assert result.returncode != 0
    assert reason in result.stderr
    out = result.stdout.splitlines()
    assert len(out) == 2 and all(json.loads(line)["level"] for line in out)


def test_redact_round_trip_spans_point_into_the_original_text():
    text = "This is Maria Gonzalez, my phone is (212) 555-0143 and I have had a fever for 2 days."
    result = run_cli("redact", stdin=json.dumps({"text": text, "id": 7}) + "\n")
    assert result.returncode == 0, result.stderr
    (out,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert out["id"] == 7 and out["text"] == text
    assert "Maria" not in out["redacted"] and "555-0143" not in out["redacted"]
    assert "fever for 2 days" in out["redacted"]
    types = {s["type"] for s in out["spans"]}
    assert "PERSON" in types
    for span in out["spans"]:
        assert set(span) == {"start", "end", "type"}
        assert 0 <= span["start"] < span["end"] <= len(text)
    sliced = [text[s["start"] : s["end"]] for s in out["spans"]]
    assert any("Maria" in s for s in sliced) and any("555-0143" in s for s in sliced)


def test_redact_bad_line_names_the_line():
    result = run_cli("redact", stdin='{"text": "ok"}\n{"text": 5}\n')
    assert result.returncode != 0 and "line 2" in result.stderr
    assert len(result.stdout.splitlines()) == 1
