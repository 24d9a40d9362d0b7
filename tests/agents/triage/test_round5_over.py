"""Round 5 (issue 15): classes of self-care and routine messages the deterministic layers raised to a more urgent
level (an ordinary word read as an alarming one, a negated or figurative phrase, a number that is a time), with
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
        # weather: "out in the cold" is not "out cold" (watering eyes in wind, NICE CKS Watery eye)
        ("my eyes stream whenever I'm out in the cold wind walking the dog, otherwise fine, no pain", S),
        ("we stood out in the cold for hours at the bonfire and now I've got a runny nose", S),
        # "no breathing problems" said in chat shorthand is a reassurance (NHS Hay fever: pharmacist)
        ("hayfever is doing my head in, sneezy and itchy eyes, no breathing probs tho", S),
        ("itchy streaming eyes every june, no breathing worries at all, what antihistamine is best", S),
        # "drowning" as a figure of speech is not a submersion (NICE CG192 postnatal mental health: same-day GP)
        ("since the baby came I feel like I'm drowning, crying every day, no thoughts of hurting anyone", D),
        ("honestly drowning in work at the moment and sleeping badly, mood ok otherwise", S),
        # a lump or swelling "under" a body part "for a week" is not under water (NHS Breast buds in babies)
        ("2 week old baby with small firm swellings under both nipples for a few days, feeding well, no redness", S),
        # "show" as a verb is not the show of labour (NICE NG136: home readings to the GP)
        ("my home monitor show 150 over 94 most mornings, no headache, I feel well, 55", R),
        # "pulseless temporal artery" is an examination sign of giant cell arteritis, not cardiac arrest (NICE CKS GCA)
        ("74F, new temporal headache, jaw pain on chewing, pulseless tender right temporal artery, vision normal", D),
        # confused or muddled by a pill box is a dosing mistake, not delirium (NHS: took an extra dose by mistake)
        ("I got confused with my new pill organiser and took my statin twice this morning, I feel fine", D),
        ("mum's dosette box got muddled and she had her morning tablets twice, she's well, BP normal", D),
        ("he's been taking his blood thinner twice a day instead of once for 2 days, no bleeding, no bruises", D),
        # silica gel sachets are not toxic (NPIS TOXBASE; NHS: silica gel is non-toxic)
        (
            "my 1 year old sucked on a torn silica gel sachet from a shoebox and may have eaten some of the balls, she's fine",
            S,
        ),
        ("toddler chewed open a desiccant packet from a handbag, playing happily, no coughing", S),
        # "checked my sugar 2 hours after dinner": a time, not a reading of 2 mmol/L (NICE NG28)
        ("type 2 on metformin, checked my sugar 2 hours after a big roast and it was high for me, I feel fine", S),
        # "worse at night", "worse on dry days" name what aggravates a minor complaint, not a worsening course
        # (NICE CKS Allergic rhinitis; Dyspepsia - pregnancy-associated)
        ("sneezing and itchy eyes every spring, worse on windy days, sleeping ok, what can I buy", S),
        ("29 weeks pregnant with a stuffy nose for weeks, worse at night, no fever or facial pain", S),
        # stridor only when crying is mild croup (NICE CKS Croup)
        (
            "barking cough since last night, he only makes a noisy breathing in sound when he's crying, fine when settled",
            D,
        ),
        # a headache in pregnancy that has gone, said so: not a current pre-eclampsia symptom (NICE NG133)
        ("24 weeks pregnant, had paracetamol for a headache last night, headache has gone now, feel fine", D),
        # labour as a plan or a worry ("antibiotics in labour") is not labour now (NICE NG235 intrapartum care)
        ("22 weeks pregnant and worried about having an epidural in labour, can I talk to someone", R),
        ("penicillin allergy as a child, 18 weeks pregnant, will I need other antibiotics in labour?", R),
        # scarlet fever: a sandpaper rash with a sore throat or strawberry tongue is not erythroderma (NICE CKS)
        ("my 5 year old has a sore throat and temp 38.6, now a red sandpapery rash all over his chest, drinking ok", D),
        # sunburn that blisters is a GP or 111 matter, not an A&E burn (NHS Sunburn)
        (
            "fell asleep sunbathing in the sun by the pool and my shoulders have come up in big blisters, feel shivery",
            D,
        ),
        # a red patch on the white of the eye is not bleeding in pregnancy (NICE CKS Subconjunctival haemorrhage)
        (
            "31 weeks pregnant, been coughing and there is a bright red blood spot on the white of my right eye, vision fine",
            S,
        ),
        # heartburn with acid coming up into the mouth is reflux, and "bad burning" is a sensation, not a burn injury
        # (NICE CKS Dyspepsia - pregnancy-associated; GORD)
        (
            "26 weeks pregnant, bad burning in my chest every evening when I lie down and acid comes up into my throat",
            S,
        ),
        # Bell's palsy written as an examination: the forehead is involved (NICE CKS Bell's palsy: same-day GP)
        ("40M, right facial droop since waking, absent forehead wrinkling on the right, limbs and speech normal", D),
        ("left facial droop for a day, unable to close the left eye fully or raise the left eyebrow, arms fine", D),
        # iron deficiency with mild breathlessness on the stairs is the GP's, not an emergency (NICE CKS Anaemia)
        ("blood test says Hb 95 and low ferritin, I'm tired with mild breathlessness on stairs, no chest pain", R),
        # spluttering at the start of feeds when the milk comes fast, fine straight after (NHS: breastfeeding let-down)
        (
            "my 6 week old gags and chokes a little at the start of feeds, fine straight after, feeding and growing well",
            D,
        ),
    ],
)
def test_routine_and_self_care_not_raised(text: str, want: Level) -> None:
    why = raised(text, want)
    assert why is None, f"{text!r}: got {why}, a clinician gives {want.value}"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # the emergencies beside each class stay
        ("found him out cold on the kitchen floor, breathing but not responding", A),
        ("she's not breathing and her lips are blue", A),
        ("my son nearly drowned in the lake, pulled out after a minute under water, now coughing", A),
        ("she was under the water for about a minute before we got her out of the pool", E),
        ("contractions every 5 minutes at 36 weeks and I've had a show", E),
        ("he collapsed, no pulse, we've started CPR", A),
        ("my dad is suddenly confused, doesn't know where he is, since this morning", E),
        ("my 2 year old swallowed some of grandma's tablets, we don't know how many", E),
        ("took an extra dose of my warfarin by mistake and now my nose won't stop bleeding", E),
        ("my sugar is 2.4 and I'm shaky and sweaty, can't think straight", E),
        ("toddler drank some bleach from under the sink 10 minutes ago", E),
        ("using my blue inhaler every 10 minutes and still can't get my breath", E),
        ("vomiting bright green bile and his tummy is swollen", E),
        ("croup, noisy breathing in even when he's sitting quietly on my lap", E),
        ("34 weeks pregnant, headache went away but came back worse with flashing lights", E),
        ("36 weeks pregnant and I think I'm in labour, contractions every 3 minutes", E),
        ("32 weeks pregnant with bright red bleeding and tummy pain", E),
        ("spilled boiling water over my hand and there are huge blisters across my palm", E),
        ("he has psoriasis and now his skin is red all over his body, temp 38.5 and shivering", E),
        ("heavy crushing chest pain for 30 minutes, sweaty and sick, thought it was indigestion", A),
        ("pulled a kettle of boiling water over her arm, big blisters already", E),
        ("sudden droop of the left side of his face, forehead spared, and his arm is weak", A),
        ("known anaemia, Hb 70, now breathless even sitting down and chest feels tight", E),
    ],
)
def test_emergencies_beside_the_classes_stay(text: str, want: Level) -> None:
    got = level(text)
    assert got.urgency is want.urgency, f"{text!r}: got {got.value}, a clinician gives {want.value}"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        # "needing to go every 10 minutes" is urinary frequency, not a reliever inhaler needed that often (NICE CKS UTI)
        (
            "stinging when I wee and needing to go every 10 minutes since last night, no fever, 31F",
            "breathing.asthma_reliever_failing",
        ),
        ("needing a wee every 20 minutes and it burns", "breathing.asthma_reliever_failing"),
        # "non-bilious" vomiting is the opposite of bilious vomiting (NICE CG84 gastroenteritis in children)
        (
            "3 year old with non-bilious vomiting 4 times and runny poo since last night, drinking sips",
            "abdominal.obstruction",
        ),
        ("vomited twice, non bilious, tummy soft", "abdominal.obstruction"),
    ],
)
def test_ordinary_words_do_not_fire_the_emergency_rule(text: str, rule: str) -> None:
    a = assess_layers(text)[0]
    assert rule not in a.matched_rules
    assert not a.is_emergency, f"{text!r}: got {a.level.value} from {a.red_flags}"


@pytest.mark.parametrize(
    "text",
    [
        # a minor complaint that is getting worse still needs a doctor (NHS: see a GP if symptoms get worse)
        "my hay fever is getting worse every week even with antihistamines",
        "blocked nose for 10 days and it's getting worse, now worse at night too",
    ],
)
def test_worsening_course_still_sees_a_doctor(text: str) -> None:
    assert level(text).rank <= Level.consultation.rank
