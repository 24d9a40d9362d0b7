"""Round 4: classes of routine and self-care messages the deterministic layers raised to a 24-hour or emergency
level (an incidental alarming word, a reassuring detail not read, a phrase rule firing on an ordinary word), with
the emergency each fix must leave alone beside them.

The sentences are written here (not the corpus's); the level is the one a clinician gives, with the guidance named.
The deterministic layers are tested (``assess_layers``): the learned layer on top of them is trained and tested apart.
"""

from __future__ import annotations

import pytest

from agents.triage import Level
from agents.triage.engine import assess_layers
from tests.agents.triage.layers import A, D, E, R, S, level, raised


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # a cough or cold without fever in pregnancy or old age is not an influenza-like illness (NICE TA168)
        ("16 weeks pregnant with a blocked nose and a tickly cough for three days, no temperature", S),
        ("I'm 81 and have had a dry tickly cough for 8 weeks since my new blood pressure tablet, no fever", R),
        # teething: drooling and chewing while a tooth comes through (NHS, NICE CKS Teething)
        ("my 8 month old is drooling and chewing everything, I can see a tooth coming through, temp 37.3", S),
        # bleeding gums and nosebleeds are common in pregnancy and are not bleeding from the womb
        ("26 weeks pregnant and my gums bleed when I brush, a bit puffy, no other bleeding", R),
        ("25 weeks pregnant, stuffy nose and a bit of blood when I blow it, stops straight away", S),
        # shingles: burning chest pain with a dermatomal vesicular rash (NICE CKS Shingles)
        ("75M, 3 days of burning pain round the left chest, now grouped vesicles along the T5 dermatome", D),
        # Bell's palsy: the forehead is involved and the limbs and speech are spared (NICE CKS Bell's palsy)
        ("woke with the right side of my face drooping, can't raise my right eyebrow or close my eye, arms fine", D),
        # sticky eyes: yellow discharge from the eye is not jaundice or sputum (NICE CKS Conjunctivitis)
        ("my 1 year old has crusty, sticky yellow eyes with a cold, whites a bit pink, feeding fine", S),
        # presbyopia: near vision blurred with clear distance vision from the forties (an optician)
        ("I'm 46 and have to hold my phone at arms length to read it, distance vision is fine", S),
        # flashes and floaters without a shadow or curtain: a same-day eye check (NICE CKS Retinal detachment)
        ("new floaters and a few flashes of light in my left eye since this morning, no shadow", D),
        # loose stools after being sick is gastroenteritis, not faeculent vomiting
        ("been sick twice since the takeaway and loose poo this morning, keeping fluids down", S),
        # fever the day after vaccinations (NHS: vaccination side effects)
        ("my 8 month old had her jabs yesterday, temp 38.2, feeding and smiling", S),
        # period pain on the first days of each period eased by ibuprofen (NICE CKS Dysmenorrhoea)
        ("cramping low tummy pain on days 1-2 of each period, ibuprofen helps, cycles regular, 16", S),
        # heartburn in pregnancy relieved by an antacid (NICE CKS Dyspepsia - pregnancy-associated)
        ("32 weeks pregnant, burning behind the breastbone after tea, gaviscon helps", S),
        # wheeze only with exercise or cold air, well in between: a routine asthma assessment (BTS/SIGN 158)
        (
            "I get wheezy and tight chested when I go running in the cold, settles when I stop, fine the rest of the time",
            R,
        ),
        # biliary colic that has settled, pain-free, no fever or jaundice: routine referral (NICE CG188)
        ("45F, three episodes of RUQ pain after fatty meals, each settling on its own, currently pain-free", R),
        # tummy aches on school mornings, fine at weekends (NICE CKS functional abdominal pain)
        ("my 10 year old gets tummy aches every school morning, fine at weekends, eating well", R),
        # words that are not the finding: joint crepitus, "broken sleep", a fear for the baby's breathing
        ("78F, knee pain for years, worse on stairs, crepitus on movement, small effusion, no warmth", R),
        ("lost my mum a month ago, sad, broken sleep, still working and eating", R),
        ("2 weeks postpartum, tearful, worried the baby will stop breathing in the night, no thoughts of harm", R),
    ],
)
def test_routine_or_self_care_class(text: str, want: Level) -> None:
    assert level(text) is want


