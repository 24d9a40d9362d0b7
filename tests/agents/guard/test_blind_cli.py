"""`python -m bench.guard_eval --blind FILE` scores a new blind set in the documented format (bench/guard_eval.py) and
prints aggregates only: no line of the set ever appears in its output."""

from __future__ import annotations

import json
import subprocess
import sys

from bench.servers import REPO


def test_a_new_blind_file_is_scored_by_aggregates_only(tmp_path):
    lines: list[dict] = [
        {
            "id": "x-1",
            "level": "consultation_24",
            "text": "Mañana or next week, whenever suits, is fine for the GP.",
            "contradicts": True,
        },
        {"id": "x-2", "disposition": "routine", "tokens": ["Skip the ", "appoint", "ment entirely."]},
        {"id": "x-3", "level": "24h", "answer": "Please see a doctor within the next 24 hours.", "contradicts": False},
        {"id": "x-4", "level": "no such level", "text": "Whatever."},
    ]
    path = tmp_path / "blind.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bench.guard_eval", "--blind", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    out = done.stdout
    assert "| all | 3 | 2 (66.7%) | 2 (66.7%) |" in out  # the bad level counts as a contradiction not kept
    assert "Lines flagged as not contradicting: 1; cut: before 0 (0.0%), now 0 (0.0%)." in out
    assert "1 lines had no text or no known level" in out
    for line in lines:
        for value in (line.get("text"), line.get("answer"), *line.get("tokens", ())):
            assert value is None or value not in out
