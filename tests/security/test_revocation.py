"""Staff access can be revoked (issue 16, part 4), over the real app with real sign-ins:
`triage users disable`, sign-out and a new password end every token the account holds, on every route and on
an open `/ws/clinician`, within the account cache time (5 s); tokens are short-lived and renewed while in use."""

from __future__ import annotations

import asyncio
import base64
import json
import time

import httpx
import pytest
from websockets.asyncio.client import connect

from app.auth import issue_token, read_token
from tests.security.helpers import (
    PASSWORD,
    bearer,
    denials,
    form_sign_in,
    make_staff,
    page_csrf,
    run_cli,
    sign_in,
    socket_refusal,
)
from tests.support.chat_client import ask
from tests.support.servers import running_app

pytestmark = pytest.mark.integration

ACCOUNT_CACHE_S = 5.0  # the default: what production gets


@pytest.fixture(scope="module")
def staff_app(tmp_path_factory):
    """An app of this module's own: its sign-in throttle (10 per address) is spent on this module alone."""
    data_dir = tmp_path_factory.mktemp("revocation")
    make_staff(data_dir)
    with running_app(data_dir) as app:
        app.admin = sign_in(app.http, "root")
        yield app


def new_clinician(app, username: str) -> None:
    made = httpx.post(
        app.http + "/api/users",
        headers=bearer(app.admin),
        timeout=30,
        json={"username": username, "role": "clinician", "password": PASSWORD},
    )
    assert made.status_code == 201, made.text


async def patient_session(app) -> str:
    conn = await connect(app.ws + "/ws/chat")
    async with conn:
        session_id = json.loads(await conn.recv())["session_id"]
        await ask(conn, "I have had a mild sore throat since yesterday")
    return session_id


def staff_actions(session_id: str) -> list[tuple[str, dict | None]]:
    base = f"/api/clinician/sessions/{session_id}"
    return [
        (f"{base}/takeover", None),
        (f"{base}/reply", {"text": "A nurse here."}),
        (f"{base}/release", None),
        (f"{base}/reidentify", None),
    ]


def act(client: httpx.Client, path: str, body: dict | None, headers: dict[str, str]) -> int:
    return client.post(path, json=body, headers=headers).status_code


