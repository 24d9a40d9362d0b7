"""An admin manages staff accounts and sets up the patient widget in Chromium (issue 18, "Admins and newcomers").

Accounts: create, role, new password, disable, each through the page (its CSRF token, as every staff action),
each taking effect at once and recorded in the audit trail; the page and its API are for admins only. Widget:
the script tag for this deployment follows the options, the preview shows the widget as configured, and the
origins the server allows are listed. The sign-in page and these pages have no serious accessibility finding."""

from __future__ import annotations

import json
import sqlite3

import httpx
import pytest

from app.users import UserStore
from tests.browser.axe import assert_accessible
from tests.browser.conftest import staff_token

pytestmark = pytest.mark.browser

ADMIN = "root.admin"
FIRST_PASSWORD = "a first passphrase, long enough"
NEW_PASSWORD = "a second passphrase, longer still"


def account_events(data_dir) -> list[tuple[str, dict]]:
    with sqlite3.connect(data_dir / "triage.db") as db:
        rows = db.execute("SELECT actor, content FROM audit_entry WHERE kind = 'access' ORDER BY seq").fetchall()
    events = [(actor, json.loads(content)["access"]) for actor, content in rows]
    return [(actor, a) for actor, a in events if a["action"].startswith("account_")]


def store(app) -> UserStore:
    return UserStore(f"sqlite:///{app.data_dir / 'triage.db'}")


@pytest.fixture(scope="module")
def admin_token(triage_app):
    return staff_token(triage_app, ADMIN, "admin")


@pytest.fixture
def admin(new_context, triage_app, admin_token):
    context = new_context()
    context.add_cookies(
        [{"name": "triage_token", "value": admin_token, "url": triage_app.http, "httpOnly": True, "sameSite": "Strict"}]
    )
    return context.new_page()


