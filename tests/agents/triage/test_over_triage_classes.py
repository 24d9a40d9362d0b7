"""Round 4: classes of routine and self-care messages the deterministic layers raised to a 24-hour or emergency
level (an incidental alarming word, a reassuring detail not read, a phrase rule firing on an ordinary word), with
the emergency each fix must leave alone beside them.

The sentences are written here (not the corpus's); the level is the one a clinician gives, with the guidance named.
The deterministic layers are tested (``assess_layers``): the learned layer on top of them is trained and tested apart.
"""

from __future__ import annotations

import pytest

from agents.triage import Level
from tests.agents.triage.layers import A, D, E, R, S, level


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
