"""`python -m bench.run --quick` end to end: every system starts, every phase runs, the results are well formed.

No timing assertions: figures belong to the benchmark (bench/results/), not to a unit test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.run import SYSTEMS

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
LATENCY_KEYS = {"triage_ms", "first_token_ms", "done_ms"}


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("bench")
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads((out / "latest.json").read_text()), out


def test_every_system_answers_every_phase(results):
    data, _ = results
    assert data["mode"] == "quick"
    assert set(data["systems"]) == set(SYSTEMS)
    for name, system in data["systems"].items():
        for phase in ("serial", "load", "saturate"):
            result = system[phase]
            assert result["completed"] > 0, (name, phase)
            assert result["errors"] == 0, (name, phase)
            assert set(result["latency"]) == LATENCY_KEYS
            for summary in result["latency"].values():
                assert summary["n"] > 0
                assert 0 < summary["p50"] <= summary["p95"] <= summary["p99"] <= summary["max"]
        assert system["saturate"]["throughput_msg_s"] > 0
        assert system["saturate"]["server_cpu_ms_per_msg"] > 0


def test_app_timings_come_from_its_own_audit_records(results):
    data, _ = results
    for name in ("app-local", "app-zero"):
        nodes = data["systems"][name]["nodes"]["serial"]
        for node in ("redact", "assess", "route", "generate", "reply"):
            assert nodes[node]["n"] > 0, (name, node)


def test_idle_memory_ratios_and_targets_are_reported(results):
    data, _ = results
    for name in ("app-local", "echo"):
        idle = data["systems"][name]["idle"]
        assert idle["open"] == idle["sessions"] and idle["rss_per_idle_connection_kib"] is not None
    for phase in ("serial", "load"):
        ratios = data["ratios"][phase]
        assert ratios["app_zero_excl_redaction_over_echo"] > 0
        assert ratios["naive_over_app_local_triage"] > 0
    assert {row["target"] for row in data["targets"]} >= {"message -> triage p50", "messages per second at saturation"}
    assert all(row["value"] is not None for row in data["targets"])
    assert data["machine"]["nproc"] >= 1 and data["machine"]["cpu_model"]


def test_files_are_written(results):
    _, out = results
    markdown = (out / "latest.md").read_text()
    assert "| app-local | load |" in markdown and "## Targets" in markdown
    svg = (out / "latency.svg").read_text()
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>") and "<path" in svg


def test_overload_accounts_for_every_message_and_never_refuses_an_emergency(results):
    data, out = results
    overload = data["overload"]
    assert overload["sent"] > 0 and overload["answered"] > 0
    assert overload["lost"] == 0 and overload["totals"]["lost"] == 0, "every message gets a final frame"
    assert overload["other_errors"] == 0, overload["error_codes"]
    assert overload["answered"] + overload["refused"] == overload["sent"]
    assert overload["emergencies_sent"] > 0 and overload["emergencies_refused"] == 0
    records = overload["audit_records"]
    assert records["all"] == overload["totals"]["sent"], "exactly one audit record per message"
    assert records.get("busy", 0) == overload["totals"].get("busy", 0)
    assert "## Overload" in (out / "latest.md").read_text()
