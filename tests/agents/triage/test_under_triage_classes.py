"""Round 4: classes of wording the corpus's new authors used for emergencies and doctor cases that the engine read
as something less urgent, and incidental words that raised routine messages to emergencies.

The sentences are written here (not the corpus's); the level is the one a clinician gives, with the guidance named.
The deterministic layers are tested (``assess_layers``): the learned layer on top of them is trained and tested apart.
"""

from __future__ import annotations

import pytest

from agents.triage import Level
from agents.triage.engine import assess_layers
from agents.triage.facts import extract
from tests.agents.triage.layers import EMERGENCY, D, R, level


@pytest.mark.parametrize(
    "text",
    [
        # an adverb is not the backward negation its stem matches ("normally" -> "normal"): incarcerated hernia
        "my baby boy has a lump in his groin that usually goes back in, today it is stuck, he keeps vomiting",
        "the bulge in his groin normally pops back in but now it's stuck out, hard and he's been sick twice",
        # stridor at rest in a parent's words (NICE CKS Croup)
        "my toddler has a barky cough and a harsh noise every time she breathes in, even sitting quietly",
        # a woman's reduced fetal movements said as kicks (RCOG GTG 57)
        "34 weeks pregnant, only a few weak kicks today, normally she's really active",
        # asthma: cannot finish a sentence; the reliever not lasting (BTS/SIGN 158)
        "asthma is bad, I can't say a full sentence without stopping",
        "used my blue inhaler about 10 times this afternoon and it isn't touching it",
        "my son has asthma, wheezy and using his tummy to breathe",
        # scaphoid tenderness after a fall (NICE NG38)
        "fell skiing onto my hand, tender in the anatomical snuffbox",
        # suspected type 1 diabetes in a child (NICE NG18: same day)
        "my 7 year old is weeing all the time and drinking like crazy, clothes are looser",
        # pancreatitis after drinking (NICE NG104)
        "pain in the top of my stomach going straight through to my back, been on the drink all weekend, vomiting",
        # bowel obstruction (RCEM)
        "she hasn't opened her bowels in days, isn't passing wind, tummy blown up like a drum and she's vomiting",
        # retinal detachment (NICE CKS)
        "saw lots of flashes and a shower of black spots in one eye, now a dark curtain coming across",
        # neonatal conjunctivitis with lid swelling (NICE CKS)
        "my 10 day old's eyes are sticky and the lids are a bit puffy",
        # an infant grey around the mouth and floppier than usual (NICE NG143 red); "than normal" is a comparison
        "my 6 week old is greyish around the mouth and floppier than normal",
        # neck pain with tingling hands after an older person's fall (NICE NG41)
        "I'm 80 and fell off the stepladder, my neck hurts and both hands are tingling",
        # collapse during sport (NICE CG109)
        "my son collapsed while sprinting at training and came round after a minute",
        # collapse with known aortic stenosis (ESC 2018 syncope)
        "my 85 year old dad slumped in his chair and came round after a minute, he has aortic stenosis",
        # head injury on an anticoagulant (NICE NG232)
        "I'm on rivaroxaban and caught my head on the cupboard door, small bump",
        # pain out of proportion with dusky skin (NICE NG141)
        "the skin on my leg has gone dark purple in one patch and the pain is way worse than it looks, temp 38.9",
        # hyperemesis: nothing kept down (RCOG GTG 69)
        "I'm 9 weeks pregnant and haven't kept anything down for two days, not even sips of water",
        # steroids and vomiting with postural dizziness (Society for Endocrinology)
        "I take prednisolone every day, been vomiting since yesterday and go dizzy when I stand up",
        # a toddler and a grandparent's pills
        "my 2 year old got into her nan's pill box, not sure how many she's had",
        # mania with sleeplessness and reckless spending (NICE CG185)
        "haven't slept in 5 days, my ideas are racing, spent all my savings on a new company",
        # giant cell arteritis with visual symptoms (NICE CKS)
        "I'm 72 with a new headache, my scalp is tender and my vision has gone blurred in one eye",
        # atypical ACS in a person with diabetes (NICE CG95)
        "68, type 2 diabetic, heaviness in my upper abdomen for an hour, I'm sweating and feel sick",
    ],
)
def test_emergencies_read_as_emergencies(text: str) -> None:
    assert level(text) in EMERGENCY, text


