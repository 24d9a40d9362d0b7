"""The denial matrix over the real app: each role is refused what is not its own, and each refusal is audited."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.security.conftest import WIDGET_ORIGIN
from tests.security.helpers import bearer, denials, socket_refusal
from tests.support.chat_client import ask, open_chat

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def app(secured_app):
    return secured_app


@pytest.fixture(scope="module")
def patients(app):
    """Two patients, each with a session (one message in it) and the token bound to it."""

    async def one() -> tuple[str, str]:
        conn = await connect(app.ws + "/ws/chat")
        async with conn:
            hello = json.loads(await conn.recv())
            await ask(conn, "I have a mild headache since this morning")
        return hello["session_id"], hello["token"]

    return [asyncio.run(one()) for _ in range(2)]


def _call(app, method: str, path: str, token: str | None, **kwargs) -> int:
    return httpx.request(method, app.http + path, headers=bearer(token), timeout=30, **kwargs).status_code


async def test_http_denial_matrix_and_each_denial_is_audited(app, patients):
    (own, patient), (other, _) = patients
    clin, comp = app.tokens["clin"], app.tokens["comp"]
    cases = [
        # (who, token, method, path, json, expected)
        ("patient", patient, "GET", f"/api/clinician/sessions/{other}", None, 403),
        ("patient", patient, "GET", "/api/clinician/sessions", None, 403),
        ("patient", patient, "GET", f"/api/audit/sessions/{own}", None, 403),
        ("patient", patient, "GET", "/api/audit/decisions", None, 403),
        ("patient", patient, "GET", "/api/audit/export?format=jsonl", None, 403),
        ("patient", patient, "GET", "/api/users", None, 403),
        ("clinician", clin, "GET", "/api/audit/export?format=csv", None, 403),
        ("clinician", clin, "GET", "/api/audit/decisions", None, 403),
        ("clinician", clin, "GET", "/api/users", None, 403),
        ("clinician", clin, "POST", "/api/users", {"username": "mallory", "role": "admin", "password": "x" * 16}, 403),
        ("compliance", comp, "POST", f"/api/clinician/sessions/{own}/takeover", None, 403),
        ("compliance", comp, "POST", f"/api/clinician/sessions/{own}/reply", {"text": "hello"}, 403),
        ("compliance", comp, "GET", "/api/clinician/sessions", None, 403),
        ("compliance", comp, "POST", "/api/users", {"username": "mallory", "role": "admin", "password": "x" * 16}, 403),
        ("anonymous", None, "GET", "/api/clinician/sessions", None, 401),
        ("anonymous", None, "GET", "/api/audit/decisions", None, 401),
        ("anonymous", None, "GET", "/api/audit/export?format=fhir", None, 401),
        ("anonymous", None, "GET", "/api/users", None, 401),
        ("anonymous", None, "POST", f"/api/clinician/sessions/{own}/takeover", None, 401),
        ("forged", patient[:-4] + "0000", "GET", "/api/clinician/sessions", None, 401),
    ]
    before = len(denials(app.data_dir))
    for who, token, method, path, body, expected in cases:
        assert _call(app, method, path, token, json=body) == expected, (who, method, path)
    recorded = denials(app.data_dir)[before:]
    assert len(recorded) == len(cases)
    for (who, _token, method, path, _body, expected), event in zip(cases, recorded, strict=True):
        assert event["status"] == expected
        assert event["method"] == method and event["target"] == path.split("?")[0]
        assert event["reason"] == ("forbidden" if expected == 403 else "unauthenticated")
        assert event["role"] == (who if who in ("patient", "clinician", "compliance") else None)
        assert event["source"] == "127.0.0.1"


async def test_roles_reach_what_is_theirs(app, patients):
    (_own, _), _ = patients
    assert _call(app, "GET", "/api/clinician/sessions", app.tokens["clin"]) == 200
    assert _call(app, "GET", "/api/audit/decisions", app.tokens["comp"]) == 200
    assert _call(app, "GET", "/api/audit/export?format=jsonl", app.tokens["comp"]) == 200
    assert _call(app, "GET", "/api/users", app.tokens["root"]) == 200
    response = httpx.get(app.http + "/api/me", headers=bearer(app.tokens["clin"]))
    assert response.json()["role"] == "clinician"


async def test_staff_socket_refuses_anonymous_patients_and_compliance_with_1008(app, patients):
    (_, patient), _ = patients
    before = len(denials(app.data_dir))
    for token, code in ((None, "unauthorized"), (patient, "forbidden"), (app.tokens["comp"], "forbidden")):
        url = app.ws + "/ws/clinician" + (f"?token={token}" if token else "")
        close_code, frames = await socket_refusal(url)
        assert close_code == 1008
        assert frames == [{"type": "error", "code": code, "detail": frames[0]["detail"], "closing": True}]
    events = denials(app.data_dir)[before:]
    assert [(e["channel"], e["status"], e["role"]) for e in events] == [
        ("websocket", 1008, None),
        ("websocket", 1008, "patient"),
        ("websocket", 1008, "compliance"),
    ]
    conn = await connect(app.ws + f"/ws/clinician?token={app.tokens['clin']}")
    async with conn:
        assert json.loads(await conn.recv())["type"] == "snapshot"


async def test_patient_cannot_resume_another_patients_session(app, patients):
    (own, own_token), (other, _) = patients
    before = len(denials(app.data_dir))
    conn = await connect(app.ws + f"/ws/chat?session_id={other}&resume={own_token}")
    async with conn:
        hello = json.loads(await conn.recv())
        error = json.loads(await conn.recv())
    assert hello["session_id"] not in (own, other) and hello["resumed"] is False
    assert error["code"] == "resume_rejected"
    [event] = denials(app.data_dir)[before:]
    assert event["reason"] == "resume_rejected" and event["session_id"] == other


async def test_foreign_origin_is_refused_before_accept_and_audited(app):
    before = len(denials(app.data_dir))
    status, frames = await socket_refusal(app.ws + "/ws/chat", origin="https://evil.example")
    assert status == 403 and frames == []
    [event] = denials(app.data_dir)[before:]
    assert event["reason"] == "origin" and event["status"] == 1008
    for origin in (WIDGET_ORIGIN, app.http):  # the widget's site, and the app's own origin
        conn = await connect(app.ws + "/ws/chat", origin=origin)
        async with conn:
            assert json.loads(await conn.recv())["type"] == "session"
    conn, _ = await open_chat(app.ws)  # no Origin at all: not a browser
    await conn.close()


def test_security_headers(app):
    page = httpx.get(app.http + "/")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert f"frame-ancestors 'self' {WIDGET_ORIGIN}" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "camera=()" in page.headers["permissions-policy"]
    assert "strict-transport-security" not in page.headers
    behind_tls = httpx.get(app.http + "/api/me", headers={"X-Forwarded-Proto": "https"})
    assert behind_tls.status_code == 401
    assert behind_tls.headers["strict-transport-security"].startswith("max-age=")
    assert behind_tls.headers["cache-control"] == "no-store"
    assert httpx.get(app.http + "/healthz").headers["content-security-policy"] == csp
