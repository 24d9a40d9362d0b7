# The README's two commands: `make run` and `make test`. Each bootstraps .venv on its own, idempotently.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test check bench bench-quick clean

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
	$(VENV)/bin/triage serve --host 127.0.0.1 --port 8000

# axe-core for the browser tests' accessibility checks, from the committed lock file (tests/browser/axe.py).
# Without npm those checks skip (and fail in CI), as the browser tests do without chromium.
AXE := tests/browser/node_modules/.installed
$(AXE): tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error) && touch $@; \
	  else echo "npm not found: the axe-core checks of the browser tests will skip (apt-get install -y npm)"; fi

# Lint, format, types and the import contracts (configured in pyproject.toml); each runs even when an earlier one
# failed, so one run lists every finding, and the target fails if any did.
check: $(VENV)/.dev-installed
	@status=0; for tool in "ruff check ." "ruff format --check ." "mypy" "lint-imports --no-cache --no-logo"; do \
	  echo "$$ $$tool"; $(VENV)/bin/$$tool || status=1; done; exit $$status

# The suite runs in TEST_WORKERS processes (pytest-xdist; a file's tests stay together, so a module's servers
# start once): most of its time is spent waiting on servers it starts. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2
test: $(VENV)/.dev-installed $(AXE)
	$(MAKE) --no-print-directory check
	$(PY) -m pytest -q -ra --durations=20 -n $(TEST_WORKERS) --dist loadfile

bench: $(VENV)/.dev-installed
	$(PY) -m bench.run

bench-quick: $(VENV)/.dev-installed
	$(PY) -m bench.run --quick

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
