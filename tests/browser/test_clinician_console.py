"""The clinician console as a nurse lives in it (issue 18): the question while the answer streams, the queue's
lifecycle (audited, persisted across a restart), offline patients apart, alerts for a new emergency, red flags
by name, the layout bugs, and an expired sign-in. Real app, real chromium; patients over the real chat socket."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect
from starlette.requests import Request
from starlette.responses import StreamingResponse
from websockets.sync.client import ClientConnection, connect

from agents.triage import finding_name
from app.users import UserStore
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP, ONE_ADDRESS_CLINIC, staff_token
from tests.security.helpers import bearer
from tests.support.openai_peer import RecordingPeer
from tests.support.servers import AppProcess, openai_engine_env, running_app, serving

pytestmark = pytest.mark.browser

STROKE = "My husband's face has dropped on one side and he cannot lift his left arm"
CHEST = "Crushing chest pain spreading to my left arm and I am sweating"
SORE_THROAT = "I have had a mild sore throat for two days"
STROKE_NAMED = "I think I am having a stroke, my face is drooping and my speech is slurred"


class GatedPeer(RecordingPeer):
    """A model that sends its first words at once and the rest only while `flowing` is set (the test holds it)."""

    def __init__(self) -> None:
        super().__init__(answer="Warm drinks and rest usually help a sore throat; see a doctor if it lasts a week.")
        self.flowing = threading.Event()
        self.flowing.set()
        self.arrived = threading.Condition()

    async def chat(self, request: Request) -> StreamingResponse:
        body = await request.json()
        with self.arrived:
            self.requests.append(body)
            self.arrived.notify_all()
        words = [w + " " for w in self.answer.split(" ")]

        def chunk(text: str) -> str:
            return f"data: {json.dumps({'choices': [{'index': 0, 'delta': {'content': text}}]})}\n\n"

        async def events():
            yield chunk(words[0])
            while not self.flowing.is_set():
                await asyncio.sleep(0.02)
            for word in words[1:]:
                yield chunk(word)
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    def wait_for_requests(self, count: int, timeout_s: float = 15.0) -> bool:
        """Whether `count` requests have arrived within `timeout_s` (the triage frame can reach the page first)."""
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.requests) >= count, timeout_s)


@pytest.fixture(scope="module")
def peer() -> Iterator[GatedPeer]:
    with serving(GatedPeer()) as gated:
        yield gated


@pytest.fixture(scope="module")
def console_app(tmp_path_factory, chromium_path, peer) -> Iterator[AppProcess]:
    with running_app(
        tmp_path_factory.mktemp("console"), {**openai_engine_env(peer.url, "gated"), **ONE_ADDRESS_CLINIC}
    ) as app:
        yield app


@pytest.fixture
def flowing(peer) -> Iterator[GatedPeer]:
    peer.flowing.set()
    yield peer
    peer.flowing.set()


class Patient:
    """A patient's chat socket (the widget's protocol), closed after the test."""

    def __init__(self, app: AppProcess, session_id: str | None = None, resume: str | None = None) -> None:
        query = f"?session_id={session_id}&resume={resume}" if session_id else ""
        self._stack = contextlib.ExitStack()
        self.ws: ClientConnection = self._stack.enter_context(connect(app.ws + "/ws/chat" + query))
        hello = json.loads(self.ws.recv(timeout=10))
        self.session_id: str = hello["session_id"]
        self.token: str | None = hello.get("token")

    def say(self, text: str) -> None:
        self.ws.send(json.dumps({"type": "message", "text": text}))

    def answered(self, timeout: float = 60) -> list[dict]:
        """Every frame up to this message's `done`."""
        frames = []
        while True:
            frame = json.loads(self.ws.recv(timeout=timeout))
            frames.append(frame)
            if frame["type"] in ("done", "error"):
                assert frame["type"] == "done", frame
                return frames

    def ask(self, text: str) -> list[dict]:
        self.say(text)
        return self.answered()

    def leave(self) -> None:
        self._stack.close()


