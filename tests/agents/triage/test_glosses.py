"""Taglish: Tagalog mixed into English is glossed into the English the layers read (agents/triage/glosses.py), an
emergency told in Tagalog is an emergency, English is left as it was, and a mixed message nobody reads still goes to
a clinician. The messages here are our own, written for these tests (the Taglish corpus parts are `dev50` and `dev51`,
read, and `locked50`, `locked51`, `locked53` and `locked54`, never read)."""

from __future__ import annotations

import pytest

from agents.triage import Level, Urgency, assess, protocols
from agents.triage.glosses import Glosser, GlossError
from agents.triage.text import normalise


def glossed(text: str) -> str:
    p = protocols.load()
    return p.glosser.apply(normalise(text, p.spelling))


@pytest.mark.parametrize(
    "text",
    [
        "nabulunan po si lolo ng karne, hindi makapagsalita at nangingitim ang labi niya",
        "58 po ako, masakit ang dibdib ko since kanina, pawis na pawis at hirap huminga",
        "si tatay biglang tabingi ang mukha at bulol magsalita, 30 minutes ago",
        "baby ko 6 weeks old may lagnat 38.4 kagabi pa, ayaw dumede",
        "34 weeks buntis po, naninigas ang tiyan ko every 5 mins for 2 hours, regular na",
        "81 po ako, hindi ako makahiga ng patag, parang nalulunod, may ubo na may pink na bula",
        "76M, since kaninang umaga hindi ako makaihi, sobrang sakit ng puson",
        "iniisip ko na tumalon sa tulay malapit sa apartment namin",
        # 2.8.61: a word between the sign and the part, a doubled word, English parts inside a Tagalog frame
        "si lolo 80, hindi niya maigalaw ang kaliwang braso, ngiwi daw yung bibig niya, utal utal pa magsalita",
        "baby ko 1 month, kanina tumigil siya huminga ng ilang segundo tapos nag-violet yung lips niya",
        "si nanay 70 medyo violet na daw lips niya at hingal na hingal",
    ],
)
def test_an_emergency_told_in_taglish_is_an_emergency(text: str) -> None:
    result = assess(text)
    assert result.urgency is Urgency.em
    assert not result.needs_clinician


def test_a_minor_complaint_in_taglish_is_read_as_one() -> None:
    result = assess("hello po, may sipon at ubo ako 3 araw na, walang lagnat, kumakain naman ako. pwede ba Biogesic?")
    assert result.level is Level.self_care
    assert {"cough", "runny_nose"} <= set(result.findings)


def test_a_taglish_message_no_layer_reads_goes_to_a_clinician() -> None:
    # no complaint recognised (one with "naguguluhan", confused, is read in part since 2.8.60: test_learned_taglish)
    result = assess("ano po ba dapat kong gawin kasi hindi ko na alam, ang dami ko nang iniisip sa lahat")
    assert result.level is Level.consultation_24
    assert result.needs_clinician


def test_tagalog_is_no_longer_taken_for_a_foreign_language_but_spanish_still_is() -> None:
    assert "language" not in assess("masakit po ang ulo ko since kahapon, walang lagnat").missing_info
    spanish = assess("tengo dolor de cabeza desde ayer y mucho fiebre")
    assert spanish.needs_clinician and "language" in spanish.missing_info


@pytest.mark.parametrize(
    ("tagalog", "english"),
    [
        ("masakit ang dibdib ko", "chest pain ko"),
        ("sumasakit ang ulo niya", "headache niya"),
        ("namamaga ang kaliwang paa", "swollen foot"),
        ("tatay ko na-stroke nung 60", "my father had a stroke nung 60"),
        ("baby ko 4 buwan", "my child 4 months old"),
        ("namamaga ang pulso ko", "swollen wrist ko"),  # pulso is the wrist as well as the pulse
        ("mabilis ang pulso niya", "fast pulse niya"),
        ("parang baluktot yung forearm ko", "forearm deformed ko"),  # an English part inside a Tagalog frame
    ],
)
def test_frames_and_glosses_give_the_english_the_layers_read(tagalog: str, english: str) -> None:
    assert glossed(tagalog) == english


@pytest.mark.parametrize(
    "text",
    [
        "I have a bad cough and high blood pressure, my period is late",
        "Lola has had a fever since yesterday",  # a name is glossed as a grandmother: harmless, and still English
        "noo I did not fall, we were on holiday in Bali",
        "BP 150/95 at 10am, na for allergies, PA review at the clinic",
    ],
)
def test_english_is_left_alone_except_a_tagalog_word(text: str) -> None:
    out = glossed(text)
    assert out.replace("grandmother", "lola") == normalise(text, protocols.load().spelling)


def test_an_english_message_with_tagalog_lookalike_words_is_triaged_as_english() -> None:
    # "at", "na", "pa" are English (or abbreviations) too: not Tagalog's marks
    result = assess("pain at night at the back of my knee, na for allergies, seen by the PA last week")
    assert not result.needs_clinician


def test_a_blow_to_the_bump_from_20_weeks_is_an_emergency() -> None:
    assert assess("I am 24 weeks pregnant, fell down 5 stairs and hit my abdomen, no bleeding").urgency is Urgency.em


def test_a_space_before_an_optional_group_is_refused() -> None:
    # "utal (?:magsalita)?" never matched "utal" alone: without the group it needs a space and another word
    with pytest.raises(GlossError):
        Glosser([("bad.yaml", {"glosses": [{"id": "x", "en": "slurred speech", "tl": ["utal (?:magsalita)?"]}]})])
    fixed = Glosser([("ok.yaml", {"glosses": [{"id": "x", "en": "slurred speech", "tl": ["utal(?: magsalita)?"]}]})])
    assert fixed.apply("utal siya") == "slurred speech siya"


def test_lips_gone_violet_are_blue_lips_in_english_too() -> None:
    assert assess("my daughter's lips look violet and she is breathing fast").level is Level.emergency_ambulance
    assert assess("he put gentian violet on the baby's mouth for thrush").urgency is not Urgency.em


def test_a_form_that_does_not_start_with_a_word_is_refused() -> None:
    with pytest.raises(GlossError):
        Glosser([("bad.yaml", {"glosses": [{"id": "x", "en": "fever", "tl": ["\\w+ lagnat"]}]})])
    with pytest.raises(GlossError):
        Glosser([("bad.yaml", {"glosses": [{"id": "x", "en": False, "tl": ["wala"]}]})])  # YAML's bare `no`


def test_a_word_with_an_urgent_sense_is_read_in_it_and_reassurance_is_left_unread() -> None:
    # "humihinto ang paghinga" is said of a snoring child's pauses and of a collapse alike: read as the collapse
    assert glossed("minsan humihinto ang paghinga niya") == "sometimes not breathing niya"
    # words that only reassure stay Tagalog: nothing read from them can lower a level
    assert glossed("dumugo pero tumigil na, nawala na yung sakit, tumahan na siya") == (
        "bled pero tumigil na, nawala na yung pain, tumahan na siya"
    )


@pytest.mark.parametrize(
    "text",
    [
        "52M, for 40 minutes a heavy chest, sweating and aching left arm",  # the adjective before the chest
        "I lost my job and I keep thinking of jumping off the bridge near my flat",
    ],
)
def test_english_readings_taglish_showed_were_missing(text: str) -> None:
    assert assess(text).urgency is Urgency.em


def test_a_heavy_chest_of_drawers_is_furniture() -> None:
    assert not any(
        r.startswith("cardiac.") for r in assess("back pain after carrying a heavy chest of drawers").matched_rules
    )
