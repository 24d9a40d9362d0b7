"""`/api/audit`: compliance-only, read-only; lists, timelines, verify and exports, each view itself recorded."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.auth import issue_token
from app.routes import audit
from app.settings import Settings
from app.users import UserStore
from compliance.audit import AuditTrail, EntryFilter
from tests.compliance.conftest import AUDIT_KEY, turn

TOKEN_KEY = "token-key-for-tests"


@pytest.fixture
def trail(tmp_path):
    trail = AuditTrail(f"sqlite:///{tmp_path / 'audit.db'}", AUDIT_KEY, checkpoint_every=0)
    trail.create_schema()
    for n in range(4):
        trail.record_turn(turn("s-a", n, urgency="em", level="emergency"))
    for n in range(3):
        trail.record_turn(turn("s-b", n, urgency="sc", level="self_care"))
    yield trail
    trail.dispose()


@pytest.fixture
def client(trail, tmp_path):
    app = FastAPI()
    app.state.settings = Settings(data_dir=tmp_path, token_key=TOKEN_KEY)
    app.state.trail = trail
    users = UserStore(app.state.settings.resolved_database_url)
    users.create_schema()
    for username, role in ACCOUNTS.items():
        users.create(username, role, "a long enough passphrase")
    users.engine.dispose()
    app.include_router(audit.router)
    with TestClient(app) as client:
        yield client


#: Staff accounts the app's database holds (staff tokens are honoured only for a live account at its version).
ACCOUNTS = {"olga": "compliance", "clin": "clinician", "root": "admin"}
SUBJECT_OF = {role: name for name, role in ACCOUNTS.items()} | {"patient": "patient:s-a"}


def auth(role: str = "compliance", subject: str | None = None) -> dict[str, str]:
    """A token as sign-in issues it: a new account is at token version 0."""
    token = issue_token(TOKEN_KEY.encode(), subject or SUBJECT_OF[role], role, version=0 if role != "patient" else None)
    return {"Authorization": f"Bearer {token}"}


def test_only_compliance_and_admin_may_read(client):
    assert client.get("/api/audit/decisions").status_code == 401
    assert client.get("/api/audit/decisions", headers=auth("clinician")).status_code == 403
    assert client.get("/api/audit/verify", headers=auth("patient")).status_code == 403
    assert client.get("/api/audit/decisions", headers=auth("admin")).status_code == 200


def test_decisions_page_through_with_a_cursor_and_filters(client):
    first = client.get("/api/audit/decisions", params={"limit": 3}, headers=auth()).json()
    assert [i["seq"] for i in first["items"]] == [1, 2, 3] and first["next_cursor"] == 3
    second = client.get("/api/audit/decisions", params={"limit": 3, "cursor": 3}, headers=auth()).json()
    third = client.get(
        "/api/audit/decisions", params={"limit": 3, "cursor": second["next_cursor"]}, headers=auth()
    ).json()
    assert [i["seq"] for i in second["items"] + third["items"]] == [4, 5, 6, 7] and third["next_cursor"] is None
    assert all(i["kind"] == "turn" for i in first["items"])
    assert first["items"][0]["content"]["assessment"]["level"] == "emergency"
    urgent = client.get("/api/audit/decisions", params={"urgency": "sc"}, headers=auth()).json()["items"]
    assert {i["session_id"] for i in urgent} == {"s-b"}
    by_session = client.get("/api/audit/decisions", params={"session": "s-a"}, headers=auth()).json()["items"]
    assert len(by_session) == 4


def test_every_view_is_recorded_as_an_access_event(client, trail):
    client.get("/api/audit/decisions", headers=auth(subject="olga"))
    client.get("/api/audit/sessions/s-a", headers=auth(subject="olga"))
    events = list(trail.entries(EntryFilter(kinds=("access",))))
    assert [(e.actor, e.content["access"]["action"], e.content["access"]["target"]) for e in events] == [
        ("olga", "list", "decisions"),
        ("olga", "view", "session:s-a"),
    ]
    assert events[0].content["access"]["source"] == "testclient"


def test_session_timeline_and_single_entry(client):
    timeline = client.get("/api/audit/sessions/s-b", headers=auth()).json()
    kinds = [item["kind"] for item in timeline["items"]]
    assert timeline["session_id"] == "s-b" and kinds == ["turn"] * 3 + ["access"], "the view itself is on the timeline"
    audit_id = timeline["items"][0]["audit_id"]
    entry = client.get(f"/api/audit/entries/{audit_id}", headers=auth()).json()
    assert entry["audit_id"] == audit_id and entry["session_id"] == "s-b"
    assert client.get("/api/audit/entries/nope", headers=auth()).status_code == 404


def test_verify_reports_intact_then_names_the_first_bad_record(client, trail):
    report = client.get("/api/audit/verify", headers=auth()).json()
    assert report["ok"] is True and report["checked"] == 7
    with trail.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET level = 'self_care' WHERE seq = 2"))
    report = client.get("/api/audit/verify", headers=auth()).json()
    assert report["ok"] is False
    assert report["problem"]["seq"] == 2 and report["problem"]["kind"] == "edited"


@pytest.mark.parametrize(
    ("fmt", "media"), [("csv", "text/csv"), ("jsonl", "application/x-ndjson"), ("fhir", "application/fhir+json")]
)
def test_export_downloads_are_filtered_and_recorded(client, trail, fmt, media):
    response = client.get(
        "/api/audit/export", params={"format": fmt, "urgency": "em", "since": "2020-01-01T00:00:00Z"}, headers=auth()
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert "attachment" in response.headers["content-disposition"]
    audit_id = response.headers["x-audit-id"]
    body = response.text
    if fmt == "csv":
        assert {r["session_id"] for r in csv.DictReader(io.StringIO(body))} == {"s-a"}
    elif fmt == "jsonl":
        assert {json.loads(line)["session_id"] for line in body.splitlines()} == {"s-a"}
    else:
        assert len(json.loads(body)["entry"]) == 4
    exported = trail.get(audit_id)
    assert exported.kind == "export" and exported.actor == "olga"
    assert exported.content["access"]["detail"]["format"] == fmt


@pytest.mark.parametrize(
    "params",
    [
        {"format": "xml"},
        {"format": "csv", "since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
        {"format": "csv", "since": "not-a-date"},
        {"format": "csv", "until": "2026-13-45"},
        {"format": "csv", "urgency": "urgent"},
        {"format": "csv", "since": "0001-01-01T00:00:57+12:01"},
        {},
    ],
)
def test_bad_export_requests_get_422_and_record_nothing(client, trail, params):
    before = trail.count()
    response = client.get("/api/audit/export", params=params, headers=auth())
    assert response.status_code == 422
    assert response.json()["detail"]
    assert trail.count() == before


def test_inverted_range_on_the_list_is_422(client):
    response = client.get("/api/audit/decisions", params={"since": "2026-02-01", "until": "2026-01-01"}, headers=auth())
    assert response.status_code == 422 and "inverted" in response.json()["detail"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/audit/decisions",
        "/api/audit/sessions/s-a",
        "/api/audit/entries/x",
        "/api/audit/export",
        "/api/audit/verify",
    ],
)
def test_no_route_can_change_records(client, trail, method, path):
    before = trail.head()
    response = getattr(client, method)(path, headers=auth("admin"))
    assert response.status_code == 405
    assert trail.head() == before


def test_the_router_is_read_only_and_mounted_in_the_app(tmp_path):
    methods = {m for route in audit.router.routes for m in route.methods}
    assert methods <= {"GET", "HEAD"}
    from app.main import create_app

    app = create_app(Settings(data_dir=tmp_path))
    paths = app.openapi()["paths"]
    assert {"/api/audit/decisions", "/api/audit/verify", "/api/audit/export"} <= set(paths)
    assert {method for path, ops in paths.items() if path.startswith("/api/audit") for method in ops} == {"get"}
