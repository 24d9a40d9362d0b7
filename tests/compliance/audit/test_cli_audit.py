"""`triage audit verify|export|purge` (app/cli_audit.py), run in-process against a SQLite trail."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from app.cli import main
from compliance.audit import AuditTrail, EntryFilter
from tests.compliance.conftest import AUDIT_KEY, turn


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TRIAGE_AUDIT_HMAC_KEY", AUDIT_KEY.decode())
    monkeypatch.delenv("TRIAGE_DATABASE_URL", raising=False)
    trail = AuditTrail(f"sqlite:///{tmp_path / 'triage.db'}", AUDIT_KEY)
    trail.create_schema()
    trail.record_turn(turn("s-1", 0, urgency="em", level="emergency"))
    trail.record_turn(turn("s-2", 0, urgency="sc", level="self_care"))
    trail.dispose()
    return tmp_path


def trail_at(data_dir) -> AuditTrail:
    return AuditTrail(f"sqlite:///{data_dir / 'triage.db'}", AUDIT_KEY)


def test_verify_exits_0_when_intact_and_1_naming_the_bad_record(data_dir, capsys):
    assert main(["audit", "verify"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    trail = trail_at(data_dir)
    with trail.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET urgency = 'ne' WHERE seq = 2"))
    assert main(["audit", "verify"]) == 1
    captured = capsys.readouterr()
    assert "seq 2" in captured.err and "edited" in captured.err


def test_export_writes_the_file_whole_and_records_itself(data_dir, capsys):
    out = data_dir / "em.jsonl"
    assert main(["audit", "export", "--format", "jsonl", "--urgency", "em", "-o", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["session_id"] for line in lines] == ["s-1"]
    assert not list(data_dir.glob("*.partial"))
    exports = list(trail_at(data_dir).entries(EntryFilter(kinds=("export",))))
    assert exports[0].content["access"]["detail"]["urgency"] == "em"


def test_export_to_stdout_in_fhir(data_dir, capsys):
    assert main(["audit", "export", "--format", "fhir", "--session", "s-2"]) == 0
    bundle = json.loads(capsys.readouterr().out)
    assert bundle["resourceType"] == "Bundle" and len(bundle["entry"]) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["audit", "export", "--format", "xml"],
        ["audit", "export", "--format", "csv", "--since", "last tuesday"],
        ["audit", "export", "--format", "csv", "--urgency", "high"],
    ],
)
def test_bad_arguments_exit_2_with_a_message_and_no_output(data_dir, capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "error" in captured.err


def test_an_inverted_range_exits_2_and_records_nothing(data_dir, capsys):
    before = trail_at(data_dir).count()
    assert main(["audit", "export", "--format", "csv", "--since", "2026-02-01", "--until", "2026-01-01"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "inverted" in captured.err
    assert trail_at(data_dir).count() == before


def test_purge_uses_the_cutoff_and_keeps_the_chain_verifiable(data_dir, capsys):
    cutoff = (datetime.now(UTC) + timedelta(seconds=-0.001)).isoformat()
    assert main(["audit", "purge", "--before", cutoff]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["purged"] == 2
    assert main(["audit", "verify"]) == 0


def test_purge_defaults_to_the_retention_period(data_dir, capsys, monkeypatch):
    monkeypatch.setenv("TRIAGE_AUDIT_RETENTION_DAYS", "30")
    assert main(["audit", "purge"]) == 0
    assert json.loads(capsys.readouterr().out)["purged"] == 0
    assert main(["audit", "purge", "--before", "2999-01-01"]) == 2
