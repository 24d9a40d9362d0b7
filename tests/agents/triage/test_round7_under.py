"""Round 7: classes of wording that the deterministic layers read as less urgent than a clinician would: numbers
said with a device or at a sentence's end, the weeks of a pregnancy said alone, lapsed immunoglobulin in antibody
deficiency, readings above the pregnancy glucose targets, hypothyroid readings and symptoms, a Lyme rash said as a
round red patch, "keeps getting bigger" read as worsening.

The sentences are written here (not the corpus's); the level is the one a clinician gives, with the guidance named.
The deterministic layers are tested (``assess_layers``): the learned layer on top of them is trained and tested apart.
"""

from __future__ import annotations

import pytest

from agents.triage import Level
from agents.triage.facts import extract
from tests.agents.triage.layers import EMERGENCY, D, R, level


@pytest.mark.parametrize(
    ("text", "name", "value"),
    [
        # a temperature that ends the sentence
        ("my 6 week old is hot, thermometer in his armpit says 38.4. feeding ok", "temp_c", 38.4),
        # a home oximeter or a watch named in lay words
        ("dads finger oxygen thing says 89% and hes puffed", "spo2", 89.0),
        ("the oxygen machine reads 91 today", "spo2", 91.0),
        ("heart rate on his watch is 41 and he feels faint", "hr", 41.0),
        # a TSH result
        ("tsh came back at 15 and free t4 low", "tsh", 15.0),
        # the weeks of a pregnancy said alone at the start
        ("29 weeks, swollen hands and a bad headache, baby moving fine", "gest_weeks", 29.0),
    ],
)
def test_numbers_read(text: str, name: str, value: float) -> None:
    assert getattr(extract(text), name) == value, text


@pytest.mark.parametrize(
    "text",
    [
        # a duration said first, no pregnancy: not weeks of gestation
        "3 weeks, cough still not shifting",
        # a version number is no temperature
        "the app is on version 38.3.1",
    ],
)
def test_other_numbers_are_not_read(text: str) -> None:
    facts = extract(text)
    assert facts.gest_weeks is None and facts.temp_c is None, text


@pytest.mark.parametrize(
    "text",
    [
        # fever in a baby under 3 months, the reading at the end of a sentence (NICE NG143: red)
        "my 7 week old feels warm, the thermometer under his arm says 38.2. a bit sleepy",
        # SpO2 of 90% from a home oximeter in an older adult with breathlessness (NEWS2: 3 points for SpO2 <= 91)
        "Grandma is 86, more breathless since yesterday and her finger oxygen thing says 90%",
        # heart rate under 40 with fainting (RCUK bradycardia; MEED high risk)
        "my 16 year old fainted at school and the heart rate on her watch is 37",
        # pre-eclampsia symptoms with the weeks said alone (NICE NG133: immediate maternity assessment)
        "33 weeks, awful headache since this afternoon, flashing lights and my face has gone puffy. baby moving",
        # antibody deficiency with the immunoglobulin replacement missed and a chest infection (UKPIN; NICE NG138)
        "I have CVID and have missed my last 3 IVIG infusions, now coughing up green phlegm with a temperature",
        "hypogammaglobulinaemia on immunoglobulin replacement but I've not had my IVIG for 2 months, crackles at the "
        "left base per the GP and short of breath",
        # ACE-inhibitor facial swelling that keeps getting bigger (NHS.uk angioedema: ED now)
        "on lisinopril, my top lip has been swelling for an hour and it keeps getting bigger, breathing ok",
    ],
)
def test_emergencies_read_as_emergencies(text: str) -> None:
    assert level(text) in EMERGENCY, text


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # readings above the targets in gestational diabetes (NICE NG3: diabetes team within 24 h)
        ("gestational diabetes on diet, 30 weeks pregnant, my fasting sugar has been 7.3 to 7.8 all week", D),
        # erythema migrans after a tick bite, said in lay words (NICE NG95: treat in primary care)
        (
            "had a tick on my arm after a walk last week, now there's a round red patch round the bite with a paler middle",
            D,
        ),
        ("took a tick off my leg 10 days ago, the red patch there has got bigger and looks like a target", D),
        # raised TSH, or the weight-gain cluster of hypothyroidism (NICE NG145: routine GP)
        ("blood test: tsh 16 mU/L, free t4 9, feeling tired", R),
        ("gained nearly a stone, always tired, constipated and my skin is so dry, no other problems", R),
        # a mole that got darker and bigger (NICE NG12: suspected melanoma pathway)
        ("a mole on my shoulder got darker and bigger this year", R),
    ],
)
def test_non_emergencies_read_at_their_level(text: str, want: Level) -> None:
    got = level(text)
    assert got not in EMERGENCY and got.urgency.rank <= want.urgency.rank, (text, got)


@pytest.mark.parametrize(
    "text",
    [
        # the other side: antibody deficiency with a mild cold and the infusions up to date is not an emergency
        "I have CVID, my IVIG is up to date, just a runny nose and sneezing",
        # a child growing well is not worsening
        "my 8 month old is feeding and growing fine, just a bit of a runny nose",
    ],
)
def test_minor_forms_stay_below_an_emergency(text: str) -> None:
    assert level(text) not in EMERGENCY, text