async def wait_refused(app, token: str, limit_s: float) -> float:
    """Seconds until the token is refused (401) on `/api/me`; fails past `limit_s`."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        if httpx.get(app.http + "/api/me", headers=bearer(token), timeout=10).status_code == 401:
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    pytest.fail(f"token still honoured {limit_s}s after revocation")


async def closed_with(conn, limit_s: float) -> tuple[list[dict], int | None]:
    frames = []
    try:
        async with asyncio.timeout(limit_s):
            async for raw in conn:
                frames.append(json.loads(raw))
    except TimeoutError:
        pytest.fail(f"open staff socket still open {limit_s}s after revocation")
    except Exception:  # noqa: BLE001 - closed: the close code says how
        pass
    return [f for f in frames if f["type"] == "error"], conn.close_code


async def test_disabled_account_loses_every_route_and_its_open_socket_within_the_cache_time(staff_app):
    app = staff_app
    new_clinician(app, "dr.gone")
    session_id = await patient_session(app)
    program = sign_in(app.http, "dr.gone")
    with httpx.Client(base_url=app.http, timeout=30) as plain:
        for path, body in staff_actions(session_id):  # everything works before
            assert act(plain, path, body, bearer(program)) == 200, path
    browser = form_sign_in(app.http, "dr.gone")
    assert browser.get("/clinician").status_code == 200
    live = await connect(app.ws + f"/ws/clinician?token={program}")
    assert json.loads(await live.recv())["type"] == "snapshot"

    done = run_cli(app.data_dir, "users", "disable", "--username", "dr.gone")
    assert done.returncode == 0, done.stderr
    assert await wait_refused(app, program, ACCOUNT_CACHE_S + 2) <= ACCOUNT_CACHE_S + 1
    errors, code = await closed_with(live, ACCOUNT_CACHE_S + 3)
    assert code == 1008 and errors[-1]["code"] == "unauthorized" and errors[-1]["closing"] is True

    before = len(denials(app.data_dir))
    with httpx.Client(base_url=app.http, timeout=30) as plain:
        for path, body in staff_actions(session_id):
            assert act(plain, path, body, bearer(program)) == 401, path  # the bearer token
            assert act(browser, path, body, {}) == 401, path  # the cookie: refused as revoked, before any CSRF check
    assert browser.get("/clinician").status_code == 401
    for kwargs in (
        {"additional_headers": bearer(program)},
        {"additional_headers": {"Cookie": f"triage_token={program}"}},
    ):
        code, frames = await socket_refusal(app.ws + "/ws/clinician", **kwargs)
        assert code == 1008 and frames[0]["code"] == "unauthorized"
    refused = [e for e in denials(app.data_dir)[before:] if e["actor"] == "dr.gone"]
    assert len(refused) == 2 * len(staff_actions(session_id)) + 1 + 2  # every refusal is on the record
    assert {e["reason"] for e in refused} == {"unauthenticated"}
    browser.close()


async def test_sign_out_ends_the_old_cookie_and_every_other_token_of_the_account(staff_app):
    app = staff_app
    new_clinician(app, "dr.out")
    browser = form_sign_in(app.http, "dr.out")
    old_cookie = browser.cookies["triage_token"]
    other_device = sign_in(app.http, "dr.out")
    assert browser.get("/api/me").status_code == 200
    out = browser.post("/logout", data={"csrf_token": page_csrf(browser)})
    assert out.status_code == 303 and 'triage_token=""' in out.headers["set-cookie"]
    with httpx.Client(base_url=app.http, cookies={"triage_token": old_cookie}, timeout=30) as replay:
        assert replay.get("/api/me").status_code == 401  # at once: the app that signed out knows
        assert replay.get("/clinician").status_code == 401
    assert httpx.get(app.http + "/api/me", headers=bearer(other_device)).status_code == 401
    code, frames = await socket_refusal(
        app.ws + "/ws/clinician", additional_headers={"Cookie": f"triage_token={old_cookie}"}
    )
    assert code == 1008 and frames[0]["code"] == "unauthorized"
    browser.close()


async def test_a_new_password_revokes_tokens_issued_before_it(staff_app):
    app = staff_app
    new_clinician(app, "dr.pw")
    before = sign_in(app.http, "dr.pw")
    done = run_cli(
        app.data_dir, "users", "password", "--username", "dr.pw", "--password-stdin", stdin="a brand new passphrase\n"
    )
    assert done.returncode == 0, done.stderr
    assert await wait_refused(app, before, ACCOUNT_CACHE_S + 2) <= ACCOUNT_CACHE_S + 1
    after = sign_in(app.http, "dr.pw", "a brand new passphrase")
    assert httpx.get(app.http + "/api/me", headers=bearer(after)).status_code == 200


def _payload(token: str) -> dict:
    body = token.split(".")[-2]  # `<key id>.<payload>.<signature>`
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


async def test_staff_tokens_are_short_lived_and_renewed_while_in_use(staff_app):
    app = staff_app
    new_clinician(app, "dr.renew")
    login = httpx.post(app.http + "/api/login", json={"username": "dr.renew", "password": PASSWORD}).json()
    assert login["expires_in"] == 600  # ten minutes, not thirty
    token = login["access_token"]
    claims = _payload(token)
    assert {"version", "sid", "signed_in_at"} <= claims.keys()

    renewed = httpx.post(app.http + "/api/session/renew", headers=bearer(token)).json()
    assert _payload(renewed["access_token"])["sid"] == claims["sid"] and renewed["expires_in"] <= 600
    with httpx.Client(base_url=app.http, cookies={"triage_token": token}, timeout=30) as page:
        assert page.post("/api/session/renew").status_code == 403  # a cookie needs the page's CSRF token
        answer = page.post("/api/session/renew", headers={"X-CSRF-Token": page_csrf(page)})
        assert answer.status_code == 200 and "access_token" not in answer.json()
        assert "triage_token=" in answer.headers["set-cookie"]

    # A page visit renews a cookie past half its life (same sign-in, fresh lifetime).
    key = json.loads((app.data_dir / "secrets.json").read_text())["token_key"].encode()
    aging = issue_token(
        key,
        "dr.renew",
        "clinician",
        version=claims["version"],
        sid=claims["sid"],
        signed_in_at=claims["signed_in_at"],
        expires_at=time.time() + 120,
    )
    with httpx.Client(base_url=app.http, cookies={"triage_token": aging}, timeout=30) as page:
        visit = page.get("/clinician")
        fresh = visit.cookies.get("triage_token")
        assert visit.status_code == 200 and fresh and fresh != aging
        assert read_token(key, fresh).expires_at > time.time() + 500

    # A revoked sign-in cannot renew itself back.
    httpx.post(app.http + "/api/logout", headers=bearer(token)).raise_for_status()
    assert httpx.post(app.http + "/api/session/renew", headers=bearer(renewed["access_token"])).status_code == 401
