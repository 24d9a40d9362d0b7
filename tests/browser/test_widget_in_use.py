"""The patient widget in ordinary use (issue 18): reloads and other pages after an emergency, one emergency number,
follow-ups in an emergency, a new conversation, over-long text, an unavailable server, a clinician in charge,
what the browser keeps, the privacy notice and its consent, the plain chat page, and axe-core on all of it.

A clinic's site of its own (two pages, the tag's options from the query string) embeds the widget from an app of
this module, whose settings differ from every default: emergency number 112, its own privacy notice.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from app.privacy import PrivacyNotice
from app.settings import Settings
from tests.browser.axe import assert_accessible
from tests.browser.conftest import PHONE, staff_token
from tests.browser.widget_helpers import agree, send, session_id, wait_for_answer
from tests.support.chat_client import audit_turns
from tests.support.servers import AppProcess, free_port, running_app, serve_in_thread

pytestmark = pytest.mark.browser

NUMBER = "112"
NOTICE = "Riverside keeps a record of each answer, with names and other identifiers removed, for safety and audit."
NOTICE_URL = "https://riverside.example/privacy"
CHEST_PAIN = "My father has crushing chest pain spreading to his left arm and he is sweating"
SCRIPT_ONLY = "do not drive yourself if you feel faint"  # a sentence of the emergency script, not of a follow-up

SITE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Riverside Family Clinic: {title}</title></head>
<body>
  <header><h1>Riverside Family Clinic</h1><nav aria-label="Site"><a href="/">Home</a> <a href="/hours">Opening hours</a></nav></header>
  <main><h2>{title}</h2><p>Monday to Friday, 8am to 6pm.</p></main>
  <script src="{app}/static/widget.js" data-title="Riverside assistant" data-primary-color="#27466d"
          data-emergency-number="{number}" data-allowed-origins="{allowed}"></script>
</body></html>
"""


def site_app(app_url: str) -> Starlette:
    """Two pages of a clinic's site; `?number=` and `?allowed=` set the tag's options (default: 999, this site)."""

    def page(title: str):
        async def render(request):
            q = request.query_params
            origin = f"{request.url.scheme}://{request.url.netloc}"
            return HTMLResponse(
                SITE_PAGE.format(
                    app=app_url, title=title, number=q.get("number", "999"), allowed=q.get("allowed", origin)
                )
            )

        return render

    return Starlette(routes=[Route("/", page("Welcome")), Route("/hours", page("Opening hours"))])


@dataclass
class Site:
    app: AppProcess
    url: str
    foreign: str
    """The same site on an origin the server does not allow."""


@pytest.fixture(scope="module")
def site(tmp_path_factory, chromium_path) -> Iterator[Site]:
    port, foreign_port = free_port(), free_port()
    env = {
        "TRIAGE_ALLOWED_ORIGINS": f"http://127.0.0.1:{port}",
        "TRIAGE_EMERGENCY_NUMBER": NUMBER,
        "TRIAGE_PRIVACY_NOTICE": NOTICE,
        "TRIAGE_PRIVACY_URL": NOTICE_URL,
    }
    with (
        running_app(tmp_path_factory.mktemp("widget-in-use"), env) as app,
        serve_in_thread(site_app(app.http), port=port) as url,
        serve_in_thread(site_app(app.http), port=foreign_port) as foreign,
    ):
        yield Site(app, url, foreign)


@pytest.fixture
def patient(new_context, site):
    """A patient on the clinic's site with the widget open; page errors are collected in `page.errors`."""

    def make(path: str = "/", viewport: dict | None = None, context=None):
        page = (context or new_context(**({"viewport": viewport} if viewport else {}))).new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.goto(site.url + path)
        page.locator(".tw-launcher").click()
        return page

    return make


