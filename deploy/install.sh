#!/usr/bin/env sh
# The image's install steps, in one place: the Dockerfile runs this, and CI (.ci/check_image_recipe.sh)
# runs the same file into a throw-away virtual environment so the recipe cannot rot unnoticed.
#
#   deploy/install.sh VENV SRC
#
# Installs the project from SRC (a directory with pyproject.toml) with its PostgreSQL and Redis extras,
# dependencies included, under the version pins in deploy/constraints.txt, then proves the image will start
# offline: the spaCy model is a Python package inside the environment and loads without any download.
set -eu
VENV=${1:?usage: install.sh VENV SRC}
SRC=${2:?usage: install.sh VENV SRC}

python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --upgrade "pip>=24" "setuptools>=77" wheel
# Dependencies come as published wheels only (--only-binary): nothing is compiled on the build host, so no
# library is tuned to the CPU the image happened to be built on, and the image runs on any x86-64 host.
"$VENV/bin/python" -m pip install --no-build-isolation --only-binary :all: --constraint "$SRC/deploy/constraints.txt" "$SRC[postgres,redis]"
"$VENV/bin/python" -m pip check
cd / && "$VENV/bin/python" - <<'PY'
import importlib

import spacy

from app.settings import Settings

spacy.load(Settings().spacy_model)  # bundled with the package: no network
for module in ("app.main", "langgraph.checkpoint.postgres.aio", "redis.asyncio", "opentelemetry.sdk.trace"):
    importlib.import_module(module)
print("image recipe ok")
PY
