"""Answers in Japanese (issue 19): our own templates, Japan's emergency numbers where the level fits, the prompt."""

from __future__ import annotations

import pytest

from agents.engines.base import ChatTurn, GenerationRequest
from agents.engines.local import advice, emergency_script, local_engine, template_chunks
from agents.engines.openai_compat import build_messages
from agents.engines.router import Router
from agents.triage import Assessment, Level, assess

NUMBERS = {"en": "911", "ja": "119"}


def request(text: str, *, language: str = "ja", audience: str = "patient") -> GenerationRequest:
    assessment = assess(text, lang=language)
    return GenerationRequest(
        assessment=assessment, conversation=(ChatTurn(role="user", content=text),), language=language, audience=audience
    )


def with_level(base: Assessment, level: Level, findings: tuple[str, ...] = ()) -> Assessment:
    return base.model_copy(update={"level": level, "findings": findings})


def test_the_emergency_script_in_japanese_names_119_and_no_english() -> None:
    req = request("父が胸を押さえて苦しがっていて、冷や汗をかいています")
    assert req.assessment.is_emergency
    text = emergency_script(emergency_numbers=NUMBERS).render(req)
    assert text.startswith("命に関わる緊急事態の可能性があります。今すぐ救急車（119番）を呼んでください。")
    assert "911" not in text and "emergency" not in text.lower()
    assert "#7119" not in text  # an ambulance now: only 119, never a line to ring first


def test_english_answers_keep_the_deployments_number() -> None:
    req = request("crushing chest pain and sweating", language="en")
    text = emergency_script(emergency_numbers=NUMBERS).render(req)
    assert "(911)" in text and "119" not in text


def test_the_emergency_consultation_line_where_the_level_fits() -> None:
    base = request("右下腹がずっと痛くて熱もあります").assessment
    engine = local_engine(emergency_numbers=NUMBERS)
    for level, expected in (
        (Level.emergency, True),
        (Level.consultation_24, True),
        (Level.consultation, False),
        (Level.self_care, False),
    ):
        req = GenerationRequest(assessment=with_level(base, level), conversation=(), language="ja")
        rendered = (emergency_script(emergency_numbers=NUMBERS) if level is Level.emergency else engine).render(req)
        assert ("#7119" in rendered) is expected, level


def test_the_childrens_night_line_only_for_a_child_and_not_in_an_emergency() -> None:
    base = request("4歳の息子が熱を出しています。元気です。").assessment
    assert "child" in base.findings
    engine = local_engine(emergency_numbers=NUMBERS)
    for level in (Level.consultation_24, Level.consultation, Level.self_care):
        req = GenerationRequest(assessment=with_level(base, level, base.findings), conversation=(), language="ja")
        assert "#8000" in engine.render(req), level
    adult = GenerationRequest(assessment=with_level(base, Level.self_care, ("fever",)), conversation=(), language="ja")
    assert "#8000" not in engine.render(adult)
    ambulance = GenerationRequest(
        assessment=with_level(base, Level.emergency_ambulance, base.findings), conversation=(), language="ja"
    )
    assert "#8000" not in emergency_script(emergency_numbers=NUMBERS).render(ambulance)


def test_japan_only_lines_are_left_out_when_japanese_answers_name_another_number() -> None:
    req = request("右下腹がずっと痛くて熱もあります")
    text = emergency_script(emergency_numbers={"en": "112", "ja": "112"}).render(req)
    assert "（112番）" in text and "#7119" not in text and "#8000" not in text


def test_the_local_answer_in_japanese_with_its_safety_net() -> None:
    req = request("鼻水とくしゃみが出て、喉が少しイガイガします。熱はありません。")
    assert req.assessment.layers["read"] == "self_care"  # the self-care template, whatever the hold decides
    req = req.model_copy(update={"assessment": with_level(req.assessment, Level.self_care)})
    text = local_engine(emergency_numbers=NUMBERS).render(req)
    assert text.startswith("お話の内容からは、たいていは自宅で様子を見ることができます。")
    assert "救急車（119番）" in text and "薬剤師" in text


def test_a_message_nothing_places_asks_its_question_in_japanese() -> None:
    assessment = assess("よろしくお願いします", lang="ja")
    req = GenerationRequest(
        assessment=assessment, conversation=(), language="ja", follow_up_questions=("どのような症状がありますか？",)
    )
    assert "どのような症状がありますか" in local_engine(emergency_numbers=NUMBERS).render(req)


def test_our_sentences_for_the_guard_and_the_lead_are_japanese_with_the_configured_number() -> None:
    router = Router(
        [local_engine(emergency_numbers=NUMBERS)],
        emergency_script(emergency_numbers=NUMBERS),
        first_token_timeout_s=1,
        total_timeout_s=1,
        emergency_number="911",
        emergency_numbers=NUMBERS,
    )
    assessment = request("右下腹がずっと痛くて熱もあります").assessment
    japanese = router.advice(assessment, "ja")
    assert "119番" in japanese.disposition and "119番" in japanese.escalation
    assert router.advice(assessment) == advice(assessment.level.value, "911")


def test_the_prompt_tells_a_model_to_answer_in_japanese() -> None:
    system = build_messages(request("喉が痛いです"))[0]["content"]
    assert "answer in Japanese" in system
    assert "answer in Japanese" not in build_messages(request("my throat hurts", language="en"))[0]["content"]


@pytest.mark.parametrize("text", ["文です。次の文です。最後の文です。", "一文だけ"])
def test_japanese_template_text_streams_in_sentences(text: str) -> None:
    chunks = template_chunks(text)
    assert "".join(chunks) == text
    assert chunks[0] == text.split("。")[0] + ("。" if "。" in text else "")
