"""A patient on a clinic's website: the embedded widget streams answers, warns of emergencies, survives drops."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, clinic_env, host_page_app
from tests.browser.widget_helpers import RECORD_ANSWER_GROWTH, send, session_id, wait_for_answer
from tests.support.chat_client import audit_turns
from tests.support.servers import AppProcess, free_port, serve_in_thread

pytestmark = pytest.mark.browser

FOCUSED_IN_WIDGET = "document.querySelector('.triage-widget-host').shadowRoot.activeElement?.className ?? null"


def test_patient_uses_the_keyboard_and_sees_the_answer_arrive_token_by_token(patient_page, screenshots):
    page = patient_page()
    page.screenshot(path=screenshots / "widget-closed.png")
    launcher = page.locator(".tw-launcher")
    for _ in range(4):  # the host page's own links come first in the tab order, then the widget's button
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_IN_WIDGET) == "tw-launcher":
            break
    assert page.evaluate(FOCUSED_IN_WIDGET) == "tw-launcher", "the launcher must be reachable with Tab"
    page.keyboard.press("Enter")
    assert launcher.get_attribute("aria-expanded") == "true"
    # First the privacy notice: focus is on its button once it arrives; agreeing moves focus to the message box.
    page.wait_for_function(f"{FOCUSED_IN_WIDGET} === 'tw-agree'")
    page.keyboard.press("Enter")
    page.locator("#tw-input").wait_for(state="visible")
    assert page.evaluate("document.querySelector('.triage-widget-host').shadowRoot.activeElement.id") == "tw-input"
    assert page.locator(".tw-log").get_attribute("aria-live") == "polite"
    assert page.locator("#tw-input").get_attribute("id") == page.locator("label[for=tw-input]").get_attribute("for")

    page.evaluate(RECORD_ANSWER_GROWTH)
    page.keyboard.type("I have had a runny nose and a mild sore throat since yesterday")
    page.keyboard.press("Enter")
    wait_for_answer(page, 1)

    answer = page.locator('.tw-assistant[aria-busy="false"] .tw-body').first
    tokens = int(answer.get_attribute("data-tokens"))
    lengths = page.evaluate("window.__answerLengths")
    growth = sorted(set(lengths))
    assert tokens > 1 and len(growth) > 2, f"the answer must arrive in several pieces, saw lengths {growth}"
    assert growth == sorted(growth) and growth[-1] == len(answer.text_content())
    assert page.locator(".tw-disposition").first.text_content()
    assert page.locator(".tw-banner").is_hidden()
    page.screenshot(path=screenshots / "widget-answer.png")

    page.keyboard.press("Escape")
    assert launcher.get_attribute("aria-expanded") == "false"
    assert page.evaluate(FOCUSED_IN_WIDGET) == "tw-launcher", "focus returns to the launcher"


def test_emergency_shows_an_unmistakable_banner_at_phone_width(patient_page, screenshots):
    page = patient_page(PHONE)
    page.locator(".tw-launcher").click()
    send(page, "My father has crushing chest pain spreading to his left arm and he is sweating")
    wait_for_answer(page, 1)
    banner = page.locator(".tw-banner")
    assert banner.is_visible()
    assert banner.get_attribute("role") == "alert"
    assert "911" in banner.text_content()
    assert page.locator(".tw-call").get_attribute("href") == "tel:911"
    panel = page.locator(".tw-panel").bounding_box()
    assert panel["width"] <= PHONE["width"] and panel["x"] >= 0, "the panel must fit the phone's width"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=screenshots / "widget-emergency-phone.png")


def test_widget_reconnects_after_a_network_drop_and_continues_the_same_conversation(new_context, tmp_path, screenshots):
    port = free_port()
    server = AppProcess(tmp_path / "data", clinic_env(port)).start()
    try:
        with serve_in_thread(host_page_app(server.http, f"http://127.0.0.1:{port}"), port=port) as url:
            page = new_context().new_page()
            page.goto(url)
            page.locator(".tw-launcher").click()
            send(page, "I have had a dry cough for four days")
            wait_for_answer(page, 1)
            first = session_id(page)

            server.stop()  # the connection drops
            page.locator(".tw-status", has_text="Reconnecting").wait_for(timeout=10_000)
            page.screenshot(path=screenshots / "widget-reconnecting.png")
            send(page, "Now I also have a mild earache on the left")  # typed while offline: queued
            server.start()

            wait_for_answer(page, 2, timeout=90_000)
            assert session_id(page) == first
            turns = [t for t in audit_turns(server.data_dir) if t["session_id"] == first]
            assert len(turns) == 2, "both messages belong to the one resumed conversation"
            page.screenshot(path=screenshots / "widget-resumed.png")
    finally:
        server.stop()


def test_the_plain_chat_page_still_works(new_context, triage_app, screenshots):
    page = new_context().new_page()
    page.goto(triage_app.http + "/")
    page.locator("#status", has_text="Connected").wait_for()
    page.locator("#text").fill("I have a mild headache after a long day at work")
    page.locator("#text").press("Enter")
    page.locator("#status", has_text="Answered").wait_for(timeout=60_000)
    assert page.locator(".entry.assistant .disposition").text_content()
    assert page.locator(".entry.assistant .body").text_content().strip()
    page.screenshot(path=screenshots / "index.png")
