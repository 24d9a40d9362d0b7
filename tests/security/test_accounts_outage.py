"""The accounts database goes down (issue 16): staff requests are refused with a clear 503, never a bare 500, and
the patient chat keeps answering. Over the real app on PostgreSQL behind a proxy the test cuts (every connection
reset, new ones refused), then restores."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from websockets.asyncio.client import connect

from app.users import UserStore
from tests.reliability.tcp_proxy import CuttableProxy
from tests.security.helpers import PASSWORD, bearer, form_sign_in, sign_in, socket_refusal
from tests.support.chat_client import ask, open_chat
from tests.support.servers import running_app
from tests.support.services import PG_ADMIN_URL

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

QUEUE = "/api/clinician/sessions"


def schema_url(port: int, schema: str) -> str:
    base = PG_ADMIN_URL.replace("127.0.0.1:5432", f"127.0.0.1:{port}")
    return f"{base}?options=-csearch_path%3D{schema}"


def staff_in(url: str) -> None:
    store = UserStore(url)
    store.create_schema()
    store.create("clin", "clinician", PASSWORD)
    store.engine.dispose()


def assert_unavailable(response: httpx.Response, code: str = "accounts_unavailable") -> None:
    assert response.status_code == 503, (response.status_code, response.text[:300])
    assert response.json()["error"] == code and "Patient chat is not affected" in response.json()["detail"]
    assert int(response.headers["retry-after"]) > 0


async def test_staff_get_503_while_the_accounts_database_is_down_and_patients_are_still_answered(
    tmp_path, postgres_schema
):
    staff_in(schema_url(5432, postgres_schema))
    proxy = CuttableProxy(("127.0.0.1", 5432)).start()
    # Accounts are re-read on every request (no 5 s cache), so the outage shows on the first request after the cut.
    env = {"TRIAGE_DATABASE_URL": schema_url(proxy.port, postgres_schema), "TRIAGE_STAFF_ACCOUNT_CACHE_S": "0"}
    try:
        with running_app(tmp_path, env) as app:
            token = sign_in(app.http, "clin")
            browser = form_sign_in(app.http, "clin")
            assert httpx.get(app.http + QUEUE, headers=bearer(token)).status_code == 200
            proxy.cut()

            assert_unavailable(httpx.get(app.http + QUEUE, headers=bearer(token), timeout=30))
            assert_unavailable(
                httpx.post(app.http + "/api/login", json={"username": "clin", "password": PASSWORD}, timeout=30)
            )
            page = browser.get("/clinician", headers={"Accept": "text/html"})
            assert page.status_code == 503 and "text/html" in page.headers["content-type"]
            assert "Temporarily unavailable" in page.text and "try again" in page.text.lower()
            page = browser.get("/clinician", headers={"Accept": "text/html", "Accept-Language": "ja-JP,ja;q=0.9"})
            assert page.status_code == 503 and "一時的に利用できません" in page.text
            assert "データベースが応答しない" in page.text and "Temporarily" not in page.text
            code, frames = await socket_refusal(app.ws + "/ws/clinician", additional_headers=bearer(token))
            assert code == 1013 and frames[0]["code"] == "unavailable", (code, frames)

            # The patient chat needs no account: answered as usual, its record waiting in the spool.
            started = time.monotonic()
            conn, _ = await open_chat(app.ws)
            async with conn:
                frames = await asyncio.wait_for(ask(conn, "I have had a mild sore throat since yesterday"), 60)
            assert next(f["type"] for f in frames) == "triage" and frames[-1]["type"] == "done", frames
            assert time.monotonic() - started < 30

            proxy.restore()
            deadline = time.monotonic() + 30
            while httpx.get(app.http + QUEUE, headers=bearer(token), timeout=30).status_code != 200:
                assert time.monotonic() < deadline, "staff access did not come back with the database"
                await asyncio.sleep(0.2)
            async with await connect(app.ws + "/ws/clinician", additional_headers=bearer(token)) as staff_socket:
                assert json.loads(await staff_socket.recv())["type"] == "snapshot"
    finally:
        proxy.cut()
