"""Prompts as templates: the disposition is fixed and stated, follow-ups asked, only the redacted conversation sent."""

from __future__ import annotations

import pytest

from agents.engines.base import ChatTurn, GenerationRequest
from agents.engines.local import advice
from agents.engines.openai_compat import LEVEL_TEXT, build_messages
from tests.agents.engines.fakes import request_for


@pytest.mark.parametrize("level", ["consultation_24", "consultation", "self_care"])
def test_system_prompt_fixes_the_disposition_and_asks_for_safety_net_advice(level):
    system = build_messages(request_for(level))[0]["content"]
    assert LEVEL_TEXT[level] in system
    assert "NOT yours to change" in system
    assert "Never suggest a less urgent course of action" in system
    assert "safety-net advice" in system
    assert "Cough for a week without red flags." in system
    assert f'already been told: "{advice(level).disposition}"' in system, "the model explains our sentence"


def test_a_clinician_prompt_quotes_no_patient_sentence():
    base = request_for("consultation_24")
    request = GenerationRequest(assessment=base.assessment, conversation=base.conversation, audience="clinician")
    assert "already been told" not in build_messages(request)[0]["content"]


def test_follow_up_questions_and_audience_reach_the_prompt():
    base = request_for()
    request = GenerationRequest(
        assessment=base.assessment,
        conversation=(
            ChatTurn(role="user", content="cough"),
            ChatTurn(role="assistant", content="ok"),
            ChatTurn(role="user", content="<PERSON_1> again"),
        ),
        follow_up_questions=("Do you have a fever?",),
        audience="clinician",
    )
    messages = build_messages(request)
    assert "ask these follow-up questions: Do you have a fever?" in messages[0]["content"]
    assert "clinician" in messages[0]["content"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[-1]["content"] == "<PERSON_1> again"


def test_local_answer_for_a_clinician_is_a_third_person_brief():
    from agents.engines.base import ChatTurn, GenerationRequest
    from agents.engines.local import local_engine
    from agents.triage import assess

    assessment = assess("A 67-year-old woman presents with fever of 39.2 C and dysuria for 2 days")
    turns = (ChatTurn(role="user", content="A 67-year-old woman presents with fever and dysuria"),)
    brief = local_engine().render(GenerationRequest(assessment=assessment, conversation=turns, audience="clinician"))
    patient = local_engine().render(GenerationRequest(assessment=assessment, conversation=turns))
    assert brief.startswith("Clinical engine disposition:")
    assert assessment.red_flags[0] in brief and "you " not in brief.lower()
    assert patient.startswith("Based on what you describe")
