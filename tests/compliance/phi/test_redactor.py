"""What gets redacted, what survives, and the placeholder contract."""

from __future__ import annotations

import itertools

import pytest

from compliance.phi import ENTITY_TYPES, PlaceholderVault, Redaction, Redactor
from tests.compliance.phi.conftest import redacted_values


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("My daughter Emily has had a fever for 3 days.", "Emily"),
        ("Hi, this is Maria Gonzalez, calling about my son.", "Maria Gonzalez"),
        ("my name is sarah jones and my throat hurts", "sarah jones"),
        ("I am the wife of Tomasz Kowalczyk.", "Tomasz Kowalczyk"),
        ("Seen by Dr. Okonkwo this morning.", "Okonkwo"),
        ("My daughter Hope has a rash.", "Hope"),
        ("my son Will fell off his bike", "Will"),
        ("Grace Kim is my mother and she is dizzy.", "Grace Kim"),
        ("This is April, the nurse said to write here.", "April"),
        ("Pt Jarmo Herrera, 45, presents with chest pain.", "Jarmo Herrera"),
    ],
)
def test_names(redactor: Redactor, text: str, value: str) -> None:
    assert value in redacted_values(redactor, text)


@pytest.mark.parametrize(
    ("text", "value", "entity"),
    [
        ("DOB 03/14/1952, please check.", "03/14/1952", "DATE"),
        ("I was admitted on March 3rd for pneumonia.", "March 3rd", "DATE"),
        ("Call me at (555) 123-4567 after 5pm.", "(555) 123-4567", "PHONE"),
        ("Fax: 555.987.6543", "555.987.6543", "PHONE"),
        ("email me at jo.smith@example.org", "jo.smith@example.org", "EMAIL"),
        ("SSN 123-45-6789", "123-45-6789", "SSN"),
        ("MRN: A12345678", "A12345678", "MRN"),
        ("account number 9876543210", "9876543210", "ACCOUNT"),
        ("member ID XWB123456789", "XWB123456789", "HEALTH_PLAN"),
        ("driver's license D1234567", "D1234567", "LICENSE"),
        ("pacemaker serial PJN1234567", "PJN1234567", "DEVICE_ID"),
        ("VIN 1HGCM82633A004352", "1HGCM82633A004352", "VEHICLE_ID"),
        ("see https://portal.example.com/chart/123", "https://portal.example.com/chart/123", "URL"),
        ("from 192.168.10.24 today", "192.168.10.24", "IP_ADDRESS"),
        ("I live at 42 Oak Street, Springfield, IL 62704.", "42 Oak Street, Springfield, IL 62704", "ADDRESS"),
        ("We live in Boise and it is cold.", "Boise", "LOCATION"),
        ("zip code 02139", "02139", "ZIP"),
        ("My 92-year-old grandma fell.", "92-year-old", "AGE"),
        ("She was taken to Mercy General Hospital last night.", "Mercy General Hospital", "FACILITY"),
    ],
)
def test_identifiers(redactor: Redactor, text: str, value: str, entity: str) -> None:
    spans = redactor.find(text)
    assert (value, entity) in [(text[s.start : s.end], s.type) for s in spans]
    assert all(span.type in ENTITY_TYPES for span in spans)


@pytest.mark.parametrize(
    "text",
    [
        "I've had a fever for 3 days and a cough since yesterday.",
        "two days of vomiting, SpO2 91%, BP 150/95, HR 120",
        "My mother has Parkinson's and my dad has Crohn's disease.",
        "Bell's palsy, Hodgkin lymphoma, Down syndrome, Graves' disease, Cushing's",
        "I took 400 mg ibuprofen and 500mg Tylenol at 3pm.",
        "She is 45 years old, pain 8/10 in her lower back.",
        "since Monday my chest hurts, temp 101.3F",
        "diagnosed with asthma in 2019",
    ],
)
def test_clinical_text_survives(redactor: Redactor, text: str) -> None:
    assert redactor.find(text) == []


def test_redact_numbers_placeholders_per_type(redactor: Redactor) -> None:
    red = redactor.redact("My son Liam and my daughter Emily, call 555-123-4567.")
    assert isinstance(red, Redaction)
    assert red.redacted == "My son <PERSON_1> and my daughter <PERSON_2>, call <PHONE_1>."
    assert red.counts == {"PERSON": 2, "PHONE": 1}


def test_vault_keeps_placeholders_across_turns(redactor: Redactor) -> None:
    vault = PlaceholderVault()
    first = redactor.redact("My daughter Emily has a fever.", vault)
    second = redactor.redact("Dr. Novak said Emily should rest.", vault)
    assert "<PERSON_1>" in first.redacted and "<PERSON_1>" in second.redacted
    assert "<PERSON_2>" in second.redacted
    assert vault.reveal("<PERSON_1>") == "Emily"


def test_placeholders_are_never_redacted_again(redactor: Redactor) -> None:
    text = "Tell <PERSON_1> to call <PHONE_2> tomorrow."
    assert redactor.find(text) == []


def test_spans_are_sorted_and_disjoint(redactor: Redactor) -> None:
    text = "Pt John O'Neil DOB 03/14/1952 seen at St. Mary's Hospital, call 555-123-4567, MRN 88812345."
    spans = redactor.find(text)
    assert spans == sorted(spans, key=lambda s: s.start)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
