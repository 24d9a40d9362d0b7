"""YAML parsing for the engine's data files: libyaml's safe loader where PyYAML was built with it (it is in the
wheels), about eight times faster than the pure-Python one, which made reading the knowledge most of a process's
start-up. Both loaders give the same objects for every data file here (tests/agents/triage/test_yaml_text.py)."""

from __future__ import annotations

from typing import Any

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse(text: str) -> Any:
    """The document in ``text``, read with a safe loader (no tags that build arbitrary objects)."""
    return yaml.load(text, Loader=LOADER)  # noqa: S506 - a safe loader
