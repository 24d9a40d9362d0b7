"""Negation and its scope, lay terms, misspellings, placeholders, bad input, languages."""

from __future__ import annotations

import pytest

from agents.triage import Level, Urgency, assess


def flags(text: str) -> set[str]:
    return set(assess(text).matched_rules)


@pytest.mark.parametrize(
    "text",
    [
        "no chest pain",
        "denies chest pain",
        "patient denies any chest pain or shortness of breath",
        "I don't have any chest pain",
        "without chest pain",
        "chest pain: none",
    ],
)
def test_negated_chest_pain_is_not_a_red_flag(text: str) -> None:
    assert not any(rule.startswith("cardiac.chest_pain") for rule in flags(text))


def test_negation_covers_a_list() -> None:
    result = assess("no fever, vomiting or diarrhoea, just a runny nose")
    assert result.level is Level.self_care
    assert not any(r.startswith(("fever.", "gastro.")) for r in result.matched_rules)


def test_negation_stops_at_but() -> None:
    assert "headache.meningism" in flags("no rash but she has a stiff neck and a headache")


def test_negation_stops_at_new_clause() -> None:
    assert assess("I don't have a fever and my chest hurts a lot").urgency is Urgency.em


def test_not_short_of_breath() -> None:
    assert not any(r.startswith("breathing.") for r in flags("a cough, not short of breath"))


def test_inability_is_not_negation() -> None:
    assert assess("I can't breathe").level is Level.emergency_ambulance
    assert assess("my baby isn't moving as much today, I'm 32 weeks pregnant").urgency is Urgency.em
    assert assess("purple spots that don't fade when I press a glass on them").urgency is Urgency.em


def test_uncertainty_is_not_negation() -> None:
    assert "fever.infant_under_3_months" in flags(
        "not sure if she has a fever, she feels hot, 38.4, she is 5 weeks old"
    )


@pytest.mark.parametrize(
    "text",
    [
        "can't catch my breath",
        "struggling to breathe",
        "cant breath properly",
    ],
)
def test_lay_breathing_terms(text: str) -> None:
    assert assess(text).urgency in (Urgency.em, Urgency.ne)
    assert any(r.startswith("breathing.") for r in flags(text))


def test_misspellings_and_lay_terms() -> None:
    assert "gastro.gastroenteritis" in flags("throwing up and diarrea since yesterday")
    assert "urinary.uti" in flags("it burns when I pee")
    assert assess("my feaver is 39 and my neck is stiff").urgency is Urgency.em


def test_placeholders_are_opaque() -> None:
    result = assess("<PERSON_1> called on <DATE_1> from <PHONE_1>: her chest is tight and the pain goes to her jaw")
    assert result.level is Level.emergency_ambulance


def test_age_placeholder_means_over_89() -> None:
    result = assess("<PERSON_1>, <AGE_1>, banged her head when she fell this morning")
    assert "trauma.head_injury_elderly" in result.matched_rules


@pytest.mark.parametrize("text", ["", "   ", "asdf qwer zxcv", "?!", "hello"])
def test_unreadable_goes_to_a_clinician_never_to_a_routine_default(text: str) -> None:
    result = assess(text)
    assert result.needs_clinician
    assert result.level is Level.consultation_24
    assert "complaint" in result.missing_info
    assert "call emergency services" in result.rationale


@pytest.mark.parametrize(
    "text",
    [
        "tengo dolor de cabeza y fiebre desde hace tres dias",
        "j'ai mal au ventre depuis hier soir",
        "ich habe seit zwei Tagen Kopfschmerzen und Fieber",
        "У меня болит голова",
        "我头疼发烧三天了",
    ],
)
def test_other_languages_ask_for_language(text: str) -> None:
    result = assess(text)
    assert "language" in result.missing_info
    assert result.needs_clinician
    assert result.level.rank <= Level.consultation_24.rank


def test_other_language_with_english_red_flag_keeps_the_flag() -> None:
    result = assess("mi padre tiene chest pain going to his left arm y esta sudando")
    assert result.urgency is Urgency.em
    assert "language" in result.missing_info


def test_word_gaps_do_not_step_over_negation() -> None:
    """'vomiting no blood' must not read as vomiting blood; 'has no plan' is not a plan."""
    assert "gi_bleeding.hematemesis" not in assess("vomiting, no blood in it").matched_rules
    assert "gi_bleeding.hematemesis" in assess("vomiting with some blood in it").matched_rules
    assert "mental_health.suicidal_plan" not in assess("I think about dying but I have no plan").matched_rules
