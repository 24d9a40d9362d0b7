"""The llama.cpp the tests serve with is the portable build (deploy/llama-cpp-build.env), not one for this CPU."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

BUILD_ENV = Path(__file__).resolve().parents[2] / "deploy" / "llama-cpp-build.env"


def _build_flags() -> dict[str, bool]:
    text = BUILD_ENV.read_text()
    args = re.search(r'^LLAMA_CMAKE_ARGS="(.*)"$', text, re.M)
    assert args, "deploy/llama-cpp-build.env names no LLAMA_CMAKE_ARGS"
    flags = {}
    for arg in shlex.split(args.group(1)):
        name, _, value = arg.removeprefix("-D").partition("=")
        flags[name] = value == "ON"
    return flags


def test_build_recipe_is_never_native():
    flags = _build_flags()
    assert flags["GGML_NATIVE"] is False
    for name in ("GGML_AVX512", "GGML_AMX_TILE", "GGML_AMX_INT8", "GGML_AVX512_BF16"):
        assert flags.get(name) is False, f"{name} must be off: not every x86-64 host runs it"


def test_installed_library_uses_only_the_portable_instruction_set():
    llama_cpp = pytest.importorskip("llama_cpp")
    line = llama_cpp.llama_print_system_info().decode()
    enabled = {name for name, on in re.findall(r"(\w+) = (\d)", line) if on == "1"}
    assert "AVX2" in enabled, line  # the baseline is there: the library was built with our flags
    beyond = {name for name in enabled if name.startswith(("AVX512", "AMX", "AVX_VNNI"))}
    assert not beyond, (
        f"llama.cpp was built for this host's CPU ({line}); rebuild: rm .venv/.llama-portable && make test"
    )
    stamp = Path(llama_cpp.__file__).resolve().parents[4] / ".llama-portable"
    if stamp.exists():  # the Makefile's record of the flags the library was built with
        assert stamp.read_text() == BUILD_ENV.read_text(), "built with older flags: make test rebuilds it"
