"""A clinician signs in through the real form in Chromium, the page renews its short-lived token while it is
open, acts with its CSRF token, and signing out ends the old cookie (issue 16, part 4/5)."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.security.helpers import PASSWORD, make_staff
from tests.support.servers import running_app

pytestmark = pytest.mark.browser

TTL_S = 60  # the shortest allowed: renewal comes once past half of it


@pytest.fixture(scope="module")
def short_lived_app(tmp_path_factory, chromium_path):
    data_dir = tmp_path_factory.mktemp("sign-in")
    make_staff(data_dir, {"dr.ray": "clinician"})
    with running_app(data_dir, {"TRIAGE_STAFF_TOKEN_TTL_S": str(TTL_S)}) as app:
        yield app


def token_cookie(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "triage_token")


def test_form_sign_in_silent_renewal_and_sign_out(new_context, short_lived_app):
    app = short_lived_app
    context = new_context()
    page = context.new_page()
    renewals: list[int] = []
    page.on("response", lambda r: renewals.append(r.status) if r.url.endswith("/api/session/renew") else None)
    page.goto(app.http + "/login?next=/clinician")
    page.get_by_label("Username").fill("dr.ray")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()  # the form's POST carries this page's Origin
    page.wait_for_url("**/clinician")
    page.locator("#link-status", has_text="Live").wait_for()
    first = token_cookie(context)

    deadline = time.monotonic() + TTL_S
    while not renewals and time.monotonic() < deadline:
        page.wait_for_timeout(1000)
    assert renewals == [200], "the open page renews its token past half its life"
    renewed = token_cookie(context)
    assert renewed != first
    assert httpx.get(app.http + "/api/me", cookies={"triage_token": renewed}).status_code == 200

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    for old in (first, renewed):
        assert httpx.get(app.http + "/api/me", cookies={"triage_token": old}).status_code == 401
