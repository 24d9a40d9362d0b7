"""How the analyzer is built: spaCy NER only, NER only when needed, library boundaries."""

from __future__ import annotations

import re
from pathlib import Path

from compliance.phi import Redactor
from compliance.phi.recognizers import RECOGNIZERS
from tests.compliance.phi.conftest import redacted_values

PACKAGE = Path(__file__).resolve().parents[3] / "compliance" / "phi"


def test_only_the_ner_component_is_loaded(redactor: Redactor) -> None:
    assert redactor.analyzer.nlp_engine.pipe_names == ["ner"]


def test_registry_holds_our_recognizers_only(redactor: Redactor) -> None:
    names = sorted(r.name for r in redactor.analyzer.registry.recognizers)
    assert names == sorted(cls.__name__ for cls in RECOGNIZERS)
    assert all(name.startswith("Phi") for name in names)  # no clash with Presidio's own class names


def test_ner_runs_only_for_unexplained_capitalised_words(redactor: Redactor) -> None:
    before = redactor.ner.runs
    redactor.find("I have had a fever for 3 days and my throat hurts, SpO2 94%.")
    redactor.find("My daughter Emily has Crohn's disease.")
    assert redactor.ner.runs == before
    assert "Oluwaseun" in redacted_values(redactor, "Can Oluwaseun take ibuprofen with amoxicillin?")
    assert redactor.ner.runs == before + 1


def test_coordinated_and_inverted_names(redactor: Redactor) -> None:
    assert {"Thandiwe", "Sipho"} <= set(redacted_values(redactor, "Thandiwe and Sipho both have chickenpox."))
    assert "DOE, JANE" in redacted_values(redactor, "Patient: DOE, JANE. DOB: 01/02/1983.")


def test_library_imports_nothing_from_app_or_agents() -> None:
    pattern = re.compile(r"^\s*(?:from|import)\s+(?:app|agents)\b", re.MULTILINE)
    offenders = [p.name for p in PACKAGE.rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
