"""Protocol data files: structure, ids, families, and the matching prefilter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from agents.triage import protocols
from agents.triage.text import normalise

FAMILIES = {
    "cardiac",
    "breathing",
    "neuro",
    "headache",
    "abdominal",
    "gi_bleeding",
    "fever",
    "sepsis",
    "pregnancy",
    "allergy",
    "poisoning",
    "mental_health",
    "trauma",
    "diabetes",
    "urinary",
    "skin",
    "eye",
    "ent",
    "back",
    "musculoskeletal",
    "respiratory_infection",
    "minor_ailments",
    "gastro",
}
CASES = Path(__file__).parents[3] / "bench" / "data" / "triage_cases.jsonl"


def test_one_file_per_family() -> None:
    files = {path.stem for path in protocols.PROTOCOL_DIR.glob("*.yaml")}
    assert files >= FAMILIES
    assert set(protocols.load().families) == files


def test_every_rule_has_id_level_and_rationale() -> None:
    p = protocols.load()
    ids = [rule.id for rule in p.rules]
    assert len(ids) == len(set(ids))
    for rule in p.rules:
        assert rule.id.startswith(rule.family + ".")
        assert rule.level is not None or rule.ask
        if rule.level is not None:
            assert len(rule.rationale) > 20, rule.id


def test_rules_are_data_not_code() -> None:
    for path in protocols.PROTOCOL_DIR.glob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        assert set(data) <= {"family", "title", "terms", "rules"}, path.name
        assert data["rules"], path.name


def test_every_family_has_an_emergency_or_urgent_rule() -> None:
    p = protocols.load()
    for family in FAMILIES - {"minor_ailments"}:
        levels = {rule.level for rule in p.rules if rule.family == family and rule.level}
        assert any(level.rank <= 2 for level in levels), family


def test_load_is_cached() -> None:
    assert protocols.load() is protocols.load()


def test_malformed_rule_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "protocols"
    bad.mkdir()
    (bad / "x.yaml").write_text(
        "family: x\nrules:\n  - id: x.a\n    level: emergency\n    rationale: some reason here\n    all: [no_such_term]\n"
    )
    monkeypatch.setattr(protocols, "PROTOCOL_DIR", bad)
    protocols.load.cache_clear()
    try:
        with pytest.raises(protocols.ProtocolError, match="unknown term"):
            protocols.load()
    finally:
        monkeypatch.undo()
        protocols.load.cache_clear()
        protocols.load()


def test_prefilter_never_hides_a_match() -> None:
    """The literal/gram prefilter must be sound: whenever a term's regex matches, it says 'maybe'."""
    p = protocols.load()
    texts = [json.loads(line)["text"] for line in CASES.read_text().splitlines() if line.strip()]
    texts += ["non blanching rash", "light headed", "coffee grounds", "can't breathe", "hayfever"]
    for raw in texts:
        text = normalise(raw, p.spelling)
        from agents.triage.text import grams

        present = grams(text)
        for name, term in p.terms.items():
            if term.pattern.search(text):
                assert term.may_match(text), (name, raw)
                if term.grams is not None:
                    assert not term.grams.isdisjoint(present), (name, raw)
