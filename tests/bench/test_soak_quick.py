"""`python -m bench.soak` in miniature: the real service, 20 sessions for 6 s; the results well formed, nothing lost.

No timing assertions: figures belong to the benchmark (bench/results/soak.md), not to a unit test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
ARGS = ["--sessions", "20", "--period-s", "2", "--duration-s", "6", "--window-s", "2"]


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("soak")
    proc = subprocess.run(
        [sys.executable, "-m", "bench.soak", *ARGS, "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads((out / "soak.json").read_text()), out


def test_every_window_is_reported(results):
    data, _ = results
    assert data["plan"]["sessions"] == 20 and data["plan"]["offered_msg_s"] == 10
    windows = data["windows"]
    assert [(w["from_s"], w["to_s"]) for w in windows] == [(0, 2), (2, 4), (4, 6)]
    for window in windows:
        assert window["sent"] > 0 and window["answered"] > 0
        assert window["sent"] == window["answered"] + window["busy"] + window["errors"] + window["lost"]
        assert set(window["triage_ms"]) == {"n", "p50", "p90", "p99"}
        assert set(window["first_token_ms"]) == {"n", "p50", "p99"}
        assert 0 < window["triage_ms"]["p50"] <= window["triage_ms"]["p90"] <= window["triage_ms"]["p99"]
        assert window["rss_mib"] > 0
    assert sum(w["sent"] for w in windows) == data["totals"]["sent"]
    assert data["rss"]["growth_mib"] == round(windows[-1]["rss_mib"] - windows[0]["rss_mib"], 1)
    assert data["machine"]["nproc"] >= 1 and data["machine"]["cpu_model"]


def test_nothing_is_lost(results):
    data, _ = results
    totals = data["totals"]
    # each session sends once per period: 20 sessions x 3 periods
    assert totals["sent"] == 60, totals
    assert totals["answered"] + totals["busy"] == totals["sent"] and totals["errors"] == 0, totals["error_codes"]
    assert data["lost"] == {"no_final_frame": 0, "no_audit_record": 0, "several_audit_records": 0}
    assert data["audit"]["turn_records"] == data["audit"]["acknowledged"] == totals["sent"]
    # the server's count of busy refusals (read from /metrics) is the client's
    assert set(data["admission"]) == {"refused_busy", "admitted_over_bound", "emergency_repeats"}
    assert data["admission"]["refused_busy"] == totals["busy"]
    assert data["connections"] == {
        "opened": 20,
        "open_s": data["connections"]["open_s"],
        "connect_errors": 0,
        "reconnects": 0,
        "socket_errors": {},
    }


def test_the_table_is_written(results):
    _, out = results
    markdown = (out / "soak.md").read_text()
    assert markdown.startswith("# Soak (20 sessions") and "Machine: " in markdown
    assert "| 0-2 |" in markdown and "| 4-6 |" in markdown and "| **all** |" in markdown
