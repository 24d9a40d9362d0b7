"""A newcomer's first `triage serve`: once the server is up (after the start-up logs, not among them) it says
where it is, where its data is (absolute, though TRIAGE_DATA_DIR is relative to where it started), and the
command that makes the first account; that command, run from anywhere, makes an account this server honours."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time

import httpx
import pytest

from app.cli import ready_notice
from app.settings import Settings
from app.users import UserStore
from tests.support.servers import REPO, free_port, wait_ready

PASSWORD = "the first passphrase of this site"


@pytest.fixture
def first_run(tmp_path):
    start_dir = tmp_path / "where-i-started"
    start_dir.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "TRIAGE_DATA_DIR": "var",
        "TRIAGE_ENGINE": "local",
        "TRIAGE_LOG_FORMAT": "text",  # a person at a terminal (with JSON logs the notice is one log record)
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(REPO),
    }
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
            cwd=start_dir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_ready(f"http://127.0.0.1:{port}/readyz", proc=proc)
        deadline = time.monotonic() + 10
        while "Triage is ready" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        yield start_dir, port, log.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_the_first_account_hint_comes_after_start_up_and_its_command_works_from_anywhere(first_run, tmp_path):
    start_dir, port, output = first_run
    notice = output[output.index("Triage is ready") :]
    assert "startup complete" in output[: output.index("Triage is ready")], "after uvicorn's own start-up lines"
    assert f"Triage is ready: http://127.0.0.1:{port}/" in notice
    data_dir = (start_dir / "var").resolve()
    assert f"Data directory: {data_dir}" in notice
    assert "(TRIAGE_DATA_DIR=var: relative to the directory the server started in)" in notice
    command = next(line.strip() for line in notice.splitlines() if " users create " in line)
    assert command.startswith(f"TRIAGE_DATA_DIR={data_dir} ")

    variable, *argv = shlex.split(command)
    name, value = variable.split("=", 1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_")} | {name: value}
    made = subprocess.run(
        [*argv, "--password-stdin"],
        check=False,
        input=PASSWORD + "\n",
        text=True,
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )  # another directory, no TRIAGE_DATA_DIR of its own
    assert made.returncode == 0, made.stderr
    signed_in = httpx.post(f"http://127.0.0.1:{port}/api/login", json={"username": "admin", "password": PASSWORD})
    assert signed_in.status_code == 200 and signed_in.json()["role"] == "admin"


def test_no_account_hint_once_an_account_exists(tmp_path):
    settings = Settings(data_dir=tmp_path)
    assert "users create" in ready_notice(settings, "127.0.0.1", 8000)
    store = UserStore(settings.resolved_database_url)
    store.create_schema()
    store.create("admin", "admin", PASSWORD)
    store.engine.dispose()
    notice = ready_notice(settings, "0.0.0.0", 8000)
    assert "users create" not in notice and "http://127.0.0.1:8000/" in notice
    assert f"Data directory: {tmp_path}" in notice and "relative" not in notice
