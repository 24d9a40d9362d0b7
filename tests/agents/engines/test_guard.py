"""Output guard: contradiction phrases (data-driven), minimal hold-back, cut-off, PHI stage in front."""

from __future__ import annotations

import time

import pytest

from agents.guard import ContradictionRules, ContradictionScanner, OutputGuard, default_rules
from agents.guard.contradiction import normalise, spellings


def stream(scanner_or_guard, tokens, **kw) -> list[str]:
    return [scanner_or_guard.feed(t, **kw) for t in tokens]


def scanner(level: str) -> ContradictionScanner:
    return ContradictionScanner(default_rules().for_level(level))


@pytest.mark.parametrize(
    "level, text",
    [
        ("consultation_24", "Honestly, this is nothing serious and should settle."),
        ("consultation", "You don't need to see a doctor for this."),
        ("consultation", "You do not need to see a doctor for this."),
        ("consultation", "You DON\u2019T need to see a doctor for this."),
        ("consultation_24", "There is no need to see a doctor; it's perfectly normal."),
        ("consultation_24", "It can wait until next week."),
        ("emergency", "You don't need to go to the ER, just rest."),
        ("emergency", "No need to go to A&E tonight."),
        ("emergency_ambulance", "This is not an emergency."),
        ("emergency_ambulance", "It's not urgent, wait and see."),
        ("consultation", "It is not\n  **serious**, relax."),
    ],
)
def test_contradictions_trip_even_when_split_across_tokens(level, text):
    for size in (1, 3, 7, len(text)):
        s = scanner(level)
        out = "".join(stream(s, [text[i : i + size] for i in range(0, len(text), size)])) + s.flush()
        assert s.hit is not None, (size, text)
        phrase_start = normalise(text).find(s.hit.phrase)
        assert len(normalise(out)) <= phrase_start, "nothing from the phrase on may be released"


@pytest.mark.parametrize(
    "level, text",
    [
        ("self_care", "This is not an emergency and nothing serious; rest at home."),
        ("consultation", "Please book a routine appointment with your doctor in the next week or two."),
        ("consultation_24", "Please see a doctor within 24 hours. If you get worse, call 911."),
        ("emergency", "Call emergency services now. Do not drive yourself."),
        ("consultation", "Nothingness, notable, serious-looking rash: see a doctor."),
    ],
)
def test_consistent_answers_pass_unchanged(level, text):
    s = scanner(level)
    out = "".join(stream(s, [w + " " for w in text.split(" ")])) + s.flush()
    assert s.hit is None
    assert out.rstrip(" ") == text


def test_ordinary_words_are_released_at_once_and_only_possible_phrase_starts_wait():
    s = scanner("consultation_24")
    assert s.feed("Please ") == "Please "
    assert s.feed("rest ") == "rest "
    assert s.feed("nothing ") == ""  # could become "nothing serious"
    assert s.feed("else ") == "nothing else "
    assert s.feed("matters") == "matters"


def test_a_word_continued_across_tokens_is_not_a_phrase_start():
    s = scanner("consultation")
    assert s.feed("Some") == "Some"
    assert s.feed("thing serious") == "thing serious"
    assert s.hit is None


def test_after_a_trip_nothing_more_is_released():
    s = scanner("consultation")
    s.feed("It is nothing serious")
    assert s.hit is not None
    assert s.feed(" at all, see a doctor") == "" and s.flush() == ""


def test_contractions_are_expanded_both_ways():
    assert {"dont need a doctor", "do not need a doctor"} <= spellings("don't need a doctor")
    assert "dont need a doctor" in spellings("do not need a doctor")
    assert "its not urgent" in spellings("it is not urgent")


def test_rules_file_targets_levels_and_urgency_groups():
    rules = default_rules()
    em, ne24, ne, sc = (rules.for_level(x) for x in ("emergency", "consultation_24", "consultation", "self_care"))
    assert not sc, "self care cannot be under-cautious"
    assert em.match("not an emergency") and not ne.match("not an emergency")
    assert ne24.match("routine appointment") and not ne.match("routine appointment")
    assert ne.match("nothing serious") and em.match("nothing serious")


def test_unknown_disposition_in_the_rules_is_an_error():
    with pytest.raises(ValueError, match="unknown disposition"):
        ContradictionRules({"rules": [{"id": "x", "contradicts": ["urgent-ish"], "phrases": ["a"]}]})


class UpperPhi:
    """Stands in for compliance.phi.StreamingRedactor: holds the last word, replaces 'Alice'."""

    def __init__(self) -> None:
        self.pending = ""

    def feed(self, token: str) -> str:
        self.pending += token
        cut = self.pending.rfind(" ") + 1
        out, self.pending = self.pending[:cut], self.pending[cut:]
        return out.replace("Alice", "<PERSON_1>")

    def flush(self) -> str:
        out, self.pending = self.pending.replace("Alice", "<PERSON_1>"), ""
        return out


def guard_for(level: str, events: list[str] | None = None) -> OutputGuard:
    return OutputGuard(UpperPhi(), default_rules().for_level(level), level=level, events=events)


def test_guard_redacts_then_scans_and_reports_a_cut_once():
    events: list[str] = []
    guard = guard_for("consultation_24", events)
    out = stream(guard, ["Hi ", "Alice, ", "it is ", "nothing ", "serious ", "at ", "all."], trusted=False)
    out.append(guard.flush())
    assert "".join(out) == "Hi <PERSON_1>, it is "
    assert guard.tripped is not None and guard.tripped.rule == "dismisses_concern"
    assert len([e for e in events if e.startswith("contradiction:dismisses_concern")]) == 1
    assert "consultation_24" in events[-1] and "Alice" not in " ".join(events)
    assert guard.feed("Template text.", trusted=True) == "Template text."


def test_trusted_text_releases_held_model_text_first():
    guard = guard_for("consultation")
    assert guard.feed("See a doc", trusted=False) == "See a "  # "doc" held by the PHI stage stand-in
    assert guard.feed("[seam]", trusted=True) == "doc[seam]"


def test_phi_replacement_is_noted_as_an_event():
    events: list[str] = []
    guard = guard_for("self_care", events)
    stream(guard, ["Thanks Alice, ", "rest well."], trusted=False)
    guard.flush()
    assert any(e.startswith("phi_redacted") for e in events)


def test_guard_cost_per_token_is_small():
    tokens = ("Based on what you describe, you should be seen by a doctor within the next 24 hours. " * 20).split(" ")
    best = float("inf")
    for _ in range(5):  # the best of five: a shared, busy machine only ever makes a run slower
        guard = OutputGuard(None, default_rules().for_level("consultation_24"), level="consultation_24")
        started = time.perf_counter()
        for token in tokens:
            guard.feed(" " + token, trusted=False)
        best = min(best, (time.perf_counter() - started) / len(tokens) * 1e6)
        assert guard.tripped is None
    assert best < 50, f"{best:.1f} us per token"