@pytest.fixture
def patients(console_app) -> Iterator:
    made: list[Patient] = []

    def make(app: AppProcess = console_app, **resume) -> Patient:
        made.append(Patient(app, **resume))
        return made[-1]

    yield make
    for patient in made:
        patient.leave()


ALERT_SPY = """
window.__alerts = { tones: 0, notifications: [] };
const RealAudio = window.AudioContext;
window.AudioContext = class extends RealAudio {
  createOscillator() {
    const tone = super.createOscillator();
    const start = tone.start.bind(tone);
    tone.start = (...args) => { window.__alerts.tones += 1; return start(...args); };
    return tone;
  }
};
window.Notification = class {
  static permission = "granted";
  static requestPermission() { return Promise.resolve("granted"); }
  constructor(title, options) { window.__alerts.notifications.push({ title, body: options && options.body }); }
  addEventListener() {}
  close() {}
};
"""


@pytest.fixture
def open_console(new_context, console_app):
    """A clinician's console on an app, signed in (the account made on first use), live."""

    def make(
        subject: str = "dr.lee",
        app: AppProcess = console_app,
        *,
        viewport: dict = DESKTOP,
        spy: bool = False,
        role: str = "clinician",
    ):
        context = new_context(viewport)
        context.add_cookies(
            [
                {
                    "name": "triage_token",
                    "value": staff_token(app, subject, role),
                    "url": app.http,
                    "httpOnly": True,
                    "sameSite": "Strict",
                }
            ]
        )
        page = context.new_page()
        if spy:
            page.add_init_script(ALERT_SPY)
        page.goto(app.http + "/clinician")
        page.locator("#link-status", has_text="Live").wait_for()
        return page

    return make


def entry(page, session_id: str):
    return page.locator(f'.session[data-session="{session_id}"]')


def audit_actions(app: AppProcess, session_id: str) -> list[dict]:
    """The session's access events, read through the audit trail's API as a compliance officer would."""
    token = staff_token(app, "officer", "compliance")
    response = httpx.get(f"{app.http}/api/audit/sessions/{session_id}", headers=bearer(token), timeout=30)
    response.raise_for_status()
    return [
        {**item["content"]["access"], "recorded_at": item["recorded_at"]}
        for item in response.json()["items"]
        if item["kind"] == "access" and item["actor"] != "officer"
    ]


def test_a_nurse_sees_the_question_while_the_answer_streams(open_console, patients, flowing, screenshots):
    page = open_console()
    patient = patients()
    entry(page, patient.session_id).click()
    flowing.flowing.clear()  # the model sends its first words, then holds the rest
    asked = len(flowing.requests)
    patient.say(SORE_THROAT + ". My name is Johnathan Whitaker.")

    question = page.locator("#transcript .turn-patient", has_text="sore throat")
    question.wait_for(timeout=15_000)
    assert "Whitaker" not in question.text_content(), "the queue gets the redacted words"
    # the assistant's turn follows the question over the socket; the model holds it open, so it stays busy
    expect(page.locator('#transcript .turn-assistant[aria-busy="true"]')).to_have_count(1)
    assert flowing.wait_for_requests(asked + 1), "the model was asked"
    assert len(flowing.requests) == asked + 1, "once, and it is held mid-answer"
    expect(entry(page, patient.session_id).locator(".session-text")).to_contain_text("sore throat")
    page.screenshot(path=screenshots / "console-question-while-streaming.png")

    flowing.flowing.set()
    patient.answered()
    page.locator('#transcript .turn-assistant[aria-busy="false"]').wait_for()
    assert "Warm drinks" in page.locator("#transcript .turn-assistant .text").text_content()


