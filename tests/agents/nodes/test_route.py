"""Route: a follow-up in an emergency already told is answered under it; anything new gets the script again."""

from __future__ import annotations

from agents.engines.local import emergency_script, local_engine
from agents.engines.router import Router
from agents.nodes.route import already_told, emergency_reasons
from agents.triage import assess

CHEST_PAIN = "My father has crushing chest pain spreading to his left arm and he is sweating"


def told_about(text: str) -> dict:
    assessment = assess(text)
    return {"level": assessment.level.value, "reasons": sorted(emergency_reasons(assessment))}


def test_a_question_after_an_emergency_is_a_follow_up_but_a_new_red_flag_or_a_higher_level_is_not():
    told = told_about(CHEST_PAIN)
    question = assess("Is it OK for him to take paracetamol for the pain?", history=[CHEST_PAIN])
    assert question.is_emergency, "the conversation's disposition never goes down"
    assert already_told(told, question)
    assert not already_told(told, assess("Now he has collapsed and is not breathing", history=[CHEST_PAIN]))
    assert not already_told(None, question), "nothing told yet: the script"
    assert not already_told({**told, "level": "emergency"}, question), "more urgent than what was told: the script"
    assert not already_told(told, assess("I have a mild sore throat")), "not an emergency at all"


def test_the_router_answers_a_follow_up_with_the_chain_under_the_emergency_unless_a_clinician_is_in_charge():
    router = Router([local_engine()], emergency_script(), first_token_timeout_s=1, total_timeout_s=2)
    question = assess("Is it OK for him to take paracetamol?", history=[CHEST_PAIN])
    assert router.plan(question).kind == "emergency_script"
    follow_up = router.plan(question, emergency_told=True)
    assert (follow_up.kind, follow_up.engines) == ("emergency_follow_up", ("local",))
    assert router.plan(question, emergency_told=True, clinician_in_charge=True).kind == "clinician_in_charge"
    assert router.plan(question, clinician_in_charge=True).kind == "emergency_script"