@pytest.mark.parametrize(
    "text",
    [
        # the emergencies beside each fix stay emergencies
        "my baby is drooling, can't swallow and has a high fever",
        "30 weeks pregnant and bleeding from down below",
        "crushing chest pain and sweating, 70, and I have a rash of blisters on my back",
        "my mum's face has dropped on one side and she can't lift her arm",
        "facial droop, cannot raise his left eyebrow, and his speech is slurred",
        "flashes and floaters and now a dark curtain across my vision",
        "he is vomiting what looks like poo and his tummy is swollen",
        "my 5 week old is pale and floppy",
        "my dad suddenly can't lift his left arm",
        "my baby stopped breathing and went blue",
        "crepitus under the skin around the wound and the leg is going purple",
    ],
)
def test_emergency_kept(text: str) -> None:
    assert level(text) in {A, E}


def test_chest_infection_in_an_older_person_stays_within_24_hours() -> None:
    # a cough is not flu, but a cough with discoloured phlegm at 80 is a chest infection to see within 24 h (NG138)
    assert level("my husband is 80, cold for a week and now coughing up green phlegm, temperature 37.8") is D


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # an up-to-date tetanus booster is no tetanus-prone wound (UKHSA Green Book ch. 30: a booster after 10 years)
        (
            "A 35-year-old burned his forearm on an oven rack, blanching erythema, no blisters; tetanus booster 2 years ago",
            S,
        ),
        (
            "Clean 1 cm cut on her finger from a kitchen knife, edges together, bleeding stopped, last tetanus booster was 4 years ago",
            S,
        ),
    ],
)
def test_an_up_to_date_tetanus_booster_is_no_dirty_wound(text: str, want: Level) -> None:
    assert "trauma.puncture_wound" not in assess_layers(text)[0].matched_rules


@pytest.mark.parametrize(
    "text",
    [
        "stood on a nail in the shed, not sure when my last tetanus was",
        "cut my hand on a fence in the garden, last tetanus shot was about 15 years ago",
        "deep graze from the bike, never had a tetanus jab",
        "bitten by the neighbour's dog, his tetanus is out of date",
    ],
)
def test_a_wound_with_tetanus_unknown_or_out_of_date_is_seen_within_24_hours(text: str) -> None:
    a = assess_layers(text)[0]
    assert a.urgency.rank <= D.urgency.rank and a.level.rank <= D.rank


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # stridor only when a child cries is mild croup (NICE CKS Croup: no stridor at rest)
        ("3yo, barking cough and hoarse voice since last night. Stridor only when he cries, none at rest. Playing.", D),
        # pauses in a snorer's breathing that end in a gasp are sleep apnoea (NICE NG202), not a breathing emergency
        ("my wife says i snore like a train and sometimes stop breathing for a bit then gasp, knackered all day", R),
        ("he snores and stops breathing then snorts and carries on, tired in the day", R),
    ],
)
def test_mild_croup_and_sleep_pauses_are_no_emergency(text: str, want: Level) -> None:
    assert raised(text, want) is None


@pytest.mark.parametrize(
    "text",
    [
        "my son has whooping cough and goes blue in the coughing fits",  # the disease itself still counts
        "3 year old with croup, stridor at rest and pulling in under his ribs",
        "my 6 week old sometimes stops breathing for a bit then gasps",  # a baby's pauses stay an emergency
        "my dad stopped breathing and isnt responding",
    ],
)
def test_the_emergencies_beside_them_stay(text: str) -> None:
    assert level(text) in {A, E}


@pytest.mark.parametrize(
    ("text", "disease"),
    [
        # a vaccine named after its disease is a vaccine (UKHSA Green Book: pertussis vaccine at 16-32 weeks)
        ("had my whooping cough jab yesterday at 28 weeks, arm is sore and a bit red where they did it", "whooping"),
        ("my 75 year old dad had his shingles vaccine this morning, his arm aches a bit", "shingles"),
    ],
)
def test_a_vaccine_named_after_its_disease_is_no_case_of_it(text: str, disease: str) -> None:
    a = assess_layers(text)[0]
    assert not [r for r in a.matched_rules if disease in r]
    assert not [c.id for c in a.conditions if disease in c.id]
    assert not a.is_emergency