@pytest.mark.parametrize(
    "text",
    [
        # not safe with oneself, a plan or the means looked up (NICE NG225: immediate risk, emergency services)
        "I can't keep myself safe tonight, I've been planning how and I'm on my own",
        "i dont think i can keep myself safe, i looked up how many paracetamol it would take",
    ],
)
def test_suicide_plan_in_lay_words_is_an_emergency(text: str) -> None:
    assert level(text) in EMERGENCY, text


@pytest.mark.parametrize(
    "text",
    [
        # the other side: safe, or tablets mentioned with no plan
        "I can keep myself safe tonight, my partner is with me",
        "I have my hayfever tablets in front of me, which one do I take",
    ],
)
def test_safety_said_or_tablets_alone_are_no_emergency(text: str) -> None:
    assert level(text) not in EMERGENCY, text


@pytest.mark.parametrize(
    "text",
    [
        # bowel obstruction with the absence said as one list (RCEM: emergency surgical assessment)
        "grandad hasn't opened his bowels or passed wind for 3 days, belly is bloated and tight and he's vomiting",
        # acute urinary retention in lay words (NICE CKS LUTS: emergency catheterisation)
        "my husband is 75 and has not been able to pass water since lunchtime, his lower tummy is swollen and sore",
        # retinal detachment: flashes and floaters with a shadow coming down (NICE CKS: same-day eye casualty)
        "new floaters and flashes in my right eye since last night and now a grey shadow coming down over the top",
        # acute pancreatitis: upper tummy pain going through to the back after drinking (NICE NG104)
        "agony in the top of my stomach going through to my back since a big night out, can't stop being sick",
        # microbial keratitis: a contact lens wearer with eye pain and light sensitivity (NICE CKS Red eye)
        "I sleep in my contact lenses sometimes, now my left eye is so painful and the light hurts it",
        # an adrenaline auto-injector given, with a dose or a person between (RCUK anaphylaxis: 999 even if better)
        "my son's teacher gave him his 0.15 mg adrenaline auto-injector after he ate a peanut, he seems fine now",
        # a hip injured in a fall in an older adult, the age in brackets (NICE CG124: same-day X-ray)
        "Dad (84) slipped on the kitchen floor and landed on his hip, it's painful and he's limping",
        # a fall in later pregnancy with tummy pain after a negated list (RCOG Green-top 63: maternity unit now)
        "32 weeks pregnant and fell down two steps, no bleeding, just a bit of a tummy ache",
        # hyperactive delirium in an older adult said without the word confusion (NICE CG103)
        "Mum is 88, suddenly very agitated tonight and seeing children in the room who aren't there",
        # suspected new type 1 diabetes in a child who wonders if it is diabetes (NICE NG18: same day)
        "I'm 13, drinking about 3 litres of water a day and weeing loads, lost weight, could it be diabetes?",
        # a handlebar injury to the tummy that hurts more and more (NICE NG39)
        "my 9 year old's handlebar went into his stomach, it's hurting more and more and he looks pale",
        # a young infant breathing fast with a low oxygen reading and feeding less (NICE NG9)
        "my 3 month old has a cold, breathing 60 a minute, oxygen on the monitor is 92%, taking half her feeds",
        # renal colic with a fever (NICE NG118: same-day urology)
        "sudden pain in my right side going round to my groin, been sick, temperature 38.9",
        # acute nephritis in a child: puffy eyes and cola urine (NICE CKS; RCPCH)
        "my 7 year old's eyes are puffy and his wee looks like coca cola, he's weeing less",
        # pulled elbow: a toddler swung by the hands who will not use the arm (RCEM / NICE CKS)
        "we swung our 2 year old round by the hands and now she won't use her left arm",
    ],
)
def test_emergency_classes_read_as_emergencies(text: str) -> None:
    assert level(text) in EMERGENCY, text


@pytest.mark.parametrize(
    "text",
    [
        # the other sides: a fall in pregnancy with no symptoms, loin pain that comes and goes without fever,
        # wonders about diabetes in an adult with no symptoms, eczema controlled
        "flares of eczema settle with my creams, just wanted to check which emollient is best",
        "pain in my back on the left that goes round to my groin in waves, no temperature",
        "I'm 45, do I need a test for diabetes? no symptoms",
    ],
)
def test_their_minor_forms_are_no_emergency(text: str) -> None:
    assert level(text) not in EMERGENCY, text


@pytest.mark.parametrize(
    "text",
    [
        # eczema not controlled by over-the-counter creams (NICE CG57: routine GP to step up)
        "my 6 year old has eczema on his wrists and the creams from the pharmacy aren't touching it",
        "her eczema is flaring despite the emollients and hydrocortisone, scratching all night",
    ],
)
def test_uncontrolled_eczema_is_a_gp_appointment(text: str) -> None:
    got = level(text)
    assert got not in EMERGENCY and got.urgency.rank <= R.urgency.rank, (text, got)