def stored(page) -> dict | None:
    """What the widget keeps in sessionStorage, parsed (None when nothing)."""
    raw = page.evaluate("""() => {
        const key = Object.keys(sessionStorage).find((k) => k.startsWith("triage-widget:"));
        return key ? sessionStorage.getItem(key) : null;
    }""")
    return json.loads(raw) if raw else None


def entries(data_dir, kind: str) -> list[tuple[str, dict]]:
    with sqlite3.connect(data_dir / "triage.db") as db:
        rows = db.execute("SELECT session_id, content FROM audit_entry WHERE kind = ? ORDER BY seq", (kind,)).fetchall()
    return [(sid, json.loads(content)) for sid, content in rows]


def answers(page) -> list[str]:
    """The answers given on this page (the greeting and replayed answers carry no aria-busy)."""
    return [t.strip() for t in page.locator(".tw-assistant[aria-busy] .tw-body").all_text_contents()]


def test_reload_and_another_page_after_an_emergency_keep_a_working_widget(patient, site, screenshots):
    page = patient()
    send(page, CHEST_PAIN)
    wait_for_answer(page, 1)
    sid = session_id(page)
    assert page.locator(".tw-banner").is_visible()

    for answered, where in enumerate(("reload", "/hours"), start=1):
        if where == "reload":
            page.reload()
        else:
            page.goto(site.url + where)
        page.locator(".tw-status", has_text="Connected").wait_for(timeout=15_000)
        assert page.errors == [], f"the widget failed after {where}: {page.errors}"
        assert page.locator(".tw-banner").is_visible(), "the emergency banner is replayed"
        assert page.locator(".tw-assistant .tw-disposition[data-level=emergency_ambulance]").count() == answered
        box = page.locator("#tw-input")
        box.fill("Should I unlock the front door for the ambulance?")
        box.press("Enter")  # Enter sends: no newline left in the box
        assert box.input_value() == ""
        page.locator('.tw-assistant[aria-busy="false"]').first.wait_for()  # replayed answers carry no aria-busy
        assert session_id(page) == sid, "the same conversation goes on"
        page.locator(".tw-close").click()
        assert page.locator(".tw-panel").is_hidden(), "the close button works"
        page.locator(".tw-launcher").click()
    assert page.locator(".tw-assistant .tw-disposition").count() == 3
    page.screenshot(path=screenshots / "widget-after-reload-emergency.png")


def test_the_banner_and_the_answer_give_the_servers_number_on_a_site_whose_tag_says_999(patient, site):
    page = patient("/?number=999")
    send(page, CHEST_PAIN)
    wait_for_answer(page, 1)
    banner_number = page.locator(".tw-banner .tw-call").text_content()
    assert banner_number == NUMBER and page.locator(".tw-banner .tw-call").get_attribute("href") == f"tel:{NUMBER}"
    assert f"({NUMBER})" in answers(page)[-1], "the answer names the same number as the banner"
    assert "999" not in page.locator(".tw-panel").text_content(), "never two numbers"
    assert stored(page)["emergencyNumber"] == NUMBER


