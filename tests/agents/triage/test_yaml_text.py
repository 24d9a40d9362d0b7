"""The fast YAML loader reads every data file of the product exactly as PyYAML's pure-Python safe loader does."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from agents.triage import yaml_text as engine_yaml
from compliance import yaml_text as service_yaml

ROOT = Path(__file__).resolve().parents[3]
DATA_FILES = sorted(p for folder in ("agents", "compliance", "app") for p in (ROOT / folder).rglob("*.yaml"))


def test_the_data_files_are_found():
    assert len(DATA_FILES) > 40
    assert ROOT / "agents" / "triage" / "lexicon.yaml" in DATA_FILES


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_both_loaders_read_the_same_objects(path):
    text = path.read_text(encoding="utf-8")
    expected = yaml.safe_load(text)
    assert engine_yaml.parse(text) == expected
    assert service_yaml.parse(text) == expected


def test_the_loaders_are_safe():
    with pytest.raises(yaml.YAMLError):
        engine_yaml.parse("!!python/object/apply:os.system ['true']")
    with pytest.raises(yaml.YAMLError):
        service_yaml.parse("!!python/object/apply:os.system ['true']")
