"""Earlier messages count as if the conversation were one text, each message its own sentence, however the
engine reads them (issue 9: each message is normalised and scanned once, then reused on later turns). A term
never runs from one message into the next ("...my left arm" + "pain in my tummy" is no "arm pain")."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from agents.triage import assess

CASES = [json.loads(line)["text"] for line in (Path(__file__).parents[3] / "bench/data/triage_cases.jsonl").open()]


def _decision(assessment):
    return assessment.level, assessment.red_flags, assessment.missing_info, assessment.matched_rules


@pytest.mark.parametrize("seed", range(4))
def test_history_reads_like_the_joined_conversation(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        earlier = rng.sample(CASES, rng.randint(1, 4))
        current = rng.choice(CASES)
        assert _decision(assess(current, history=earlier)) == _decision(assess(" .\n".join([*earlier, current])))


def test_a_term_does_not_run_across_two_messages() -> None:
    joined = assess("pain in my lower tummy since yesterday", history=["I cannot move my left arm"])
    assert "musculoskeletal.joint_pain" not in joined.matched_rules


def test_a_red_flag_many_messages_ago_still_counts() -> None:
    history = ["I have crushing chest pain spreading to my left arm and I am sweating"]
    history += [f"it is day {n} of my cold, my nose is still runny" for n in range(30)]
    result = assess("what should I drink?", history=history)
    assert result.is_emergency and result.red_flags


def test_a_negation_does_not_reach_into_the_next_message() -> None:
    result = assess("I have chest pain and cannot breathe", history=["No fever, no cough"])
    assert result.is_emergency


def test_repeated_assessment_of_the_same_text_is_the_same() -> None:
    text = "My 3 year old has a temperature of 39.5 and a rash that does not fade under a glass"
    first = assess(text)
    for _ in range(3):
        assert assess(text) == first


def test_facts_from_several_messages_read_like_the_joined_text() -> None:
    from agents.triage.facts import extract, merge
    from agents.triage.protocols import load
    from agents.triage.text import normalise

    spelling = load().spelling
    messages = [
        "she is 4 years old",
        "she has had a temperature of 39.2 for 3 days",
        "she has been off her food for a week",
    ]
    per_message = [extract(normalise(m, spelling)) for m in messages]
    joined = extract(normalise("\n".join(messages), spelling))
    merged = merge(per_message)
    assert merged == joined
    assert merged.age == 4 and merged.temp_c == 39.2 and merged.duration_days == 7


def test_two_readings_of_one_fact_are_left_to_the_joined_text() -> None:
    from agents.triage.facts import extract, merge

    assert merge([extract("temp 37.2"), extract("temp now 39.4")]) is None


@pytest.mark.parametrize(
    "messages",
    [
        ["temp 37.2 this morning", "temp now 39.4 and she is 3 years old"],
        ["my son is 4", "sorry he is 5, pulse 130", "sats 93% on the meter"],
        ["bp 150/95 earlier", "bp now 90/50, heart rate 120", "she is 80 and has had diarrhoea for 2 days"],
        ["glucose 2.1 an hour ago", "sugar now 4.5 after juice; he is 70"],
    ],
)
def test_facts_two_messages_state_differently_are_read_from_the_joined_text(messages: list[str]) -> None:
    from agents.triage.facts import conversation_facts, extract
    from agents.triage.protocols import load
    from agents.triage.text import normalise

    spelling = load().spelling
    texts = [normalise(m, spelling) for m in messages]
    joined = "\n".join(texts)
    assert conversation_facts([extract(t) for t in texts], joined) == extract(joined)


def test_explicit_age_and_sex_still_win_over_history() -> None:
    result = assess("he has a cough", age=80, sex="male", history=["my dad is 50"])
    assert result == assess("he has a cough", age=80, sex="male", history=["my dad is 50"])
    baby = assess("cough and a temperature of 38.5", age=0.1, history=["she is 40"])
    assert baby.level.rank <= assess("cough and a temperature of 38.5", history=["she is 40"]).level.rank
