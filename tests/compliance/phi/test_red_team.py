"""Issue 16's PHI red team, over the real redactor and the streaming guard (`red_team.jsonl`, 50 chat messages).

Written before the fixes as an attacker would: double-barrelled surnames in lower case after a first name that was
caught ("Anna here. anna smith-jones"), employers ("I work at Brightwater Logistics"), sign-in names ("my login is
j.smith84", "user john.doe"), and street addresses in model output that the guard used to let out piecewise ("12 Elm
<ADDRESS_1>"). First pass, before the fixes: 19 of 51 values caught. Every value must now be redacted whole, with
its type, and every clinical phrase listed under "keep" must survive.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from compliance.phi import ENTITY_TYPES, PlaceholderVault, Redactor, StreamingRedactor

DATA = Path(__file__).with_name("red_team.jsonl")
ROWS = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
INPUT = [row for row in ROWS if row["channel"] == "input"]
OUTPUT = [row for row in ROWS if row["channel"] == "output"]
PLACEHOLDER = re.compile(r"<[A-Z][A-Z_]*_\d+>")


def test_the_set_is_realistic_and_well_formed() -> None:
    assert len(ROWS) >= 40 and len(OUTPUT) >= 5
    assert sum(len(row["phi"]) for row in ROWS) >= 50 and sum(len(row["keep"]) for row in ROWS) >= 50
    assert sum(not row["phi"] for row in ROWS) >= 8  # messages with nothing to redact, cue words and all
    for row in ROWS:
        for phi in row["phi"]:
            assert phi["value"] in row["text"] and phi["type"] in ENTITY_TYPES
        assert all(keep in row["text"] for keep in row["keep"])


def _covered(redactor: Redactor, text: str) -> dict[int, str]:
    return {i: span.type for span in redactor.find(text) for i in range(span.start, span.end)}


@pytest.mark.parametrize("row", INPUT, ids=lambda row: row["id"])
def test_patient_messages(redactor: Redactor, row: dict) -> None:
    text = row["text"]
    covered = _covered(redactor, text)
    for phi in row["phi"]:
        start = text.index(phi["value"])
        chars = [i for i in range(start, start + len(phi["value"])) if not text[i].isspace()]
        assert all(i in covered for i in chars), f"{phi['value']!r} not redacted whole"
        assert covered[start] == phi["type"], f"{phi['value']!r} typed {covered[start]}"
    for keep in row["keep"]:
        start = text.index(keep)
        assert not any(i in covered for i in range(start, start + len(keep))), f"clinical {keep!r} redacted"


def _tokenisations(text: str) -> dict[str, list[str]]:
    """How model servers cut text: words with their trailing or leading space, sub-word pieces, single characters."""
    return {
        "trailing space": re.findall(r"\S+\s*", text),
        "leading space": re.findall(r"\s*\S+", text),
        "3-character pieces": [text[i : i + 3] for i in range(0, len(text), 3)],
        "characters": list(text),
    }


def _stream(redactor: Redactor, tokens: list[str]) -> str:
    guard = StreamingRedactor(redactor, PlaceholderVault())
    return "".join(guard.feed(token) for token in tokens) + guard.flush()


@pytest.mark.parametrize("row", OUTPUT, ids=lambda row: row["id"])
def test_model_output_through_the_streaming_guard(redactor: Redactor, row: dict) -> None:
    text = row["text"]
    addresses = [phi["value"] for phi in row["phi"] if phi["type"] == "ADDRESS"]
    for how, tokens in _tokenisations(text).items():
        out = _stream(redactor, tokens)
        shown = set(re.findall(r"[\w'-]+", PLACEHOLDER.sub(" ", out)))
        for phi in row["phi"]:
            # a lone leading letter is the guard's documented allowance (an initial), nothing longer
            leaked = {word for word in re.findall(r"[\w'-]+", phi["value"]) if len(word) > 1} & shown
            assert not leaked, f"{how}: {leaked} of {phi['value']!r} shown: {out!r}"
        for keep in row["keep"]:
            assert keep in out, f"{how}: clinical {keep!r} lost: {out!r}"
        if addresses and len(row["phi"]) == 1:
            # the address goes out whole, as one placeholder, the text around it untouched
            assert out == text.replace(addresses[0], "<ADDRESS_1>"), f"{how}: {out!r}"


@pytest.mark.parametrize(
    "text",
    [
        "I work at the hospital on the cardiac ward",
        "I'm a carer for my mum who has dementia",
        "my login keeps failing",
        "my login is broken",
        "logged in as usual and saw my results",
        "handle with care, the wound is weeping",
        "e.g. ibuprofen or paracetamol, i.e. twice a day",
        "at 8 a.m. and 6 p.m.",
        "I work at weekends and at Christmas",
        "follow-up x-ray check-up well-being long-term short-term walk-in self-care over-the-counter mother-in-law",
        "ear-ache and hay-fever, took 2 tablets of co-codamol",
        "my grand-daughter has a fever",
        "I work at a school",
    ],
)
def test_the_new_cues_leave_ordinary_words_alone(redactor: Redactor, text: str) -> None:
    assert redactor.find(text) == []
