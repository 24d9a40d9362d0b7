#!/usr/bin/env bash
# The container image's install steps, run for real so the recipe cannot rot while Docker is unavailable:
# deploy/install.sh (which deploy/Dockerfile runs) into a throw-away virtual environment, dependencies and
# all, under deploy/constraints.txt, ending with its offline smoke test (spaCy model, app imports).
# Fast because pip reuses its cache and this machine's wheels; bytecode compilation is skipped here only.
set -euo pipefail
cd "$(dirname "$0")/.."
grep -q 'deploy/install.sh' deploy/Dockerfile || { echo "deploy/Dockerfile no longer runs deploy/install.sh" >&2; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
started=$(date +%s)
PIP_NO_COMPILE=1 PIP_PROGRESS_BAR=off sh deploy/install.sh "$scratch/venv" "$PWD" >"$scratch/install.log" 2>&1 || {
  tail -n 60 "$scratch/install.log" >&2
  echo "image recipe: deploy/install.sh failed (log above)" >&2
  exit 1
}
tail -n 1 "$scratch/install.log"
echo "image recipe checked in $(( $(date +%s) - started ))s"