def test_queue_lifecycle_assign_resolve_reopen_each_audited_with_who_and_when(
    open_console, patients, console_app, flowing
):
    page = open_console("dr.ash")
    patient = patients()
    patient.ask(SORE_THROAT)
    entry(page, patient.session_id).click()
    expect(page.locator("#lifecycle")).to_have_text("Open: nobody is assigned yet.")

    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator("#lifecycle")).to_contain_text("Assigned to you")
    expect(entry(page, patient.session_id).locator(".session-owner")).to_have_text("Assigned to you")

    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("#lifecycle")).to_contain_text("Resolved by dr.ash")
    assert page.locator(f'#queue-resolved .session[data-session="{patient.session_id}"]').count() == 1
    assert page.locator(f'#queue .session[data-session="{patient.session_id}"]').count() == 0
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()

    patient.ask("It is worse now and I can hardly swallow")  # a new message brings it back
    page.locator(f'#queue .session[data-session="{patient.session_id}"]').wait_for(timeout=10_000)
    expect(page.locator("#lifecycle")).to_contain_text("Assigned to you")

    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("#lifecycle")).to_contain_text("Resolved by dr.ash")
    page.get_by_role("button", name="Reopen").click()
    expect(page.locator("#lifecycle")).to_contain_text("Assigned to you")
    page.get_by_role("button", name="Unassign").click()
    expect(page.locator("#lifecycle")).to_have_text("Open: nobody is assigned yet.")

    events = audit_actions(console_app, patient.session_id)
    lifecycle = [
        (e["action"], e["actor"]) for e in events if e["action"] in ("assign", "resolve", "reopen", "unassign")
    ]
    assert lifecycle == [
        ("assign", "dr.ash"),
        ("resolve", "dr.ash"),
        ("resolve", "dr.ash"),
        ("reopen", "dr.ash"),
        ("unassign", "dr.ash"),
    ]
    assert all(e["recorded_at"] for e in events)
    assert next(e for e in events if e["action"] == "assign")["detail"]["assigned_to"] == "dr.ash"


def test_resolving_while_in_charge_hands_back_and_a_takeover_assigns(open_console, patients, console_app, flowing):
    page = open_console("dr.bo")
    patient = patients()
    patient.ask(SORE_THROAT)
    entry(page, patient.session_id).click()
    page.get_by_role("button", name="Take over").click()
    expect(page.locator("#lifecycle")).to_contain_text("Assigned to you")
    page.get_by_role("button", name="Resolve").click()
    handback = json.loads(patient.ws.recv(timeout=10))
    while handback.get("type") != "handoff" or handback.get("to") != "agent":
        handback = json.loads(patient.ws.recv(timeout=10))
    expect(page.locator("#lifecycle")).to_contain_text("Resolved by dr.bo")
    actions = [e["action"] for e in audit_actions(console_app, patient.session_id)]
    assert actions[-3:] == ["takeover", "release", "resolve"]


def test_offline_patients_wait_apart_never_above_a_live_emergency(open_console, patients):
    page = open_console("dr.cy")
    left, staying = patients(), patients()
    left.ask(CHEST)
    staying.ask(STROKE)
    left.leave()
    page.locator(f'#queue-offline .session[data-session="{left.session_id}"]').wait_for(
        state="attached", timeout=10_000
    )
    live_ids = page.locator("#queue .session").evaluate_all("(items) => items.map((b) => b.dataset.session)")
    assert staying.session_id in live_ids and left.session_id not in live_ids
    expect(page.locator("#offline-group summary")).to_contain_text("Offline")