def test_emergency_follow_ups_get_answers_under_the_banner_and_a_new_conversation_is_a_new_session(
    patient, site, screenshots
):
    page = patient()
    send(page, CHEST_PAIN)
    wait_for_answer(page, 1)
    first = session_id(page)
    send(page, "Is it OK for him to take paracetamol for the pain?")
    wait_for_answer(page, 2)
    script, follow_up = answers(page)
    assert follow_up != script and SCRIPT_ONLY not in follow_up and "call handler" in follow_up
    assert page.locator(".tw-disposition").nth(1).get_attribute("data-level") == "emergency_ambulance", "never lower"
    assert page.locator(".tw-banner").is_visible()
    send(page, "Now he has collapsed and is not breathing")
    wait_for_answer(page, 3)
    assert SCRIPT_ONLY in answers(page)[2], "a new red flag gets the whole script at once"
    page.screenshot(path=screenshots / "widget-emergency-follow-up.png")

    page.get_by_role("button", name="Start a new conversation").click()
    page.locator(".tw-agree").wait_for()
    assert page.locator(".tw-banner").is_hidden() and page.locator(".tw-user").count() == 0
    send(page, "My daughter has had a mild sore throat since yesterday")
    wait_for_answer(page, 1)
    second = session_id(page)
    assert second != first
    assert page.locator(".tw-banner").is_hidden(), "the new conversation is not merged into the emergency"
    assert page.locator(".tw-disposition").first.get_attribute("data-level") not in ("emergency", "emergency_ambulance")
    turns = audit_turns(site.app.data_dir)
    assert [t["route"] for t in turns if t["session_id"] == first] == [
        "emergency_script",
        "emergency_follow_up",
        "emergency_script",
    ]
    assert [t["urgency"] for t in turns if t["session_id"] == second] != ["em"]
    consented = {sid for sid, _ in entries(site.app.data_dir, "consent")}
    assert {first, second} <= consented, "each conversation is its own audited session, with its own consent"


def test_over_long_text_gets_a_counter_and_a_friendly_message_never_the_servers_words(patient):
    page = patient()
    agree(page)
    box = page.locator("#tw-input")
    box.fill("I have a cough. " * 300)  # 4,800 characters, pasted
    assert len(box.input_value()) == 4800, "nothing is cut silently"
    assert page.locator(".tw-counter").text_content() == "4,800 / 4,000"
    assert "800 characters too long" in page.locator(".tw-field-msg").text_content()
    assert box.get_attribute("aria-invalid") == "true"
    box.press("Enter")
    assert page.locator(".tw-user").count() == 0, "an over-long message is not sent"

    # The limit bypassed (a client that believes a larger one): the server refuses it, the patient reads plain words.
    def believe_a_larger_limit(ws):
        server = ws.connect_to_server()

        def from_server(message):
            frame = json.loads(message)
            if frame.get("type") == "session":
                frame["max_message_chars"] = 100_000
            ws.send(json.dumps(frame))

        server.on_message(from_server)

    page.route_web_socket(re.compile(r".*/ws/chat.*"), believe_a_larger_limit)
    page.reload()
    page.locator(".tw-launcher").click()
    agree(page)
    box.fill("I have a cough. " * 300)
    box.press("Enter")
    error = page.locator(".tw-error")
    error.wait_for()
    assert "too long" in error.text_content() and "shorten it" in error.text_content()
    assert "exceeds" not in page.locator(".tw-panel").text_content(), "never the server's own message"
    assert page.locator(".tw-status").text_content() == "Not sent", "never a stuck Thinking…"
    assert page.locator(".tw-user .tw-note").text_content() == "Not sent"
    assert box.input_value() == ("I have a cough. " * 300).strip(), "the text is back in the box to shorten"


def test_a_refused_origin_and_a_page_outside_the_widgets_list_show_unavailable_with_a_number(
    new_context, site, screenshots
):
    page = new_context().new_page()
    page.goto(site.foreign)  # the server does not allow this origin: the handshake is refused
    page.locator(".tw-launcher").click()
    notice = page.locator(".tw-unavailable")
    notice.wait_for(timeout=10_000)
    assert "unavailable" in notice.text_content() and notice.locator(".tw-call").get_attribute("href") == "tel:999"
    assert page.locator(".tw-status").text_content() == "Unavailable"
    assert page.locator("#tw-input").is_hidden(), "nothing can be typed that would look sent"
    page.screenshot(path=screenshots / "widget-unavailable.png")

    page.goto(site.url + "/?allowed=https://www.riverside.example")  # this page is not in data-allowed-origins
    page.locator(".tw-launcher").click()
    notice.wait_for()
    assert "not available on this page" in notice.text_content() and "999" in notice.text_content()