def test_an_admin_creates_changes_and_disables_an_account_each_audited(admin, triage_app, screenshots):
    page, app = admin, triage_app
    page.goto(app.http + "/admin/accounts")
    page.locator(f'#accounts tr[data-username="{ADMIN}"]').wait_for()
    assert_accessible(page)

    page.get_by_label("Username").fill("nurse.kim")
    page.locator("#new-role").select_option("clinician")
    page.get_by_label("Password", exact=True).fill(FIRST_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.locator("#accounts-status", has_text="Created clinician account nurse.kim").wait_for()
    row = page.locator('#accounts tr[data-username="nurse.kim"]')
    assert "Active" in row.text_content()
    kim = httpx.post(app.http + "/api/login", json={"username": "nurse.kim", "password": FIRST_PASSWORD}).json()
    assert kim["role"] == "clinician"
    as_kim = {"Authorization": f"Bearer {kim['access_token']}"}
    assert httpx.get(app.http + "/api/me", headers=as_kim).status_code == 200

    row.get_by_label("Role of nurse.kim").select_option("compliance")
    row.get_by_role("button", name="Save role").click()
    page.locator("#accounts-status", has_text="nurse.kim is now compliance").wait_for()
    assert store(app).get("nurse.kim").role == "compliance"
    assert httpx.get(app.http + "/api/me", headers=as_kim).status_code == 401, (
        "a new role ends the old sign-ins at once"
    )

    row.get_by_role("button", name="New password").click()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.locator("#accounts-status", has_text="nurse.kim has a new password").wait_for()
    assert store(app).authenticate("nurse.kim", NEW_PASSWORD) is not None
    assert store(app).authenticate("nurse.kim", FIRST_PASSWORD) is None

    row.get_by_role("button", name="Disable").click()
    page.locator("#accounts-status", has_text="nurse.kim is disabled").wait_for()
    row.locator("td", has_text="Disabled").wait_for()
    assert store(app).authenticate("nurse.kim", NEW_PASSWORD) is None
    assert page.locator(f'#accounts tr[data-username="{ADMIN}"] button', has_text="Disable").is_disabled(), (
        "an admin cannot lock themselves out here"
    )
    page.screenshot(path=screenshots / "admin-accounts.png", full_page=True)

    events = [
        (actor, a["action"], a["target"])
        for actor, a in account_events(app.data_dir)
        if a["target"] == "user:nurse.kim"
    ]
    assert events == [
        (ADMIN, action, "user:nurse.kim")
        for action in ("account_create", "account_role", "account_password", "account_disable")
    ]
    recorded = json.dumps([a for _, a in account_events(app.data_dir)])
    assert FIRST_PASSWORD not in recorded and NEW_PASSWORD not in recorded


def test_accounts_are_for_admins_only_and_changes_need_the_pages_csrf_token(
    admin, new_context, triage_app, admin_token
):
    app = triage_app
    clinician = new_context()
    clinician.add_cookies(
        [
            {
                "name": "triage_token",
                "value": staff_token(app, "dr.notadmin", "clinician"),
                "url": app.http,
                "httpOnly": True,
                "sameSite": "Strict",
            }
        ]
    )
    page = clinician.new_page()
    assert page.goto(app.http + "/admin/accounts").status == 403
    assert page.goto(app.http + "/admin/widget").status == 403

    admin.goto(app.http + "/admin/accounts")
    admin.locator('#accounts tr[data-username="dr.notadmin"]').wait_for()
    # The admin's own cookie, but no CSRF token: refused, and the account stays as it was.
    status = admin.evaluate("""async () => (await fetch('/api/users/dr.notadmin/disable',
        {method: 'POST', credentials: 'same-origin'})).status""")
    assert status == 403 and store(app).get("dr.notadmin").disabled is False
    as_admin = {"Authorization": f"Bearer {admin_token}"}
    assert httpx.post(app.http + f"/api/users/{ADMIN}/disable", headers=as_admin).status_code == 409
    assert httpx.post(app.http + "/api/users/nobody.here/enable", headers=as_admin).status_code == 404
    weak = httpx.post(app.http + "/api/users/dr.notadmin/password", headers=as_admin, json={"password": "short"})
    assert weak.status_code == 422 and "12 characters" in weak.text


def test_the_widget_set_up_page_gives_the_tag_a_live_preview_and_the_allowed_origins(
    admin, triage_app, clinic_port, screenshots
):
    page, app = admin, triage_app
    page.goto(app.http + "/admin/widget")
    snippet = page.locator("#widget-snippet")
    assert f'src="{app.http}/static/widget.js"' in snippet.text_content()
    assert 'data-emergency-number="911"' in snippet.text_content()
    origins = page.locator("#allowed-origins").text_content()
    assert f"http://127.0.0.1:{clinic_port}" in origins and app.http in origins
    preview = page.frame_locator("#widget-preview")
    preview.locator(".tw-panel h2", has_text="Health assistant").wait_for(timeout=20_000)  # opened, for a look

    page.get_by_label("Title", exact=True).fill("Riverside nurse line")
    page.get_by_label("Corner").select_option("left")
    focused = page.evaluate("document.activeElement.id")
    assert focused.startswith("opt-"), "the admin is working in the form"
    assert 'data-title="Riverside nurse line"' in snippet.text_content()
    assert 'data-position="left"' in snippet.text_content()
    preview.locator(".tw-panel h2", has_text="Riverside nurse line").wait_for(timeout=20_000)  # the live preview
    assert preview.locator(".tw.tw-left").count() == 1
    # The reloaded preview opens by itself and its privacy notice arrives: the admin's focus stays in the form
    # (it used to move into the preview, and the next field's typing went there).
    preview.locator(".tw-agree").wait_for(timeout=20_000)
    assert page.evaluate("document.activeElement.id") == focused

    page.get_by_label("Clinic site origins").fill(f"http://127.0.0.1:{clinic_port}, https://elsewhere.example")
    warning = page.locator("#origin-warning")
    warning.wait_for()
    assert "https://elsewhere.example" in warning.text_content()
    assert str(clinic_port) not in warning.text_content(), "an origin the server allows is not warned about"
    assert f'data-allowed-origins="http://127.0.0.1:{clinic_port}, https://elsewhere.example"' in snippet.text_content()
    assert_accessible(page)
    page.screenshot(path=screenshots / "admin-widget.png", full_page=True)


def test_the_sign_in_page_has_no_serious_accessibility_finding(new_context, triage_app):
    page = new_context().new_page()
    page.goto(triage_app.http + "/login")
    assert_accessible(page)