@pytest.mark.parametrize(
    ("text", "least"),
    [
        # a febrile toddler whose urine smells, after a negated list: "no cough or cold, her wee ..." (NICE NG224)
        ("my 2 year old has had a temperature of 38.6 since yesterday, no cough or cold, her wee smells strong", D),
        # preseptal cellulitis in a child (NICE CKS)
        ("my 6 year old has swelling and redness of the upper eyelid since yesterday", D),
        # stage 2 hypertension (NICE NG136)
        ("my blood pressure at the pharmacy was 164/102 and 160/100, I feel fine", R),
        # carpal tunnel (NICE CKS)
        ("I wake up at night with pins and needles in my thumb and two fingers", R),
        # anaemia in pregnancy (BSH 2019)
        ("22 weeks pregnant, tired, my Hb was 96", R),
        # bedwetting from age 7 (NICE CG111)
        ("my 10 year old still wets the bed most nights", R),
        # a symptom lasting weeks, duration written before the complaint
        ("8 weeks of lower back pain after lifting, no other symptoms", R),
        # snoring with pauses (NICE NG202)
        ("my husband snores very loudly with pauses in his breathing", R),
        # a wound not healing
        ("I have an ulcer on my lower leg that isn't healing after 6 weeks", R),
    ],
)
def test_doctor_cases_not_self_care(text: str, least: Level) -> None:
    assert level(text).rank >= least.rank, text


@pytest.mark.parametrize(
    "text",
    [
        # "stop and catch my breath" is not a respiratory arrest
        "I get a bit wheezy when running in the cold, it settles after I stop and catch my breath",
        # "mg od" is once daily, not an overdose
        "on furosemide 40 mg od and ramipril 2.5 mg od, ankles a bit puffy by evening, no breathlessness",
        # glucose tablets taken for a hypo are not a poisoning
        "type 1, had a hypo of 3.6, took 4 glucose tablets and now 6.1, feel fine",
        # "went right through" is not pain moving to the right
        "stood on a nail, it went right through my flip flop into my foot, tetanus was 12 years ago",
        # a chest of drawers
        "sore ribs on the left since carrying a heavy chest of drawers, worse when I press on it",
        # "no vision problems" is a negation
        "had a headache yesterday after a bad night, paracetamol sorted it, no vision problems",
        # crepitus of an osteoarthritic knee
        "76F, knee pain for years, crepitus and small effusion, no warmth, x-ray shows osteoarthritis",
        # ALT is a liver enzyme, not an infant's life-threatening event
        "drinking 50 units a week, GGT 98, ALT 52, want help to cut down",
        # muddled pills are a medicines problem
        "mum keeps getting muddled with her pill organiser, she's well in herself",
        # shoulder movement, not a stroke
        "shoulder has hurt for 3 months and I can't lift my arm above my head, no injury",
        # green phlegm is not bile
        "cough for a week bringing up green phlegm, temperature 37.9, eating and drinking",
        # a parent's fear of what might happen
        "2 weeks after birth, tearful, intrusive worries the baby will stop breathing, no thoughts of harm",
    ],
)
def test_incidental_words_do_not_make_emergencies(text: str) -> None:
    assert level(text) not in EMERGENCY, text


def test_calcium_is_read_and_a_high_one_is_urgent() -> None:
    assert extract("adjusted calcium 3.1 mmol/l").calcium == 3.1
    assert extract("corrected calcium of 3.6").calcium == 3.6
    assert extract("takes calcium 500 mg daily").calcium is None
    assert level("78, breast cancer, thirsty and weeing a lot, corrected calcium 3.4") in EMERGENCY


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("8 weeks of mechanical lower back pain", 56.0),
        ("6 months of crampy lower abdominal pain", 182.5),
        ("been going on a few months since she started school", 60.0),
    ],
)
def test_duration_before_a_described_complaint(text: str, days: float) -> None:
    found = extract(text).duration_days
    assert found is not None and abs(found - days) < 1.0, (text, found)


def test_possessive_after_a_comma_starts_a_new_statement() -> None:
    a, _ = assess_layers("no fever, his neck is stiff")
    assert "neck_stiffness" in a.findings
    b, _ = assess_layers("no fever, neck stiffness or rash")
    assert "neck_stiffness" not in b.findings


def test_blood_pressure_after_a_diary_and_its_period() -> None:
    found = extract("home bp diary over 14 days averages 158/96.")
    assert (found.sbp, found.dbp) == (158.0, 96.0)
    assert level("52, home BP diary over 14 days averages 158/96, no symptoms") is R
