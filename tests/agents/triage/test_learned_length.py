"""The learned layer sees how much of a message the knowledge read, and raises a long message at its own threshold."""

from __future__ import annotations

from agents.triage import knowledge, learned, protocols
from agents.triage.engine import apply_model, assess_layers
from agents.triage.levels import Level
from agents.triage.reading import Reader
from agents.triage.text import normalise


def _coverage(text: str):
    return Reader(knowledge.load()).read_counting(normalise(text, protocols.load().spelling))[1]


def test_coverage_counts_the_content_words_inside_known_terms() -> None:
    read = _coverage("I have chest pain and I am short of breath")
    assert read.words >= 4 and read.read == read.words  # every content word is in a term the knowledge has
    unread = _coverage("the fence panel blew down in the storm and the shed roof is leaking again")
    assert unread.words >= 6 and unread.read == 0


def test_a_long_unread_message_and_a_short_one_get_different_length_features() -> None:
    _, short = assess_layers("I feel dizzy")
    _, long = assess_layers(
        "my grandad has been acting oddly since lunchtime, he keeps putting the kettle on and forgetting, "
        "he called me by my mother's name and now he is sitting staring at the wall not answering properly"
    )
    assert "len:0-4" in short and not any(f.startswith("len:0") for f in long)
    assert any(f.startswith("unread:") and f.count(":") == 1 and f != "unread:0" for f in long)


def _emergency_leaning(raise_at: float, raise_at_long: float | None) -> learned.Model:
    weights = {
        "bias": tuple(1.0 if x is Level.emergency else 0.0 for x in learned.LEVELS)
    }  # p(either emergency) ~ 0.55
    return learned.Model(weights=weights, raise_at=raise_at, lower_at=0.9, digest="t", raise_at_long=raise_at_long)


def test_the_long_threshold_applies_to_long_messages_only() -> None:
    short_base, short = assess_layers("my knee aches when I climb stairs")
    long_base, long = assess_layers(
        "my knee has been aching on and off for a few weeks, mostly when I climb the stairs at work or "
        "walk the dog up the hill behind our house, and it clicks a bit when I bend it fully"
    )
    assert not short_base.is_emergency and not long_base.is_emergency
    model = _emergency_leaning(raise_at=0.6, raise_at_long=0.3)
    assert not apply_model(short_base, short, model).is_emergency
    assert apply_model(long_base, long, model).level is Level.emergency
    one_threshold = _emergency_leaning(raise_at=0.6, raise_at_long=None)
    assert not apply_model(long_base, long, one_threshold).is_emergency