def test_a_server_that_goes_away_shows_unavailable_then_both_pages_resume(new_context, tmp_path, screenshots):
    site_port = free_port()
    server = AppProcess(tmp_path / "data", {"TRIAGE_ALLOWED_ORIGINS": f"http://127.0.0.1:{site_port}"}).start()
    try:
        with serve_in_thread(site_app(server.http), port=site_port) as url:
            page = new_context().new_page()
            page.goto(url)
            page.locator(".tw-launcher").click()
            send(page, "I have had a dry cough for four days")
            wait_for_answer(page, 1)
            chat = new_context().new_page()
            chat.goto(server.http + "/")
            chat.locator("#status", has_text="Connected").wait_for()
            chat.locator("#text").fill("I have had a dry cough for four days")
            chat.locator("#text").press("Enter")
            chat.locator("#status", has_text="Answered").wait_for(timeout=60_000)

            server.stop()
            page.locator(".tw-status", has_text="Unavailable").wait_for(timeout=20_000)
            assert page.locator(".tw-unavailable .tw-call").text_content() == "911", "the server's number, remembered"
            page.screenshot(path=screenshots / "widget-server-gone.png")
            server.start()

            page.locator(".tw-status", has_text="Connected").wait_for(timeout=30_000)
            assert page.locator(".tw-unavailable").is_hidden()
            send(page, "It is worse at night")
            wait_for_answer(page, 2)
            chat.locator("#status", has_text="resumed").wait_for(timeout=30_000)
            chat.locator("#text").fill("It is worse at night")
            chat.locator("#text").press("Enter")
            chat.locator("#status", has_text="Answered").wait_for(timeout=60_000)  # `done`: its record is written
            sessions = [t["session_id"] for t in audit_turns(server.data_dir)]
            assert len(sessions) == 4 and len(set(sessions)) == 2, "each page went on with its own conversation"
    finally:
        server.stop()


def test_while_a_clinician_is_in_charge_only_an_emergency_gets_an_assistant_bubble(patient, site):
    page = patient()
    send(page, "I have had a fever of 38.5 and a cough for two days")
    wait_for_answer(page, 1)
    sid = session_id(page)
    token = staff_token(site.app, "dr.ng", "clinician")
    headers = {"Authorization": f"Bearer {token}"}
    httpx.post(f"{site.app.http}/api/clinician/sessions/{sid}/takeover", headers=headers, timeout=10).raise_for_status()
    page.locator(".tw-notice", has_text="clinician has joined").wait_for()

    send(page, "Should I take paracetamol, Dr?")
    page.locator(".tw-user .tw-note", has_text="Delivered to the clinician").wait_for()
    assert page.locator(".tw-assistant").count() == 2, "the greeting and the first answer only: no automatic bubble"
    assert page.locator(".tw-banner").is_hidden()

    reply = "Hello Johnathan Whitaker, yes, paracetamol is fine."
    httpx.post(
        f"{site.app.http}/api/clinician/sessions/{sid}/reply", headers=headers, json={"text": reply}, timeout=10
    ).raise_for_status()
    page.locator(".tw-clinician .tw-body", has_text="Whitaker").wait_for()
    kept = json.dumps(stored(page))
    assert "Whitaker" not in kept and "paracetamol is fine" in kept, "the reply is kept redacted"

    send(page, CHEST_PAIN)
    wait_for_answer(page, 2)
    assert page.locator(".tw-banner").is_visible(), "an emergency is still answered at once"
    assert page.locator(".tw-assistant .tw-disposition").last.get_attribute("data-level") == "emergency_ambulance"


