"""The public API others code against: names, signature, value shapes."""

from __future__ import annotations

import inspect

import pytest
from pydantic import ValidationError

import agents.triage as triage
from agents.triage import PROTOCOL_VERSION, Assessment, Level, Urgency, assess, follow_up_question


def test_public_names() -> None:
    for name in ("assess", "Assessment", "Level", "Urgency", "PROTOCOL_VERSION", "follow_up_question"):
        assert hasattr(triage, name), name


def test_signature_is_keyword_only_after_text() -> None:
    params = inspect.signature(assess).parameters
    assert list(params) == ["text", "age", "sex", "history", "lang"]
    assert params["text"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    for name in ("age", "sex", "history", "lang"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["age"].default is None and params["sex"].default is None and params["history"].default == ()
    assert params["lang"].default == "en"  # the caller detects the language (issue 19); English stays the default


def test_assessment_fields() -> None:
    result = assess("crushing chest pain going down my left arm", age=58, sex="male")
    assert isinstance(result, Assessment)
    assert result.level is Level.emergency_ambulance
    assert result.urgency is Urgency.em and result.is_emergency
    assert isinstance(result.red_flags, tuple) and "cardiac.chest_pain_radiating" in result.red_flags
    assert isinstance(result.missing_info, tuple)
    assert result.rationale and "ambulance" in result.rationale.lower()
    assert result.protocol_version == PROTOCOL_VERSION
    dumped = result.model_dump()
    assert dumped["urgency"] == "em" and dumped["level"] == "emergency_ambulance"


def test_assessment_is_frozen() -> None:
    result = assess("I have a cold")
    with pytest.raises(ValidationError):
        result.level = Level.emergency  # type: ignore[misc]


def test_deterministic() -> None:
    text = "A 67-year-old woman presents with fever 38.9C, confusion and HR 128"
    assert assess(text) == assess(text)


def test_protocol_version_is_stable_string() -> None:
    assert isinstance(PROTOCOL_VERSION, str) and PROTOCOL_VERSION.startswith("1.")


def test_text_must_be_a_string() -> None:
    with pytest.raises(TypeError):
        assess(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "key", ["age", "duration", "severity", "pregnancy", "complaint", "language", "temperature", "rash_blanching"]
)
def test_every_missing_info_key_has_a_question(key: str) -> None:
    question = follow_up_question(key)
    assert question.endswith("?") or "?" in question


def test_unknown_question_key_is_an_error() -> None:
    with pytest.raises(KeyError):
        follow_up_question("no_such_key")


def test_missing_info_keys_emitted_all_have_questions() -> None:
    texts = [
        "",
        "my baby has a fever",
        "stomach pain",
        "rash and a temperature",
        "tengo dolor de cabeza y fiebre",
        "headache",
    ]
    for text in texts:
        for key in assess(text).missing_info:
            assert follow_up_question(key)
