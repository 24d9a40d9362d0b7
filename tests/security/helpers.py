"""Shared by the security, reliability and load tests: staff accounts, sign-in, audit reads, socket helpers."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from app.users import UserStore

PASSWORD = "correct horse battery staple"
STAFF = {"clin": "clinician", "comp": "compliance", "root": "admin"}


def make_staff(data_dir: Path, accounts: dict[str, str] = STAFF, password: str = PASSWORD) -> None:
    """Accounts in the app's default SQLite database, made before the app starts."""
    data_dir.mkdir(parents=True, exist_ok=True)
    store = UserStore(f"sqlite:///{data_dir / 'triage.db'}")
    store.create_schema()
    for username, role in accounts.items():
        store.create(username, role, password)
    store.engine.dispose()


def sign_in(base: str, username: str, password: str = PASSWORD) -> str:
    response = httpx.post(base + "/api/login", json={"username": username, "password": password}, timeout=30)
    response.raise_for_status()
    return response.json()["access_token"]


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def audit_rows(data_dir: Path, kind: str) -> list[dict]:
    with sqlite3.connect(data_dir / "triage.db") as db:
        rows = db.execute(
            "SELECT content, actor, session_id FROM audit_entry WHERE kind = ? ORDER BY seq", (kind,)
        ).fetchall()
    return [{**json.loads(content), "_actor": actor, "_session_id": session_id} for content, actor, session_id in rows]


def denials(data_dir: Path) -> list[dict]:
    return [row["access_denied"] for row in audit_rows(data_dir, "access_denied")]


async def socket_refusal(url: str, **kwargs) -> tuple[int | None, list[dict]]:
    """Open a socket expected to be refused; (close code, frames received) or (HTTP status, []) when the
    handshake itself was refused."""
    try:
        conn = await connect(url, **kwargs)
    except InvalidStatus as exc:
        return exc.response.status_code, []
    frames = []
    try:
        async for raw in conn:
            frames.append(json.loads(raw))
    except ConnectionClosed:
        pass
    return conn.close_code, frames


def form_sign_in(base: str, username: str, password: str = PASSWORD, **headers: str) -> httpx.Client:
    """A browser-like client signed in through the `/login` form: it holds the `triage_token` cookie."""
    client = httpx.Client(base_url=base, timeout=30)
    form = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf}, headers=headers
    )
    assert response.status_code == 303, response.text
    return client


def page_csrf(client: httpx.Client, path: str = "/clinician") -> str:
    """The CSRF token a signed-in staff page carries for its scripts."""
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    return re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text).group(1)


def run_cli(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "TRIAGE_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )
