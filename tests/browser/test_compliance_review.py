"""A compliance officer reviews a real conversation in Chromium: a patient, a clinician's consult about the case,
the clinician's reply; then filters, the session timeline, the CSV for a spreadsheet and the charts (issue 18).

The conversation runs over the real sockets and REST endpoints of the running service; what the officer sees is
checked against the audit database itself."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest
from websockets.asyncio.client import connect

from compliance.export.csv_format import spreadsheet_time
from tests.browser.axe import assert_accessible
from tests.browser.conftest import staff_token
from tests.support.chat_client import ask, open_chat

pytestmark = pytest.mark.browser

CLINICIAN = "dr.consult"
COMPLAINT = "I have had a runny nose and a mild sore throat since yesterday"
QUESTION = "Any red flags I should ask this patient about?"
REPLY = "This is Dr Consult. Rest and drink fluids, Maria Lopez; call us again if you get a high fever."
LEVEL_NAMES = ("Ambulance", "Emergency dept.", "Doctor within 24 h", "Doctor (routine)", "Self-care")


def db(data_dir, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(data_dir / "triage.db") as conn:
        return conn.execute(sql, args).fetchall()


async def conversation(app, token: str) -> str:
    """A patient asks; a clinician asks the assistant about the case (consult), takes over and replies."""
    patient, sid = await open_chat(app.ws)
    async with patient:
        await ask(patient, COMPLAINT)
        async with connect(app.ws + "/ws/clinician", additional_headers={"Authorization": f"Bearer {token}"}) as staff:
            assert json.loads(await staff.recv())["type"] == "snapshot"
            await staff.send(json.dumps({"type": "consult", "session_id": sid, "text": QUESTION}))
            while True:  # the hub's own events arrive too; the consult's answer ends with its `done`
                frame = json.loads(await staff.recv())
                assert frame.get("type") != "error", frame
                if frame.get("channel") == "consult" and frame["type"] == "done":
                    break
        async with httpx.AsyncClient(base_url=app.http, headers={"Authorization": f"Bearer {token}"}) as rest:
            (await rest.post(f"/api/clinician/sessions/{sid}/takeover")).raise_for_status()
            (await rest.post(f"/api/clinician/sessions/{sid}/reply", json={"text": REPLY})).raise_for_status()
            (await rest.post(f"/api/clinician/sessions/{sid}/release")).raise_for_status()
    return sid


@pytest.fixture(scope="module")
def case(triage_app):
    token = staff_token(triage_app, CLINICIAN, "clinician")
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API owns this thread's event loop
        sid = pool.submit(asyncio.run, conversation(triage_app, token)).result()
    return sid


@pytest.fixture(scope="module")
def officer_token(triage_app):
    return staff_token(triage_app, "officer.ada", "compliance")


@pytest.fixture
def officer(new_context, triage_app, officer_token):
    context = new_context(accept_downloads=True)
    context.add_cookies(
        [
            {
                "name": "triage_token",
                "value": officer_token,
                "url": triage_app.http,
                "httpOnly": True,
                "sameSite": "Strict",
            }
        ]
    )
    return context.new_page()


def shown_ids(page) -> list[str]:
    return page.locator("#decisions tbody tr").evaluate_all("rows => rows.map(r => r.dataset.auditId)")


def test_a_consult_is_the_clinicians_filed_under_the_patients_session_and_out_of_the_mix(
    case, officer, triage_app, screenshots
):
    sid = case
    consults = db(
        triage_app.data_dir,
        "SELECT audit_id, session_id, actor, content FROM audit_entry "
        "WHERE kind = 'turn' AND actor IS NOT NULL AND session_id = ? ORDER BY seq",
        sid,
    )
    assert len(consults) == 1, "the consult is filed under the patient's session"
    assert consults[0][2] == CLINICIAN and json.loads(consults[0][3])["message"]["audience"] == "clinician"
    assert not db(triage_app.data_dir, "SELECT 1 FROM audit_entry WHERE session_id LIKE 'consult:%'")

    officer.goto(triage_app.http + f"/compliance?kind=consult&actor={CLINICIAN}")
    assert shown_ids(officer) == [consults[0][0]]
    row = officer.locator("#decisions tbody tr").first
    assert "Consult" in row.text_content() and CLINICIAN in row.text_content()
    assert_accessible(officer)

    officer.goto(triage_app.http + f"/compliance?session={sid[:8]}")
    mix = dict(
        officer.locator("#mix-data tbody tr").evaluate_all(
            "rows => rows.map(r => [r.cells[0].textContent, Number(r.cells[1].textContent)])"
        )
    )
    assert tuple(mix)[:5] == LEVEL_NAMES, "every disposition has its row, at zero too"
    patient_turns = db(
        triage_app.data_dir,
        "SELECT level FROM audit_entry WHERE kind = 'turn' AND session_id = ? AND actor IS NULL",
        sid,
    )
    assert sum(mix.values()) == len(patient_turns) == 1, "the consult is not counted in the disposition mix"
    assert sorted(shown_ids(officer)) == sorted(
        r[0]
        for r in db(triage_app.data_dir, "SELECT audit_id FROM audit_entry WHERE kind = 'turn' AND session_id = ?", sid)
    )

    officer.locator(f'#decisions a[href="/compliance/sessions/{sid}"]').first.click()
    timeline = officer.locator(".timeline")
    timeline.locator(".event-consult").wait_for()
    assert f"Consult by {CLINICIAN}" in timeline.locator(".event-consult").text_content()
    stored_reply = json.loads(
        db(
            triage_app.data_dir,
            "SELECT content FROM audit_entry WHERE kind = 'access' AND "
            'session_id = ? AND content LIKE \'%"action":"reply"%\'',
            sid,
        )[0][0]
    )
    said = stored_reply["access"]["detail"]["redacted_text"]
    assert "Maria Lopez" not in said and "Rest and drink fluids" in said, "stored as redacted"
    assert timeline.locator(".event-reply blockquote").text_content() == said, "the reply as stored"
    assert f"{CLINICIAN} replied to the patient" in timeline.locator(".event-reply").text_content()
    assert_accessible(officer)
    officer.screenshot(path=screenshots / "compliance-session-consult.png", full_page=True)

    with officer.expect_download() as download_info:
        officer.get_by_role("link", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(download_info.value.path().read_text(encoding="utf-8"))))
    assert next(r for r in rows if r["action"] == "reply")["redacted_text"] == said
    consult_row = next(r for r in rows if r["kind"] == "turn" and r["actor"])
    assert consult_row["actor"] == CLINICIAN and consult_row["session_id"] == sid


def test_newest_first_a_session_by_its_first_characters_and_the_filters(case, officer, triage_app, screenshots):
    sid = case
    officer.goto(triage_app.http + "/compliance")
    newest = [
        r[0]
        for r in db(
            triage_app.data_dir, "SELECT audit_id FROM audit_entry WHERE kind = 'turn' ORDER BY seq DESC LIMIT 25"
        )
    ]
    assert shown_ids(officer) == newest
    assert "newest first" in officer.locator("#result-count").text_content()
    officer.screenshot(path=screenshots / "compliance-review.png", full_page=True)

    officer.get_by_label("Session").fill(sid[:8])
    officer.get_by_role("button", name="Apply filters").click()
    officer.wait_for_url(f"**session={sid[:8]}**")
    links = officer.locator("#decisions tbody tr td:nth-child(2) a").evaluate_all("a => a.map(x => x.title)")
    assert links and set(links) == {sid}

    level = db(
        triage_app.data_dir,
        "SELECT level FROM audit_entry WHERE kind = 'turn' AND session_id = ? AND actor IS NULL",
        sid,
    )[0][0]
    officer.goto(triage_app.http + "/compliance")
    officer.locator("#filter-level").select_option(level)
    officer.locator("#filter-kind").select_option("decision")
    officer.get_by_role("button", name="Apply filters").click()
    officer.wait_for_url(f"**level={level}**")
    expected = [
        r[0]
        for r in db(
            triage_app.data_dir,
            "SELECT audit_id FROM audit_entry WHERE kind = 'turn' AND level = ? "
            "AND actor IS NULL AND session_id NOT LIKE 'consult:%' ORDER BY seq DESC LIMIT 25",
            level,
        )
    ]
    assert shown_ids(officer) == expected

    officer.locator("#filter-status").select_option("interrupted")
    officer.get_by_role("button", name="Apply filters").click()
    officer.wait_for_url("**status=interrupted**")
    interrupted = [
        r[0]
        for r in db(
            triage_app.data_dir,
            "SELECT audit_id FROM audit_entry WHERE kind = 'turn' AND level = ? "
            "AND actor IS NULL AND json_extract(content, '$.response.status') = 'interrupted' "
            "ORDER BY seq DESC LIMIT 25",
            level,
        )
    ]
    assert shown_ids(officer) == interrupted

    officer.goto(triage_app.http + "/compliance?kind=access&actor=" + CLINICIAN)
    actions = officer.locator("#decisions tbody tr td:nth-child(3)").all_text_contents()
    assert any("Replied to the patient" in a for a in actions) and any(
        "Took the conversation over" in a for a in actions
    )
    assert set(officer.locator("#decisions tbody tr td:nth-child(4)").all_text_contents()) == {CLINICIAN}


def test_a_date_it_cannot_read_is_explained(officer, triage_app):
    officer.goto(triage_app.http + "/compliance?since=2026-02-30&until=04%2F12%2F2026")
    alert = officer.get_by_role("alert").filter(has_text="not a date")
    text = alert.text_content()
    assert "“2026-02-30” is not a date" in text and "“04/12/2026” is not a date" in text and "YYYY-MM-DD" in text
    assert "isoformat" not in officer.content()
    officer.goto(triage_app.http + "/compliance?since=2026-03-02&until=2026-03-01")
    assert "is after the To date" in officer.get_by_role("alert").text_content()


def test_a_csv_for_a_spreadsheet_with_a_name_that_says_what_it_holds(case, officer, triage_app):
    today = datetime.now(UTC).date().isoformat()
    officer.goto(triage_app.http + "/compliance")
    officer.locator("#filter-since").fill(today)
    officer.locator("#filter-until").fill(today)
    officer.locator("#filter-session").fill(case[:8])
    officer.get_by_role("button", name="Apply filters").click()
    officer.wait_for_url("**since=**")

    with officer.expect_download() as download_info:
        officer.get_by_role("link", name="CSV for Excel").click()
    download = download_info.value
    assert download.suggested_filename == f"triage-audit_{today}_to_{today}_session-{case[:8]}.csv"
    raw = download.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "a UTF-8 byte order mark, for Excel"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    stored = db(
        triage_app.data_dir, "SELECT audit_id, recorded_at FROM audit_entry WHERE session_id = ? ORDER BY seq", case
    )
    assert [r["audit_id"] for r in rows] == [s[0] for s in stored]
    for row, (_, recorded_at) in zip(rows, stored, strict=True):
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}", row["recorded_at"]), row["recorded_at"]
        assert row["recorded_at"] == spreadsheet_time(datetime.fromisoformat(recorded_at))

    with officer.expect_download() as plain_info:
        officer.locator("#export-csv").click()
    assert not plain_info.value.path().read_bytes().startswith(b"\xef\xbb\xbf")


def test_the_latency_chart_is_readable_with_one_period(case, officer, triage_app):
    officer.goto(triage_app.http + f"/compliance?session={case[:8]}&kind=decision")
    chart = officer.locator("svg[aria-labelledby='ftl-t ftl-d']")
    assert chart.locator("rect").count() >= 1, "bars, not a lone dot, when there is one period"
    values = chart.locator("text.value").all_text_contents()
    assert values and all(v.isdigit() for v in values), "each bar says its value"
    assert "(n = 1)" in chart.text_content()
    description = chart.locator("desc").text_content()
    assert "p50" in description and "p99" in description