def test_alerts_fire_when_the_urgency_arrives_and_the_sound_can_be_silenced(open_console, patients, screenshots):
    page = open_console("dr.di", spy=True)
    title = page.title()
    first = patients()  # in the queue before its urgency is known
    entry(page, first.session_id).wait_for()
    assert page.evaluate("window.__alerts.tones") == 0

    first.ask(STROKE)
    expect(page.locator("#announcer")).to_contain_text("New emergency in the queue: Emergency: call an ambulance")
    expect(page.locator("#announcer")).to_contain_text("Stroke sign: face drooping")
    expect(page).to_have_title(f"(1) {title}")
    page.wait_for_function("window.__alerts.tones > 0")
    notifications = page.evaluate("window.__alerts.notifications")
    assert len(notifications) == 1 and notifications[0]["title"] == "Triage: new emergency"
    assert "husband" not in notifications[0]["body"], "a notification never carries the patient's words"
    page.screenshot(path=screenshots / "console-emergency-alert.png")

    page.get_by_label("Sound for a new emergency").uncheck()
    tones = page.evaluate("window.__alerts.tones")
    second = patients()
    second.ask(CHEST)
    expect(page).to_have_title(f"(2) {title}")
    page.wait_for_function("window.__alerts.notifications.length === 2")
    expect(page.locator("#announcer p")).to_have_count(2)
    assert page.evaluate("window.__alerts.tones") == tones, "silenced"

    entry(page, second.session_id).click()
    page.get_by_role("button", name="Take over").click()  # someone has it: no longer counted as unattended
    expect(page).to_have_title(f"(1) {title}")

    page.reload()  # the setting stays; emergencies already waiting are counted, not alerted again
    page.locator("#link-status", has_text="Live").wait_for()
    expect(page.get_by_label("Sound for a new emergency")).not_to_be_checked()
    expect(page).to_have_title(f"(1) {title}")
    assert page.evaluate("window.__alerts.notifications.length") == 0


def test_red_flags_findings_and_conditions_by_their_plain_names(open_console, patients, screenshots):
    page = open_console("dr.ed")
    patient = patients()
    triage = patient.ask(STROKE_NAMED)[0]
    assert not {"conditions", "findings", "red_flag_labels"} & set(triage), "for clinicians only, never the patient"
    entry(page, patient.session_id).click()
    flags = page.locator("#assessment .flag")
    expect(flags.first).to_be_visible()
    names = flags.all_text_contents()
    assert "Stroke sign: face drooping" in names
    assert not any(re.search(r"\w+\.\w+|_", name) for name in names), names
    expect(page.locator("#assessment .findings")).to_contain_text(finding_name("facial_droop"))
    conditions = page.locator("#assessment .conditions li")
    expect(conditions.first).to_contain_text("Acute stroke")
    expect(conditions.first.locator(".behind")).to_contain_text(finding_name("slurred_speech"))
    page.screenshot(path=screenshots / "console-red-flags.png")


