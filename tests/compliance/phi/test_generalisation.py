"""Shapes the hand-written fresh set exposed: general rules, checked on phrasings not in either eval set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compliance.phi import Redactor

FRESH = Path(__file__).resolve().parents[3] / "bench" / "data" / "phi_fresh.jsonl"


def _found(redactor: Redactor, text: str) -> dict[str, str]:
    return {text[s.start : s.end]: s.type for s in redactor.find(text)}


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("Is it normal that Adaeze keeps coughing at night?", "Adaeze", "PERSON"),  # unknown name mid-sentence
        ("Referral: Temitope Okonjo, query asthma", "Temitope Okonjo", "PERSON"),  # two unknown words after a header
        ("hiya its bongani again, still dizzy", "bongani", "PERSON"),  # lower case after a weak cue
        ("Tendai my husband collapsed", "Tendai", "PERSON"),  # "X my <relation>"
        ("auntie Wanjiru is diabetic", "Wanjiru", "PERSON"),  # bare relation word
        ("OKAFOR, CHINWE ADA dob 04/02/1950", "OKAFOR, CHINWE ADA", "PERSON"),
        ("我是李娜，发烧了", "李娜", "PERSON"),
        ("we're staying at 3 Rue Victor Hugo, 69002 Lyon", "3 Rue Victor Hugo, 69002 Lyon", "ADDRESS"),
        ("home is Avenida Paulista 1000 this month", "Avenida Paulista 1000", "ADDRESS"),
        ("Flat 12, 4 Station Road, Bristol BS1 4DJ", "Flat 12, 4 Station Road, Bristol BS1 4DJ", "ADDRESS"),
        ("ring me on 0161 496 0000 please", "0161 496 0000", "PHONE"),
        ("mail jürgen.groß@example.de", "jürgen.groß@example.de", "EMAIL"),
        ("logged in from fe80::1ff:fe23:4567:890a", "fe80::1ff:fe23:4567:890a", "IP_ADDRESS"),
        ("claim #88172634 was denied", "claim #88172634", "ACCOUNT"),
        ("she was at St. Luke's overnight", "St. Luke's", "FACILITY"),
        ("admitted Boxing Day 2022 with sepsis", "Boxing Day 2022", "DATE"),
        ("worse since mid-October", "October", "DATE"),
        ("May here, quick question about my inhaler", "May", "PERSON"),
        ("brooklyn my daughter has a rash", "brooklyn", "PERSON"),
        ("staying with kemi and yemisi this week", "yemisi", "PERSON"),
        ("ngozika has had a fever since sunday", "ngozika", "PERSON"),
    ],
)
def test_generalises(redactor: Redactor, text: str, value: str, kind: str) -> None:
    assert _found(redactor, text).get(value) == kind


@pytest.mark.parametrize(
    "text",
    [
        "Telehealth follow-up went fine, BP 128/80.",  # unknown sentence-initial word
        "Pt deneis chest pain",  # a transposition typo is no name
        "My Fitbit says HR 120 and the Libre sensor reads 6.2",  # brand after a determiner, before a device noun
        "Started Keppra 500 mg and Jardiance last week",  # drug slot
        "my mother hasnt eaten since Tuesday",  # lower-case English after a relation cue
        "Take St. John's wort only after asking your GP.",
        "pls help my bf Luca cant breathe",  # the name, not the verbs after it
        "im with dysuria and haematuria",  # clinical endings are not names
        "diarhea is worse today",  # a misspelt symptom opening the message
        "If it gets worse call NHS 111 or your GP",  # a three-digit service number after an MRN cue word
    ],
)
def test_no_new_false_positives(redactor: Redactor, text: str) -> None:
    found = _found(redactor, text)
    assert set(found) <= {"Luca", "John"}, found


def test_fresh_set_shape() -> None:
    messages = [json.loads(line) for line in FRESH.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(messages) >= 150
    assert sum(len(m["keep"]) for m in messages) >= 150
    for message in messages:
        for span in message["phi"] + message["keep"]:
            assert message["text"][span["start"] : span["end"]] == span["value"]
