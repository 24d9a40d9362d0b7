"""Plain names for red flags, findings and conditions (agents/triage/labels.py), as the clinician queue shows them."""

from __future__ import annotations

import pytest
import yaml

from agents.triage import (
    assess,
    condition_name,
    finding_name,
    knowledge,
    load,
    red_flag_name,
)
from agents.triage.labels import LABELS


def test_a_stroke_is_named_in_words_not_by_its_rule_id():
    result = assess("his face has dropped on one side and he cannot lift his arm")
    names = [red_flag_name(flag) for flag in result.red_flags]
    assert "Stroke sign: face drooping" in names
    assert all("_" not in name and "." not in name.split(":")[0] for name in names), names


@pytest.mark.parametrize("flag", sorted({rule.id for rule in load().rules}))
def test_every_rule_id_has_a_readable_name(flag):
    name = red_flag_name(flag)
    assert name and "_" not in name and name != flag


def test_findings_and_physiology_use_the_knowledge_base_names():
    kb = knowledge.load()
    result = assess("crushing chest pain, sats 85%, pulse 140", age=60)
    for flag in result.red_flags:
        kind, _, ident = flag.partition(".")
        if kind in ("finding", "physiology"):
            assert red_flag_name(flag) == kb.concepts[ident].name
    assert finding_name("facial_droop") == kb.concepts["facial_droop"].name
    some_condition = next(iter(kb.conditions.values()))
    assert condition_name(some_condition.id) == some_condition.name


def test_named_rules_in_the_data_file_exist():
    words = yaml.safe_load(LABELS.read_text(encoding="utf-8"))
    assert set(words["rules"]) <= {rule.id for rule in load().rules}
    assert {rule.family for rule in load().rules} <= set(words["families"]), "every family has a plain name"


def test_an_unknown_id_still_comes_back_in_words():
    assert red_flag_name("finding.no_such_thing") == "No such thing"
    assert red_flag_name("newfamily.sudden_thing") == "Newfamily: sudden thing"