def test_reply_box_errors_consult_logs_scrolling_and_the_nurses_own_words(open_console, patients, flowing, screenshots):
    nurse = open_console("dr.fay", viewport={"width": 1280, "height": 640})
    colleague = open_console("dr.gus")
    a, b = patients(), patients()
    for text in (SORE_THROAT, "It hurts to swallow", "I also have a blocked nose", "and a mild headache"):
        a.ask(text)
    b.ask("I have a rash on my arm since yesterday")

    entry(nurse, a.session_id).click()
    nurse.locator("#transcript .turn-patient").nth(3).wait_for()
    reply = nurse.locator("#reply")
    expect(reply).to_be_hidden()  # before a takeover (the composer's display:grid no longer shows it)
    assert reply.evaluate("(form) => getComputedStyle(form).display") == "none"
    log = nurse.locator("#transcript-log")
    at_end = "(log) => log.scrollHeight - log.scrollTop - log.clientHeight < 2"
    assert log.evaluate("(log) => log.scrollHeight > log.clientHeight"), "the conversation overflows its pane"
    assert log.evaluate(at_end), "opened at the latest message"
    a.ask("Should I stay home from work?")
    nurse.locator("#transcript .turn-patient", has_text="stay home").wait_for()
    nurse.wait_for_function(
        "() => document.querySelectorAll('#transcript .turn-assistant[aria-busy=\"false\"]').length === 5"
    )
    assert log.evaluate(at_end), "new messages arrive in view"
    log.evaluate("(log) => { log.scrollTop = 0; }")
    a.ask("Thank you")
    nurse.locator("#transcript .turn-patient", has_text="Thank you").wait_for()
    assert log.evaluate("(log) => log.scrollTop") == 0, "one who scrolled up to read is left there"

    # An error is shown apart; the connection status still says Live.
    nurse.route(
        "**/takeover",
        lambda route: route.fulfill(
            status=409,
            content_type="application/json",
            body=json.dumps({"detail": "session is already in the hands of dr.x"}),
        ),
    )
    nurse.get_by_role("button", name="Take over").click()
    expect(nurse.locator("#console-alert")).to_have_text("session is already in the hands of dr.x")
    expect(nurse.locator("#link-status")).to_have_text("Live")
    nurse.unroute("**/takeover")

    # The consultation about one case does not stay under the next.
    nurse.locator(".consult summary").click()
    nurse.locator("#consult-text").fill("What should I rule out?")
    nurse.locator("#consult-text").press("Enter")
    nurse.locator('#consult-log .turn-assistant[aria-busy="false"]').wait_for(timeout=30_000)
    entry(nurse, b.session_id).click()
    nurse.locator("#transcript .turn-patient", has_text="rash").wait_for()
    expect(nurse.locator("#consult-log li")).to_have_count(0)
    entry(nurse, a.session_id).click()
    expect(nurse.locator("#consult-log li")).to_have_count(2)  # its own consultation comes back with it

    # The nurse's reply is shown to them as written; colleagues and the trail get the redacted copy.
    entry(colleague, a.session_id).click()
    nurse.get_by_role("button", name="Take over").click()
    expect(nurse.locator("#console-alert")).to_be_hidden()
    words = "This is Sarah Connor; call me on 415-555-0100 and ask for Johnathan Whitaker's notes."
    nurse.locator("#reply-text").fill(words)
    nurse.get_by_role("button", name="Send reply").click()
    mine = nurse.locator("#transcript .turn-clinician .text")
    expect(mine).to_have_text(words)
    theirs = colleague.locator("#transcript .turn-clinician .text")
    theirs.wait_for(timeout=10_000)
    assert "Whitaker" not in theirs.text_content() and "415-555-0100" not in theirs.text_content()
    delivered = a.ws.recv(timeout=10)
    while json.loads(delivered).get("type") != "clinician":
        delivered = a.ws.recv(timeout=10)
    assert json.loads(delivered)["text"] == words, "the patient gets the words as written"
    nurse.screenshot(path=screenshots / "console-own-reply.png", full_page=True)


def test_the_console_meets_axe_core_with_a_full_queue_and_an_open_case(open_console, patients, flowing):
    page = open_console("dr.hal")
    gone, live = patients(), patients()
    gone.ask(SORE_THROAT)
    live.ask(STROKE)
    gone.leave()
    page.locator(f'#queue-offline .session[data-session="{gone.session_id}"]').wait_for(
        state="attached", timeout=10_000
    )
    assert_accessible(page, rules_absent=("label-content-name-mismatch", "listitem"))
    entry(page, live.session_id).click()
    page.get_by_role("button", name="Take over").click()
    page.locator("#reply-text").wait_for()
    page.locator(".consult summary").click()
    page.locator("#offline-group summary").click()
    assert_accessible(page, rules_absent=("label-content-name-mismatch", "listitem"))


def test_a_revoked_sign_in_leaves_live_warns_and_goes_to_sign_in(open_console, console_app):
    page = open_console("dr.ivy")
    store = UserStore(f"sqlite:///{console_app.data_dir / 'triage.db'}")
    store.revoke_tokens("dr.ivy")  # e.g. signed out on another computer
    store.engine.dispose()
    expect(page.locator("#signed-out")).to_contain_text("Sign in again", timeout=15_000)
    expect(page.locator("#link-status")).to_have_text("Signed out")
    page.wait_for_url(re.compile(r"/login\?next=%2Fclinician"))


def test_an_action_refused_as_signed_out_warns_instead_of_failing_silently(open_console, patients):
    page = open_console("dr.joy")
    patient = patients()
    entry(page, patient.session_id).click()
    page.route(
        "**/takeover",
        lambda route: route.fulfill(
            status=401, content_type="application/json", body=json.dumps({"detail": "Not authenticated"})
        ),
    )
    page.get_by_role("button", name="Take over").click()
    expect(page.locator("#signed-out")).to_contain_text("that action was not done")
    expect(page.locator("#link-status")).to_have_text("Signed out")
    page.wait_for_url(re.compile(r"/login\?next=%2Fclinician"))


