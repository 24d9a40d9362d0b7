"""CSRF (issue 16, part 5), over the real app: the sign-in form's token is signed (a planted cookie and field of
the attacker's choosing no longer sign a victim in), and every state change authorised by the cookie needs the
page's CSRF token, bound to the sign-in, and no foreign `Origin`. Programs with a bearer token are unaffected."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.security.helpers import PASSWORD, bearer, denials, form_sign_in, make_staff, page_csrf, sign_in
from tests.support.chat_client import ask
from tests.support.servers import running_app

pytestmark = pytest.mark.integration

EVIL = "https://evil.example"


@pytest.fixture(scope="module")
def csrf_app(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("csrf")
    make_staff(data_dir, {"clin": "clinician", "root": "admin", "mallory": "clinician"})
    with running_app(data_dir) as app:
        yield app


async def live_session(app) -> str:
    conn = await connect(app.ws + "/ws/chat")
    async with conn:
        session_id = json.loads(await conn.recv())["session_id"]
        await ask(conn, "I have had a mild cough for two days")
    return session_id


def test_a_planted_csrf_cookie_cannot_sign_a_victim_into_the_attackers_account(csrf_app):
    before = len(denials(csrf_app.data_dir))
    attempts = [
        ({"triage_csrf": "x"}, "x", {}),  # the attacker's own pair
        ({"triage_csrf": "a" * 43}, "a" * 43, {}),  # long enough to pass for a nonce
    ]
    # A real pair from the attacker's own visit, replayed from the attacker's page: the Origin gives it away.
    with httpx.Client(base_url=csrf_app.http) as attacker:
        form = attacker.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        planted = {"triage_csrf": attacker.cookies["triage_csrf"]}
        attempts.append((planted, token, {"Origin": EVIL}))
        attempts.append((planted, token, {"Origin": "null"}))  # a sandboxed frame on the attacker's page
        attempts.append((planted, token, {"Sec-Fetch-Site": "same-site"}))  # a sibling subdomain
        attempts.append((planted, "0" * 64, {}))
    for cookies, field, headers in attempts:
        with httpx.Client(base_url=csrf_app.http, cookies=cookies) as victim:
            answer = victim.post(
                "/login", headers=headers, data={"username": "mallory", "password": PASSWORD, "csrf_token": field}
            )
            assert answer.status_code == 403, (cookies, field, headers)
            assert "triage_token" not in answer.headers.get("set-cookie", "")
    events = denials(csrf_app.data_dir)[before:]
    assert [(e["status"], e["reason"], e["target"]) for e in events] == [(403, "csrf", "/login")] * len(attempts)
    # The genuine form still works: from its own origin, and as Chromium sends it under `no-referrer`.
    assert form_sign_in(csrf_app.http, "mallory", Origin=csrf_app.http).cookies["triage_token"]
    assert form_sign_in(csrf_app.http, "mallory", **{"Origin": "null", "Sec-Fetch-Site": "same-origin"}).cookies[
        "triage_token"
    ]


async def test_cookie_state_changes_need_the_pages_token_and_no_foreign_origin(csrf_app):
    session_id = await live_session(csrf_app)
    browser = form_sign_in(csrf_app.http, "clin")
    base = f"/api/clinician/sessions/{session_id}"
    actions = (("takeover", None), ("reply", {"text": "hello"}), ("release", None), ("reidentify", None))
    before = len(denials(csrf_app.data_dir))
    # A foreign page riding the cookie, as the red team did; and a request with no token at all.
    for action, body in actions:
        for headers in ({"Origin": EVIL}, {}):
            assert browser.post(f"{base}/{action}", json=body, headers=headers).status_code == 403, (action, headers)
    token = page_csrf(browser)
    other = page_csrf(form_sign_in(csrf_app.http, "mallory"))  # a valid token, of another sign-in
    for action, body in actions:  # somebody else's token; the right token from the wrong site
        for headers in ({"X-CSRF-Token": other}, {"X-CSRF-Token": token, "Origin": EVIL}):
            assert browser.post(f"{base}/{action}", json=body, headers=headers).status_code == 403, (action, headers)
    events = denials(csrf_app.data_dir)[before:]
    assert len(events) == 4 * 4 and {(e["status"], e["reason"], e["actor"]) for e in events} == {(403, "csrf", "clin")}

    with_token = {"X-CSRF-Token": token, "Origin": csrf_app.http}
    for action, body in actions:
        assert browser.post(f"{base}/{action}", json=body, headers=with_token).status_code == 200, action
    admin = form_sign_in(csrf_app.http, "root")
    new_user = {"username": "nurse.x", "role": "clinician", "password": "a long enough passphrase"}
    assert admin.post("/api/users", json=new_user, headers={"Origin": EVIL}).status_code == 403
    assert admin.post("/api/users", json=new_user, headers={"X-CSRF-Token": page_csrf(admin)}).status_code == 201
    # A program's bearer token is not ambient: no CSRF token needed.
    program = sign_in(csrf_app.http, "clin")
    assert (
        httpx.post(csrf_app.http + f"{base}/takeover", headers={**bearer(program), "Origin": EVIL}).status_code == 200
    )


def test_sign_out_needs_the_pages_token(csrf_app):
    browser = form_sign_in(csrf_app.http, "root")
    forged = browser.post("/logout", data={"csrf_token": "x"}, headers={"Origin": EVIL})
    assert forged.status_code == 403 and browser.get("/api/me").status_code == 200  # still signed in
    assert browser.post("/logout", data={"csrf_token": page_csrf(browser)}).status_code == 303
    assert browser.get("/api/me").status_code == 401
