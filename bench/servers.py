"""Servers under test, each in its own process on a free loopback port, with a raised file-descriptor limit."""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Server:
    """A child process serving HTTP on 127.0.0.1:`port`, ready when `ready_path` answers 200."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        data_dir: Path,
        env: dict[str, str] | None = None,
        ready_path: str = "/readyz",
        port: int | None = None,
    ) -> None:
        self.name = name
        self.port = port or free_port()
        self.argv = [part.format(port=self.port) for part in argv]
        self.data_dir = data_dir
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.ready_path = ready_path
        self.proc: subprocess.Popen | None = None
        self.log_path = data_dir / f"{name}.log"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/chat"

    def start(self, timeout_s: float = 180.0) -> Server:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - the server process writes to it for its whole life
        self.proc = subprocess.Popen(
            self.argv, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_raise_fd_limit
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; log tail:\n{self.log_tail()}")
            try:
                if httpx.get(self.http + self.ready_path, timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"{self.name} not ready after {timeout_s}s; log tail:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


#: The load comes from one loopback address, standing in for thousands of patients on their own addresses: the
#: per-address and per-connection limits (app/security/limits.py) are lifted so they measure nothing here.
UNLIMITED = {
    "TRIAGE_CONN_MSGS_PER_S": "100000",
    "TRIAGE_CONN_MSGS_BURST": "100000",
    "TRIAGE_ADDR_MSGS_PER_S": "100000",
    "TRIAGE_ADDR_MSGS_BURST": "100000",
    "TRIAGE_HTTP_PER_S": "100000",
    "TRIAGE_HTTP_BURST": "100000",
    "TRIAGE_MAX_CONNECTIONS_PER_ADDR": "20000",
    "TRIAGE_MAX_CONNECTIONS": "20000",
    # Admission control (app/admission.py) too: these phases measure what the pipeline carries; the `overload`
    # phase (bench/overload.py) runs a server with admission at its defaults (ADMISSION_DEFAULTS).
    "TRIAGE_MAX_ACTIVE_TURNS": "100000",
}
#: Admission control as shipped, for the `overload` phase.
ADMISSION_DEFAULTS = {"TRIAGE_MAX_ACTIVE_TURNS": str(Settings.model_fields["max_active_turns"].default)}


def app_server(data_dir: Path, engine: str = "local", env: dict[str, str] | None = None) -> Server:
    return Server(
        f"app-{engine}",
        [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", "{port}"],
        data_dir,
        env={
            "TRIAGE_DATA_DIR": str(data_dir),
            "TRIAGE_ENGINE": engine,
            "TRIAGE_LOG_LEVEL": "warning",
            "TRIAGE_WORKERS": "1",  # one process, as the per-process figures say (bench/workers_bench.py: more)
            **UNLIMITED,
            **(env or {}),
        },
    )


def peer_server(name: str, data_dir: Path) -> Server:
    return Server(
        name,
        [sys.executable, "-m", f"bench.peers.{name}", "--port", "{port}"],
        data_dir,
        env={"BENCH_DATA_DIR": str(data_dir)},
    )


def llama_command(
    model: str | Path, port: int | str, threads: int = 2, *extra: str, batch: int | None = 256
) -> list[str]:
    """The command line of a llama.cpp OpenAI-compatible server on loopback (batch None: the server's default)."""
    return [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "2048",
        "--n_threads",
        str(threads),
        *(("--n_batch", str(batch)) if batch is not None else ()),
        *extra,
    ]


def llama_server(model_path: str, data_dir: Path) -> Server:
    return Server(
        "llama",
        llama_command(model_path, "{port}", os.cpu_count() or 1, "--verbose", "false", batch=None),
        data_dir,
        ready_path="/v1/models",
    )
