"""Real servers on loopback for tests: the app itself (as a subprocess) and small HTTP peers (in a thread)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} not ready after {timeout}s")


class AppProcess:
    """`triage serve` in a child process, on its own data directory."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None, port: int | None = None) -> None:
        self.port = port or free_port()
        self.data_dir = data_dir
        self.log_path = data_dir / "server.log"
        self.env = {
            **os.environ,
            "TRIAGE_DATA_DIR": str(data_dir),
            "TRIAGE_ENGINE": "local",
            # One process unless a test asks for workers (tests/app/test_workers.py): these tests look at one
            # process's spool, limits and caches.
            "TRIAGE_WORKERS": "1",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.proc: subprocess.Popen | None = None

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> AppProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - the server process writes to it for its whole life
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_ready(self.http + "/readyz", timeout=timeout, proc=self.proc)
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextmanager
def running_app(data_dir: Path, env: dict[str, str] | None = None) -> Iterator[AppProcess]:
    app = AppProcess(data_dir, env).start()
    try:
        yield app
    finally:
        app.stop()


@contextmanager
def serve_in_thread(asgi_app, port: int | None = None) -> Iterator[str]:
    """Run an ASGI app with uvicorn in a background thread; yields its base URL."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(asgi_app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise TimeoutError("peer server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)


@contextmanager
def serving(peer):
    """Serve a test peer (anything with an ASGI `.app`) on loopback; sets and yields it with `.url`."""
    with serve_in_thread(peer.app) as url:
        peer.url = url
        yield peer


def openai_engine_env(base_url: str, model: str, **settings: str) -> dict[str, str]:
    """App environment that routes non-emergencies to an OpenAI-compatible server at `base_url`."""
    return {
        "TRIAGE_ENGINE": "openai",
        "TRIAGE_OPENAI_BASE_URL": base_url + "/v1",
        "TRIAGE_OPENAI_MODEL": model,
        **{f"TRIAGE_{name.upper()}": value for name, value in settings.items()},
    }
