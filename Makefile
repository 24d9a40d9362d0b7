# The README's two commands: `make run` and `make test`. Each bootstraps .venv on its own, idempotently.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test bench bench-quick clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip setuptools wheel

# Re-install only when pyproject.toml changes.
$(VENV)/.runtime-installed: pyproject.toml | $(PY)
	$(PIP) install -e .
	touch $@

# llama.cpp for the tests' real OpenAI-compatible server, compiled for a portable x86-64 baseline (see
# deploy/llama-cpp-build.env): rebuilt when that file changes, never taken from pip's wheel cache.
$(VENV)/.llama-portable: deploy/llama-cpp-build.env | $(PY)
	. ./deploy/llama-cpp-build.env && CMAKE_ARGS="$$LLAMA_CMAKE_ARGS" FORCE_CMAKE=1 \
	  $(PIP) install --no-cache-dir --no-binary llama-cpp-python --force-reinstall --no-deps "llama-cpp-python==$$LLAMA_CPP_VERSION"
	cp deploy/llama-cpp-build.env $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.llama-portable | $(PY)
	$(PIP) install -e '.[dev]'
	touch $@ $(VENV)/.runtime-installed

run: $(VENV)/.runtime-installed
	mkdir -p var
	@echo "No staff account exists by default. Make the first one with: $(VENV)/bin/triage users create --username admin --role admin"
	$(VENV)/bin/triage serve --host 127.0.0.1 --port 8000

test: $(VENV)/.dev-installed
	$(PY) -m pytest -q -ra

bench: $(VENV)/.dev-installed
	$(PY) -m bench.run

bench-quick: $(VENV)/.dev-installed
	$(PY) -m bench.run --quick

clean:
	rm -rf $(VENV) var .pytest_cache
