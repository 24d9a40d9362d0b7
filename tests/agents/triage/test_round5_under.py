"""Round 5: classes of wording for emergencies that the deterministic layers read as something less urgent:
carers' plain descriptions of infants and older people, and clinicians' case notes.

The sentences are written here (not the corpus's); the level is the one a clinician gives, with the guidance named.
The deterministic layers are tested (``assess_layers``): the learned layer on top of them is trained and tested apart.
"""

from __future__ import annotations

import pytest

from agents.triage import Level
from agents.triage.engine import assess_layers
from tests.agents.triage.layers import EMERGENCY, A, D, R, S, level


@pytest.mark.parametrize(
    "text",
    [
        # suspected ruptured ectopic said in lay words: pain "low down" on one side, pain at the tip of the shoulder,
        # fainting (NICE NG126: 999)
        "I'm 27, pain low down on the right since lunch, now an odd pain on the tip of my shoulder and I passed out",
        "period is late, sharp pain low down on the left and pain in the tip of my shoulder, I collapsed in the kitchen",
        # bleeding from a dialysis fistula that pressure does not stop (UK Kidney Association: 999)
        "I have haemodialysis and the needle site on my arm is squirting blood, pressed for ages and soaked a towel",
        "my husband's dialysis fistula keeps bleeding, it's soaking through the towel and he feels faint",
    ],
)
def test_ambulance_read_as_ambulance(text: str) -> None:
    assert level(text) is A, text


@pytest.mark.parametrize(
    "text",
    [
        # new exertional chest tightness in lay words ("a tight feeling in the middle of my chest"), first episode
        # (NICE CG95: recent-onset chest pain suggesting unstable angina, same-day assessment)
        "since yesterday I get a tight feeling in the middle of my chest when I walk uphill, it goes when I stop, "
        "never had it before",
        "heavy feeling in my chest whenever I carry the shopping upstairs, first time it's happened, settles with rest",
        # neonatal conjunctivitis written by a clinician: lid swelling with purulent discharge (NICE CKS: same day)
        "6-day-old girl, profuse purulent discharge from both eyes and bilateral eyelid swelling since last night",
        "3 day old with thick yellow discharge from the eyes and lid swelling, feeding ok",
        # a toddler found with an opened pill organiser or missing tablets (TOXBASE / NPIS: ED)
        "my 18 month old was playing with grandad's pill organiser, it was open and a couple of tablets are missing",
        "toddler found with the dosette box open, some of nan's pills may be missing, he seems fine",
        # shingles on the forehead, or with Hutchinson's sign on the tip of the nose (NICE CKS Shingles: same day)
        "my dad is 79, painful blisters came up on one side of his forehead yesterday",
        "blistering rash on one side of my face and now a couple of spots on the tip of my nose",
        # infantile spasms: clusters of flexion jerks on waking, with regression (NICE NG217: same day)
        "my 5 month old has clusters of little jerks when he wakes, his body bends forward and his arms fly up",
        "6-month-old with flexor spasms in clusters on waking for 10 days, has stopped smiling",
        # a non-mobile infant who cries when a limb is moved, with swelling, no injury told
        # (NICE CG89 / RCPCH: suspected fracture in an infant, same-day hospital assessment)
        "my 3 month old cries every time we move her right leg and her thigh looks swollen, no fall",
        "my 8 month old screams when we touch his arm and won't move it, the upper arm is puffy",
        # an infant's first reaction to a food with lip swelling or vomiting (RCUK / NICE CG116: ED)
        "my 9 month old had egg for the first time and came out in hives and her lips swelled up",
        "baby of 10 months tried peanut butter, hives all over his face and chest and he has vomited",
        # COPD said as "with COPD", a home oximeter's reading, and breathlessness that stops a walk to the toilet
        # (NICE NG115: SpO2 below 90%, marked decline in activity: hospital)
        "my mum is 77 with COPD, more breathless and coughing yellow phlegm, her oximeter reads 86%",
        "grandad, 84 with COPD, three days worse, now too breathless to walk to the toilet",
        # pain round the navel that has moved low on the right, in a carer's words (NICE CKS Appendicitis)
        "my 11 year old had an ache round his belly button yesterday and now it's low down on the right, off his food",
        # methotrexate with two signs of marrow failure (NICE CKS DMARDs; BNF: with trimethoprim)
        "I'm on methotrexate and was given trimethoprim last week, now my mouth is full of ulcers and I bruise easily",
        # a hot swollen joint in an older person, without a fever (BSR hot swollen joint: same-day aspiration)
        "I'm 81, my left knee came up hot, red and swollen overnight, no temperature",
        # a hand fracture's deformity in a patient's words: a sunken knuckle, a finger that twists in a fist
        # (NHS.uk Broken finger or thumb; NICE NG38: rotational deformity, same day)
        "hit a door yesterday and the knuckle of my ring finger has sunk in, the finger looks twisted when I make a fist",
    ],
)
def test_emergencies_read_as_emergencies(text: str) -> None:
    assert level(text) in EMERGENCY, text


@pytest.mark.parametrize(
    "text",
    [
        # erythema migrans after a tick bite, in a carer's and a clinician's words (NICE NG95: treat promptly)
        "we pulled a tick off my son last week, now there's a red ring round the spot getting bigger, pale in the middle",
        "removed an engorged tick 10 days ago; now an annular erythema with central clearing, 7 cm, at the site",
        # diarrhoea with the blood told later in the message (NICE CKS Gastroenteritis: same-day assessment)
        "my 4 year old has had diarrhoea since Sunday and this morning there were flecks of blood in it",
        # a child with pallor, tiredness, night-time leg pains and bruising (NICE NG12: very urgent FBC, 48 hours)
        "my 5 year old is pale and tired all the time, has leg pains at night and bruises nobody can explain",
        # itching of the palms and soles in pregnancy with the weeks said alone and the baby's movements
        # (RCOG GTG 43 intrahepatic cholestasis of pregnancy)
        "35 weeks, the palms of my hands and soles of my feet itch like mad at night, baby moving fine",
        # sudden hearing loss written as hearing "muffled" on waking (NICE NG98: sudden onset, urgent referral)
        "52F woke this morning with muffled hearing in the left ear, otoscopy normal, Weber lateralises to the right",
    ],
)
def test_doctor_within_24_hours(text: str) -> None:
    assert level(text) is D, text


def test_epididymo_orchitis_with_a_testicle_named() -> None:
    # a testicle named, coming on slowly, with burning on passing urine (BASHH 2020; NICE CKS Scrotal pain): the
    # findings layer reads epididymo-orchitis (the phrase rules keep a testicular pain at the emergency department)
    assessment = assess_layers("28M, my left ball came on gradually swollen over 3 days and it stings when I wee")[0]
    assert "epididymo_orchitis" in {c.id for c in assessment.conditions}
    assert assessment.layers["findings"] == D.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # guards: the same words without the emergency
        ("my 3 year old cut his knee on the patio, a little bleeding that stopped with a plaster", S),
        ("I've had a dull ache low down on the left side of my back since gardening, no other symptoms", R),
        ("my 9 month old kicks and moves her legs happily, just a nappy rash on her bottom", S),
        ("my 7 year old has a red rash on her forehead from the sun, otherwise fine", S),
    ],
)
def test_guards_stay_below_emergency(text: str, expected: Level) -> None:
    assert level(text) not in EMERGENCY, text
