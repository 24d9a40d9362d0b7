"""The term prefilter's literals (agents/triage/text.py): read with public code only, and always sound: whenever a
pattern matches a text, one of its required literals is in that text."""

from __future__ import annotations

import random
import re

import pytest

from agents.triage.text import required_literals


@pytest.mark.parametrize(
    "pattern, literals",
    [
        (r"chest pain|chest tightness", ("chest ",)),  # a prefix common to every alternative is required
        (r"(?:crushing|heavy) chest", (" chest",)),
        (r"chest (?:\w+ ){0,3}pain", ("chest ",)),
        (r"(?<!no )blood in (?:my )?(?:stool|poo)", ("blood in ",)),
        (r"(?:sharp|dull) p", ("dull", "sharp")),  # one of the alternatives
        (r"(?:a|b)c", None),  # one letter: too short to filter on
        (r"(?i)chest pain", None),  # inline flags are not read: no prefilter
    ],
)
def test_literals_of_typical_patterns(pattern, literals):
    assert required_literals([pattern]) == literals


def test_a_list_of_patterns_needs_each_to_yield_literals():
    assert required_literals(["chest pain", "heart attack"]) == ("chest pain", "heart attack")
    assert required_literals(["chest pain", r"\d+ ?h"]) is None


PIECES = ["a", "b", "c", "x", "yz", " ", "ab", "abc", "bc"]
ATOMS = ["a", "b", "ab", "abc", " ", r"\b", r"\w", r"\s", ".", "[ab]", "[a]", "[^a]", "[a-c]", "x", "yz"]


def _pattern(rng: random.Random, depth: int = 0) -> str:
    """Random patterns of the constructs the knowledge uses, small enough not to backtrack for long."""
    parts = []
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        if roll < 0.6 or depth > 0:
            part = rng.choice(ATOMS)
            if rng.random() < 0.25 and part != r"\b":
                part += rng.choice(["?", "*", "+", "{2}", "{0,3}", "{1,}", "+?"])
        elif roll < 0.85:
            part = rng.choice(["(?:", "("]) + "|".join(_pattern(rng, 1) for _ in range(rng.randint(1, 3))) + ")"
            part += rng.choice(["", "", "?", "+"])
        else:
            part = rng.choice(["(?=", "(?!", "(?<=", "(?<!"]) + rng.choice(["a", "bc", "x"]) + ")"
        parts.append(part)
    return "".join(parts) + ("|" + _pattern(rng, 1) if depth == 0 and rng.random() < 0.4 else "")


def test_the_literals_are_sound_on_random_patterns_and_texts():
    rng = random.Random(17)
    checked = matched = 0
    while checked < 400:
        pattern = _pattern(rng)
        try:
            compiled = re.compile(pattern)
        except re.error:
            continue
        literals = required_literals([pattern])
        if literals is None:
            continue
        checked += 1
        for _ in range(40):
            text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 8)))
            if compiled.search(text):
                matched += 1
                assert any(lit in text for lit in literals), (pattern, literals, text)
    assert matched > 1000  # the check was not vacuous
