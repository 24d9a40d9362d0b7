"""A clinician watches the live queue, opens a new conversation, takes it over and the patient gets the reply."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest

from tests.browser.conftest import PHONE
from tests.browser.widget_helpers import send, session_id, wait_for_answer

pytestmark = pytest.mark.browser


def access_events(data_dir) -> list[dict]:
    with sqlite3.connect(data_dir / "triage.db") as db:
        rows = db.execute("SELECT content FROM audit_entry WHERE kind = 'access' ORDER BY seq").fetchall()
    return [json.loads(row[0]).get("access", {}) for row in rows]


def reidentified(data_dir, sid: str, wait_s: float = 5.0) -> bool:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if any(a.get("action") == "reidentify" and a.get("session_id") == sid for a in access_events(data_dir)):
            return True
        time.sleep(0.1)
    return False


def test_clinician_takes_over_a_new_session_and_the_patient_receives_the_reply(
    staff_context, patient_page, triage_app, screenshots
):
    clinician = staff_context("dr.lee", "clinician").new_page()
    clinician.goto(triage_app.http + "/clinician")
    clinician.locator("#link-status", has_text="Live").wait_for()

    patient = patient_page()
    patient.locator(".tw-launcher").click()
    # A non-urgent complaint: the takeover below needs a conversation the agent would answer itself. (Engine 2.3.0
    # reads "a fever of 39 and a bad cough" in an adult as an emergency by its learned layer: notes/issue-15.md.)
    send(patient, "My name is Johnathan Whitaker. I have had a sore throat and a cough for two days")
    wait_for_answer(patient, 1)
    sid = session_id(patient)

    entry = clinician.locator(f'.session[data-session="{sid}"]')
    entry.wait_for(timeout=10_000)  # appeared live, without a reload
    assert "cough" in entry.text_content() and "Whitaker" not in entry.text_content()
    clinician.screenshot(path=screenshots / "clinician-queue.png")

    entry.click()
    clinician.locator("#assessment .disposition").wait_for()
    assert clinician.locator("#transcript .turn-patient").count() == 1
    assert clinician.locator("#transcript .turn-assistant .text").text_content().strip()
    patient_words = clinician.locator("#transcript .turn-patient .text").text_content()
    assert "<PERSON_1>" in patient_words and "Whitaker" not in patient_words, "clinicians see redacted text"

    clinician.locator("#reveal").click()  # the original, only on request, and the access is audited
    clinician.locator("#original-list li", has_text="Johnathan Whitaker").wait_for()
    assert reidentified(triage_app.data_dir, sid), "re-identification must leave an access record"

    clinician.locator(".consult summary").click()
    clinician.locator("#consult-text").fill("What should I rule out?")
    clinician.locator("#consult-text").press("Enter")
    clinician.locator('#consult-log .turn-assistant[aria-busy="false"]').wait_for(timeout=30_000)
    assert clinician.locator("#consult-log .turn-assistant .text").text_content().strip()
    clinician.locator("#takeover").click()
    clinician.locator("#reply-text").wait_for()
    patient.locator(".tw-notice", has_text="clinician has joined").wait_for(timeout=10_000)

    # While the clinician is in charge the agent does not answer a non-urgent message: the clinician sees it.
    answers = patient.locator(".tw-assistant").count()
    send(patient, "Thanks, should I take paracetamol?")
    clinician.locator("#transcript .turn-patient", has_text="paracetamol").wait_for(timeout=10_000)
    clinician.locator('#transcript .turn-assistant[aria-busy="false"]').nth(1).wait_for(timeout=30_000)
    assert patient.locator(".tw-assistant").count() == answers, "no automatic answer while a clinician is in charge"

    clinician.locator("#reply-text").fill("This is Dr Lee. Yes, paracetamol is fine; I will call you within the hour.")
    clinician.get_by_role("button", name="Send reply").click()
    reply = patient.locator(".tw-clinician .tw-body")
    reply.wait_for(timeout=10_000)
    assert "Dr Lee" in reply.text_content()
    assert patient.locator(".tw-clinician .tw-from").text_content() == "Clinician"
    clinician.locator("#transcript .turn-clinician").wait_for()
    clinician.screenshot(path=screenshots / "clinician-takeover.png", full_page=True)
    patient.screenshot(path=screenshots / "widget-clinician-reply.png")

    clinician.locator("#release").click()
    patient.locator(".tw-notice", has_text="handed you back").wait_for(timeout=10_000)
    clinician.locator("#takeover").wait_for()


def test_clinician_page_needs_sign_in_and_fits_a_phone(new_context, staff_context, triage_app, screenshots):
    response = new_context().new_page().goto(triage_app.http + "/clinician")
    assert response.status == 401
    page = staff_context("dr.kim", "clinician", PHONE).new_page()
    page.goto(triage_app.http + "/clinician")
    page.locator("#link-status", has_text="Live").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=screenshots / "clinician-phone.png", full_page=True)
