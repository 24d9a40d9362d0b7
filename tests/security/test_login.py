"""Staff sign-in over the real app: CSRF double-submit, cookie flags, throttling, and the accounts CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import httpx
import pytest

from app.users import UserError, UserStore
from tests.security.helpers import PASSWORD, bearer, denials
from tests.support.servers import REPO

pytestmark = pytest.mark.integration


def _form(client: httpx.Client) -> str:
    page = client.get("/login?next=/compliance")
    assert page.status_code == 200
    assert "<script" not in page.text
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_sign_in_sets_a_short_lived_strict_http_only_cookie(secured_app):
    with httpx.Client(base_url=secured_app.http) as client:
        csrf = _form(client)
        # As if behind a TLS proxy: the cookie must then be Secure.
        response = client.post(
            "/login",
            data={"username": "comp", "password": PASSWORD, "csrf_token": csrf, "next": "/compliance"},
            headers={"X-Forwarded-Proto": "https"},
        )
        assert response.status_code == 303 and response.headers["location"] == "/compliance"
        cookie = next(v for v in response.headers.get_list("set-cookie") if v.startswith("triage_token="))
        flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
        assert {"httponly", "secure", "samesite", "max-age"} <= flags and "samesite=strict" in cookie.lower()
        token = cookie.split(";")[0].split("=", 1)[1]
        assert httpx.get(secured_app.http + "/api/me", headers=bearer(token)).json()["role"] == "compliance"
        logout = client.post("/logout", data={"csrf_token": csrf})
        assert logout.status_code == 303 and 'triage_token=""' in logout.headers["set-cookie"]


def test_sign_in_refuses_missing_or_wrong_csrf_and_bad_passwords(secured_app):
    before = len(denials(secured_app.data_dir))
    with httpx.Client(base_url=secured_app.http) as client:
        csrf = _form(client)
        assert client.post("/login", data={"username": "comp", "password": PASSWORD}).status_code == 403
        assert (
            client.post("/login", data={"username": "comp", "password": PASSWORD, "csrf_token": "x" * 43}).status_code
            == 403
        )
        wrong = client.post("/login", data={"username": "comp", "password": "not the password", "csrf_token": csrf})
        assert wrong.status_code == 401 and "triage_token" not in wrong.headers.get("set-cookie", "")
        assert (
            client.post("/login", data={"username": "nobody", "password": PASSWORD, "csrf_token": csrf}).status_code
            == 401
        )
        # An open redirect is not followed: only paths on this site.
        ok = client.post(
            "/login", data={"username": "clin", "password": PASSWORD, "csrf_token": csrf, "next": "//evil.example/x"}
        )
        assert ok.status_code == 303 and ok.headers["location"] == "/clinician"
    events = denials(secured_app.data_dir)[before:]
    assert [(e["status"], e["target"]) for e in events] == [
        (403, "/login"),
        (403, "/login"),
        (401, "/login"),
        (401, "/login"),
    ]
    assert PASSWORD not in str(events)


def test_admin_makes_accounts_and_nobody_else_does(secured_app):
    body = {"username": "nurse.jo", "role": "clinician", "password": "a long enough passphrase"}
    assert (
        httpx.post(secured_app.http + "/api/users", json=body, headers=bearer(secured_app.tokens["clin"])).status_code
        == 403
    )
    made = httpx.post(secured_app.http + "/api/users", json=body, headers=bearer(secured_app.tokens["root"]))
    assert made.status_code == 201 and made.json()["role"] == "clinician" and "password" not in made.text
    weak = httpx.post(
        secured_app.http + "/api/users",
        headers=bearer(secured_app.tokens["root"]),
        json={**body, "username": "nurse.al", "password": "short"},
    )
    assert weak.status_code == 422


def test_users_create_reads_the_password_from_stdin_and_stores_only_a_hash(tmp_path):
    env = {**os.environ, "TRIAGE_DATA_DIR": str(tmp_path)}
    command = [
        sys.executable,
        "-m",
        "app.cli",
        "users",
        "create",
        "--username",
        "dr.who",
        "--role",
        "clinician",
        "--password-stdin",
    ]
    done = subprocess.run(command, input="tardis tardis tardis\n", capture_output=True, text=True, env=env, cwd=REPO)
    assert done.returncode == 0, done.stderr
    again = subprocess.run(command, input="tardis tardis tardis\n", capture_output=True, text=True, env=env, cwd=REPO)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert b"tardis" not in (tmp_path / "triage.db").read_bytes()
    store = UserStore(f"sqlite:///{tmp_path / 'triage.db'}")
    assert store.authenticate("dr.who", "tardis tardis tardis").role == "clinician"
    assert store.authenticate("dr.who", "wrong password!!") is None
    with pytest.raises(UserError):
        store.create("x", "clinician", "a long enough passphrase")
    with pytest.raises(UserError):
        store.create("nurse", "root", "a long enough passphrase")
