"""YAML parsing for data files outside the clinical engine (which keeps its own copy: agents.triage imports nothing
of the project): libyaml's safe loader where PyYAML has it, about eight times faster than the pure-Python one."""

from __future__ import annotations

from typing import Any

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse(text: str) -> Any:
    """The document in ``text``, read with a safe loader (no tags that build arbitrary objects)."""
    return yaml.load(text, Loader=LOADER)  # noqa: S506 - a safe loader