def test_an_unrenewable_token_is_not_left_to_expire_under_live(new_context, console_app):
    context = new_context()
    context.add_cookies(
        [
            {
                "name": "triage_token",
                "value": staff_token(console_app, "dr.kit", "clinician"),
                "url": console_app.http,
                "httpOnly": True,
                "sameSite": "Strict",
            }
        ]
    )
    page = context.new_page()
    page.clock.install()
    renewals: list[int] = []
    page.route("**/api/session/renew", lambda route: (renewals.append(1), route.fulfill(status=401, body="{}"))[1])
    page.goto(console_app.http + "/clinician")
    page.locator("#link-status", has_text="Live").wait_for()
    page.clock.fast_forward("06:00")  # past half of the 10-minute token: renewal is tried, and refused
    expect(page.locator("#signed-out")).to_be_visible()
    assert renewals
    expect(page.locator("#link-status")).not_to_have_text("Live")
    page.clock.fast_forward(5000)
    page.wait_for_url(re.compile(r"/login\?next=%2Fclinician"))


def test_the_queue_survives_a_restart(tmp_path, new_context, chromium_path, screenshots):
    data_dir = tmp_path / "restart"
    with running_app(data_dir) as app:
        patient = Patient(app)
        frames = patient.ask(CHEST)
        assert frames[0]["urgency"] == "em"
        token = staff_token(app, "dr.max", "clinician")
        assigned = httpx.post(f"{app.http}/api/clinician/sessions/{patient.session_id}/assign", headers=bearer(token))
        assert assigned.status_code == 200, assigned.text
        patient.leave()
        sid, resume = patient.session_id, patient.token

    with running_app(data_dir) as app:  # a new process on the same database
        context = new_context()
        context.add_cookies(
            [
                {
                    "name": "triage_token",
                    "value": staff_token(app, "dr.max", "clinician"),
                    "url": app.http,
                    "httpOnly": True,
                    "sameSite": "Strict",
                }
            ]
        )
        page = context.new_page()
        page.goto(app.http + "/clinician")
        page.locator("#link-status", has_text="Live").wait_for()
        kept = page.locator(f'#queue-offline .session[data-session="{sid}"]')
        page.locator("#offline-group summary").click()
        kept.wait_for()
        expect(kept.locator(".session-owner")).to_have_text("Assigned to you")
        kept.click()
        expect(page.locator("#transcript .turn-patient")).to_contain_text("Crushing chest pain")
        expect(page.locator("#assessment .disposition")).to_contain_text("Emergency")
        page.screenshot(path=screenshots / "console-after-restart.png")

        back = Patient(app, session_id=sid, resume=resume)  # the widget resumes its conversation
        try:
            page.locator(f'#queue .session[data-session="{sid}"]').wait_for(timeout=10_000)
        finally:
            back.leave()


def test_assigning_to_a_colleague_names_them_and_only_clinicians_can_be_assigned(console_app, patients, flowing):
    patient = patients()
    patient.ask(SORE_THROAT)
    lead = bearer(staff_token(console_app, "dr.lead", "clinician"))
    staff_token(console_app, "dr.night", "clinician")
    staff_token(console_app, "auditor", "compliance")
    url = f"{console_app.http}/api/clinician/sessions/{patient.session_id}/assign"
    assert httpx.post(url, json={"to": "nobody.here"}, headers=lead).status_code == 422
    assert httpx.post(url, json={"to": "auditor"}, headers=lead).status_code == 422
    session = httpx.post(url, json={"to": "dr.night"}, headers=lead).raise_for_status().json()["session"]
    assert (session["state"], session["assigned_to"], session["assigned_by"]) == ("assigned", "dr.night", "dr.lead")
    assign = [e for e in audit_actions(console_app, patient.session_id) if e["action"] == "assign"]
    assert [(e["actor"], e["detail"]["assigned_to"]) for e in assign] == [("dr.lead", "dr.night")]
