"""A compliance officer filters the decisions and downloads a CSV whose rows are exactly the database's."""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.chat_client import ask, open_chat

pytestmark = pytest.mark.browser

MESSAGES = [
    "My father has crushing chest pain spreading to his left arm and he is sweating",
    "I have had a runny nose and a mild sore throat since yesterday",
    "She suddenly cannot move her right arm and her speech is slurred",
]


async def chat(ws: str) -> None:
    for text in MESSAGES:
        conn, _ = await open_chat(ws)
        async with conn:
            await ask(conn, text)


def db_rows(data_dir, urgency: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "triage.db") as db:
        return db.execute(
            "SELECT seq, audit_id, kind, session_id, level, urgency, mac FROM audit_entry WHERE urgency = ? ORDER BY seq",
            (urgency,),
        ).fetchall()


def test_compliance_filters_and_downloads_a_csv_matching_the_database(staff_context, triage_app, screenshots):
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API owns this thread's event loop
        pool.submit(asyncio.run, chat(triage_app.ws)).result()
    page = staff_context("auditor", "compliance").new_page()
    page.goto(triage_app.http + "/compliance")
    page.locator("#verify.ok").wait_for(timeout=20_000)
    assert "Intact" in page.locator("#verify-text").text_content()
    page.screenshot(path=screenshots / "compliance-overview.png", full_page=True)

    page.get_by_label("Urgency").select_option("em")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**urgency=em**")
    expected = db_rows(triage_app.data_dir, "em")
    assert len(expected) >= 2
    shown = page.locator("#decisions tbody tr").evaluate_all("rows => rows.map(r => r.dataset.auditId)")
    assert shown == [row[1] for row in reversed(expected)][: len(shown)], "newest first"
    assert f"of {len(expected)} decisions" in page.locator("#result-count").text_content()
    page.screenshot(path=screenshots / "compliance-filtered.png", full_page=True)

    with page.expect_download() as download_info:
        page.locator("#export-csv").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    got = [(int(r["seq"]), r["audit_id"], r["kind"], r["session_id"], r["level"], r["urgency"], r["mac"]) for r in rows]
    assert got == db_rows(triage_app.data_dir, "em")

    page.locator("#decisions tbody tr a").first.click()
    page.locator(".timeline li").first.wait_for()
    assert page.locator(".timeline").text_content().count("Patient message") >= 1
    page.screenshot(path=screenshots / "compliance-session.png", full_page=True)


def test_compliance_page_is_refused_to_a_clinician(staff_context, triage_app):
    page = staff_context("dr.lee", "clinician").new_page()
    response = page.goto(triage_app.http + "/compliance")
    assert response.status == 403
    assert "Access denied" in page.content()
