"""Exports for people with spreadsheets: dates a spreadsheet reads, a BOM when asked, names that say what the
file holds, the clinician's reply text; and a consult exported in the name of the clinician who asked."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.auth import issue_token
from app.routes import audit
from app.settings import Settings
from app.users import UserStore
from compliance.audit import AccessEvent, AuditTrail
from compliance.export.csv_format import spreadsheet_time
from tests.compliance.conftest import AUDIT_KEY, turn

TOKEN_KEY = "token-key-for-tests"
REPLY = "Please come in today, <PERSON_1>; bring your inhaler."


@pytest.fixture
def trail(tmp_path):
    trail = AuditTrail(f"sqlite:///{tmp_path / 'audit.db'}", AUDIT_KEY, checkpoint_every=0)
    trail.create_schema()
    trail.record_turn(turn("s-a", 0, urgency="em", level="emergency"))
    trail.record_turn(turn("s-a", 1, audience="clinician", actor="dr.lee", redacted_text="Is ü-ß-é fine? (<PERSON_1>)"))
    trail.record_access(
        AccessEvent(
            actor="dr.lee",
            role="clinician",
            action="reply",
            target="s-a",
            session_id="s-a",
            detail={"message_id": "r-1", "redacted_text": REPLY, "delivered": 1},
        )
    )
    yield trail
    trail.dispose()


@pytest.fixture
def client(trail, tmp_path):
    app = FastAPI()
    app.state.settings = Settings(data_dir=tmp_path, token_key=TOKEN_KEY)
    app.state.trail = trail
    users = UserStore(app.state.settings.resolved_database_url)
    users.create_schema()
    users.create("olga", "compliance", "a long enough passphrase")
    users.engine.dispose()
    app.include_router(audit.router)
    with TestClient(app) as client:
        client.headers["Authorization"] = "Bearer " + issue_token(TOKEN_KEY.encode(), "olga", "compliance", version=0)
        yield client


def test_csv_rows_carry_spreadsheet_dates_and_the_reply_text(client, trail):
    response = client.get("/api/audit/export", params={"format": "csv", "session": "s-a"})
    assert not response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    stored = [e for e in trail.entries() if e.session_id == "s-a"]
    assert [r["recorded_at"] for r in rows] == [spreadsheet_time(e.recorded_at) for e in stored]
    for row, entry in zip(rows, stored, strict=True):
        # "YYYY-MM-DD HH:MM:SS.mmm": what Excel, LibreOffice and Sheets take for a date and time
        assert datetime.strptime(row["recorded_at"], "%Y-%m-%d %H:%M:%S.%f").replace(
            tzinfo=UTC
        ) == entry.recorded_at.replace(microsecond=entry.recorded_at.microsecond // 1000 * 1000)
    reply = next(r for r in rows if r["action"] == "reply")
    assert reply["redacted_text"] == REPLY and reply["actor"] == "dr.lee"
    consult = next(r for r in rows if r["kind"] == "turn" and r["actor"])
    assert consult["actor"] == "dr.lee" and consult["session_id"] == "s-a"


def test_bom_on_request_and_file_names_that_say_the_range_and_filter(client):
    response = client.get(
        "/api/audit/export",
        params={
            "format": "csv",
            "bom": "true",
            "since": "2026-01-01T00:00:00Z",
            "until": "2026-01-03T00:00:00Z",
            "urgency": "em",
            "session_prefix": "s-a",
        },
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[0] == "seq"
    disposition = response.headers["content-disposition"]
    assert disposition == 'attachment; filename="triage-audit_2026-01-01_to_2026-01-02_urgency-em_session-s-a.csv"'
    fhir = client.get("/api/audit/export", params={"format": "fhir", "bom": "true", "level": "emergency"})
    assert fhir.content.startswith(b"{"), "only a CSV ever gets a byte order mark"
    assert 'filename="triage-audit_all-dates_level-emergency.json"' in fhir.headers["content-disposition"]
    consults = client.get("/api/audit/export", params={"format": "jsonl", "kind": "turn", "audience": "clinician"})
    assert [json.loads(line)["actor"] for line in consults.text.splitlines()] == ["dr.lee"]
    assert "kind-turn_audience-clinician" in consults.headers["content-disposition"]


def test_a_consult_is_exported_as_asked_by_its_clinician(client):
    bundle = client.get("/api/audit/export", params={"format": "fhir", "kind": "turn"}).json()
    patient, consult = (item["resource"] for item in bundle["entry"])
    assert patient["agent"][0]["type"]["coding"][0]["code"] == "PAT"
    assert consult["agent"][0]["who"]["identifier"] == {"system": "urn:triage:user", "value": "dr.lee"}
    assert consult["agent"][0]["requestor"] is True