def test_the_browser_keeps_no_raw_phi_and_a_new_conversation_clears_it(patient):
    page = patient()
    send(page, "My name is Johnathan Whitaker, my MRN is 88812345. I have had a mild cough for three days.")
    wait_for_answer(page, 1)
    kept = stored(page)
    text = json.dumps(kept)
    for value in ("Johnathan", "Whitaker", "88812345"):
        assert value not in text, f"{value} must not be kept in sessionStorage"
    assert "mild cough for three days" in kept["entries"][0]["text"], "the redacted words are kept for replay"
    assert set(kept) == {"sessionId", "token", "emergencyNumber", "consent", "maxChars", "entries"}

    page.reload()
    page.locator(".tw-launcher").click()
    page.locator(".tw-status", has_text="Connected").wait_for()
    assert "Whitaker" not in page.locator(".tw-log").text_content()
    assert "mild cough" in page.locator(".tw-user .tw-body").first.text_content()

    page.locator(".tw-new").click()
    assert stored(page) is None or not stored(page).get("entries"), "nothing of the old conversation is kept"
    page.locator(".tw-agree").wait_for()
    assert "Whitaker" not in page.locator(".tw-panel").text_content()


def test_a_privacy_notice_comes_before_the_first_message_and_the_consent_is_audited(patient, site, screenshots):
    page = patient(viewport=PHONE)
    consent = page.locator(".tw-consent")
    consent.wait_for()
    assert NOTICE in consent.text_content()
    assert consent.locator("a").get_attribute("href") == NOTICE_URL
    assert page.locator("#tw-input").is_hidden(), "no message before the consent"
    page.screenshot(path=screenshots / "widget-consent-phone.png")
    page.locator(".tw-agree").click()
    page.locator("#tw-input").wait_for()
    sid = session_id(page)
    version = PrivacyNotice.of(Settings(privacy_notice=NOTICE, privacy_url=NOTICE_URL)).version
    recorded = [body["consent"] for s, body in entries(site.app.data_dir, "consent") if s == sid]
    assert [(c["notice_version"], c["actor"]) for c in recorded] == [(version, f"patient:{sid}")]

    page.reload()  # the same session: not asked again
    page.locator(".tw-launcher").click()
    page.locator("#tw-input").wait_for()
    assert page.locator(".tw-consent").is_hidden()


def test_the_plain_chat_page_shows_the_servers_number_in_its_emergency_banner(new_context, site):
    page = new_context().new_page()
    page.goto(site.app.http + "/")
    page.locator("#status", has_text="Connected").wait_for()
    page.locator("#text").fill(CHEST_PAIN)
    page.locator("#text").press("Enter")
    page.locator("#status", has_text="Answered").wait_for(timeout=60_000)
    banner = page.locator("#banner")
    assert banner.is_visible() and banner.locator("a").get_attribute("href") == f"tel:{NUMBER}"
    assert f"({NUMBER})" in page.locator(".entry.assistant .body").last.text_content()


def test_axe_core_finds_nothing_serious_in_the_widget_nor_on_the_chat_page(patient, new_context, site):
    widget_rules = (
        "listitem",
        "landmark-no-duplicate-banner",
        "landmark-unique",
        "landmark-banner-is-top-level",
        "aria-allowed-role",
        "region",
    )
    page = patient()
    page.locator(".tw-agree").wait_for()
    assert_accessible(page, rules_absent=widget_rules[:-1])  # the consent step
    agree(page)
    send(page, CHEST_PAIN)
    wait_for_answer(page, 1)
    box = page.locator("#tw-input")
    box.fill("x" * 4100)
    assert_accessible(page, rules_absent=widget_rules[:-1])  # an answer, the emergency banner, an over-long message
    assert_accessible(page, include=".triage-widget-host", rules_absent=widget_rules)

    foreign = new_context().new_page()
    foreign.goto(site.foreign)
    foreign.locator(".tw-launcher").click()
    foreign.locator(".tw-unavailable").wait_for(timeout=10_000)
    assert_accessible(foreign, include=".triage-widget-host", rules_absent=widget_rules)  # unavailable

    chat = new_context().new_page()
    chat.goto(site.app.http + "/")
    chat.locator("#status", has_text="Connected").wait_for()
    assert_accessible(chat)
