"""Round 7b: classes of wording that the deterministic layers read as less urgent than a clinician would, found on
writers whose text nobody here wrote: a swollen tongue said in lay words, euglycaemic DKA on an SGLT2 tablet, a
shadow over part of the vision, muddled words with a dropped cup, numbness found when wiping, a rash with mouth
blisters or a swollen face on a medicine known for severe skin reactions, haloes round lights with a red eye,
headaches shared at home or gone at work, a swollen limb in a baby who screams when it is moved, paracetamol above the
daily maximum, an ECG rate said after the rhythm, exertional chest heaviness now at rest, serial temperatures after
chemotherapy, Kawasaki features in lay words, shivering with confusion and little urine, waking gasping in known heart
failure, a red light-sensitive eye with a small pupil, a stated Wells score, a tooth infection with a jaw that will
hardly open, sickle cell pain not settling at home, an extraction socket that keeps bleeding on an anticoagulant, a home
oximeter named with the finger it sits on, voices through the wall with fear of poisoned food, sips only in pregnancy,
the snuffbox as the dip at the base of the thumb, petechiae or a big spleen in a child, saved-up tablets with final acts,
a boy's pain "in his privates", days without sleep with grandiose beliefs and risky acts, a child who fell and will not
move the arm.

The sentences are written here (not the corpus's); the level is the one a clinician gives, with the guidance named.
The deterministic layers are tested (``assess_layers``): the learned layer on top of them is trained and tested apart.
"""

from __future__ import annotations

import pytest

from agents.triage.facts import extract
from tests.agents.triage.layers import EMERGENCY, A, level


@pytest.mark.parametrize(
    "text",
    [
        # a tongue said to be fat, enormous or too big with a muffled voice or drooling: a threatened airway
        # (RCUK Emergency treatment of anaphylaxis 2021; NICE CKS Angio-oedema: ACE-inhibitor angioedema)
        "on perindopril, woke up with a fat tongue and his speech sounds muffled",
        "she takes enalapril, her tongue looks enormous and she is drooling into a towel",
        "my tongue feels too big for my mouth and I can't swallow properly",
    ],
)
def test_swollen_tongue_with_airway_signs_is_an_ambulance(text: str) -> None:
    assert level(text) is A, text


@pytest.mark.parametrize(
    "text",
    [
        # a swollen tongue alone, said in lay words (NICE CKS Angio-oedema: same-day emergency assessment)
        "my tongue has gone fat since I started lisinopril",
        "tongue looks massive this morning, no idea why",
        # euglycaemic DKA on an SGLT2 inhibitor: vomiting with tummy pain or deep breathing, whatever the glucose
        # (MHRA Drug Safety Update: SGLT2 inhibitors and diabetic ketoacidosis; JBDS-IP DKA)
        "started empagliflozin last month, now vomiting and stomach pain, sugar only 8",
        "on jardiance, been sick three times and my breathing is a bit deep and fast",
        "type 2, take forxiga, keep throwing up and I'm breathing fast",
        # a shadow over part of the vision, with or without flashes (NICE CKS Retinal detachment: same day)
        "there's a dark shadow over the top half of the vision in my left eye",
        "new floaters and flashes and now a dark shadow creeping in from the side of my eye",
        "a shadow covering the lower part of my vision since this morning",
        # numbness found when wiping or "down there" with back pain: cauda equina (NICE CKS Sciatica; GIRFT)
        "back pain going down both legs and when I wipe I can't feel anything",
        "my bum feels numb since my back went yesterday",
        "when i wipe my bottom i cant feel the paper, back is killing me",
    ],
)
def test_lay_emergencies_read(text: str) -> None:
    assert level(text) in EMERGENCY, text


@pytest.mark.parametrize(
    "text",
    [
        # muddled words with a dropped cup or a clumsy hand: FAST positive (NHS.uk Stroke; NICE NG128)
        "80F, her daughter noticed she was muddling her words and dropped her fork from her left hand",
        "grandad keeps mixing up his words and dropping things",
        "his words are coming out jumbled and his right hand has gone clumsy",
    ],
)
def test_muddled_words_with_a_weak_hand_is_a_stroke(text: str) -> None:
    assert level(text) is A, text


@pytest.mark.parametrize(
    "text",
    [
        # a rash with blisters in the mouth and sore red eyes, or peeling skin, on a high-risk medicine: SJS/TEN
        # (BAD UK guidelines for SJS/TEN 2016)
        "been on carbamazepine a month, now a spreading rash, mouth full of blisters and my eyes are red",
        "my daughter takes lamotrigine, her mouth and lips are blistered and peeling and her eyes are sore and red",
        "started co-trimoxazole last week and now there's a rash with blisters all over my arms",
        # a rash with fever and a puffy face or sore neck glands on allopurinol: DRESS (RegiSCAR; BAD)
        "on allopurinol for 5 weeks, now a red rash everywhere, temperature 38.6 and her face is puffy",
        # a red eye with haloes round lights and misty vision or vomiting: acute angle closure (NICE CKS Glaucoma)
        "since last night my left eye has been agony, it's red, the vision is misty and I see rainbow circles round lights",
        "red eye with halos around the street lights and a pounding headache, been sick",
        # headaches that come at home and go at work, or shared with others at home, or with a yellow flame:
        # carbon monoxide (NICE CKS Carbon monoxide poisoning; UKHSA)
        "I keep getting headaches and feeling sick in the flat, they go away when I'm at work",
        "my husband and I both get headaches at home and the gas fire flame looks yellow",
        "dizzy and headachey every evening, the boiler is ancient",
        # a swollen limb in a baby not yet walking who screams when it is moved or the nappy changed
        # (NICE CG89 Child maltreatment: fracture in a non-mobile child; NICE CKS Septic arthritis)
        "my 4 month old has a swollen thigh and screams when I change her nappy",
        "my 3 month old has a swollen arm and cries when I move it",
        # paracetamol above the adult daily maximum for days: a staggered overdose (TOXBASE; NICE CKS Poisoning)
        "toothache for a week so I've been taking paracetamol, about 6g a day",
        "been having more than 8 paracetamol tablets a day for my back since Friday",
    ],
)
def test_more_lay_emergencies_read(text: str) -> None:
    assert level(text) in EMERGENCY, text


@pytest.mark.parametrize(
    ("text", "hr"),
    [
        # a ventricular rate said after the rhythm it belongs to (NICE NG196: fast new AF, same-day)
        ("ecg at the pharmacy: irregularly irregular, rate 138", 138.0),
        ("af with a rate of 140 on the monitor", 140.0),
        ("ventricular rate 150", 150.0),
    ],
)
def test_rate_after_a_rhythm_read(text: str, hr: float) -> None:
    assert extract(text).hr == hr, text


def test_breathing_rate_is_not_a_heart_rate() -> None:
    assert extract("irregular pulse, respiratory rate 24").hr is None


@pytest.mark.parametrize(
    "text",
    [
        # new AF at a fast rate read off an ECG (NICE NG196; NICE CKS Atrial fibrillation)
        "palpitations since lunch, ECG at the walk-in: irregularly irregular, rate 140, BP 124/80",
    ],
)
def test_fast_new_af_is_an_emergency(text: str) -> None:
    assert level(text) in EMERGENCY, text


@pytest.mark.parametrize(
    "text",
    [
        # chest heaviness that came on walking and now comes at rest: crescendo angina (NICE CG95)
        "for a fortnight I get a heavy feeling in my chest walking to the shops, tonight it came on while sat watching telly",
        "chest tightness when I climb stairs, now it comes on even sitting in my chair, I'm 64",
    ],
)
def test_exertional_chest_pain_now_at_rest_is_an_ambulance(text: str) -> None:
    assert level(text) is A, text


@pytest.mark.parametrize(
    "text",
    [
        # not these classes: a drug named alone, haloes after cataract surgery, a cold shared by siblings, one extra
        # paracetamol, pain relieved by rest
        "my son is on lamotrigine for epilepsy and doing well",
        "I see rings round streetlights at night since my cataract op, no pain",
        "my son has a cold and his sister has one too",
        "took an extra paracetamol by mistake",
    ],
)
def test_not_raised_to_an_emergency(text: str) -> None:
    assert level(text) not in EMERGENCY, text


@pytest.mark.parametrize(
    ("text", "temp"),
    [
        # serial readings: the later, higher one is the temperature now
        ("shivery and the thermometer said 37.8 then 38.2", 38.2),
        ("temp 37.5c, now 38.6", 38.6),
        # a lower later reading after medicine does not hide the fever
        ("temp 38.5 then 37.2 after calpol", 38.5),
    ],
)
def test_serial_temperatures_read(text: str, temp: float) -> None:
    assert extract(text).temp_c == temp, text


@pytest.mark.parametrize(
    "text",
    [
        # fever within weeks of chemotherapy, the reading rising (NICE NG151 neutropenic sepsis)
        "on chemo for lung cancer, last cycle 9 days ago, shivery tonight and thermometer said 37.8 then 38.2",
        # fever for 5 days with cracked red lips, swollen hands and red eyes: Kawasaki (NICE NG143; RCPCH)
        "my 3 year old has had a high temperature for 5 days now, lips cracked and red, hands look swollen, eyes red",
        # shaking chills, new confusion and little urine: high-risk sepsis (NICE NG51)
        "chest infection 3 days, now can't stop shivering, hardly weed today and keep losing track of what I'm doing",
        # known heart failure, more breathless, waking gasping: acute decompensation (NICE NG106; NICE CKS)
        "I'm 81 with heart failure, more breathless for 2 days, ankles swollen, woke up gasping last night",
        # a red eye that hates light with a smaller pupil or redness round the iris: iritis (NICE CKS Uveitis)
        "my eye is red and light hurts it, and the pupil looks smaller than the other one",
        "2 days of redness around the iris of my right eye and photophobia, I have ankylosing spondylitis",
        # DVT likely on the two-level Wells score (NICE NG158: scan within 4 hours)
        "calf swollen for 3 days after a long coach journey, Wells score 2",
        # a tooth infection with facial swelling and a jaw that hardly opens or spreading swelling (SDCEP; NICE CKS)
        "toothache and my cheek is swollen, can barely open my mouth",
        "bad back tooth for a week, now my jaw is swollen and it's spreading down my neck, temp 38.3",
        # sickle cell pain not controlled by pain relief at home (NICE CG143; NICE CKS Sickle cell disease)
        "I have sickle cell, pain in my legs since last night, not settling with paracetamol and ibuprofen",
        # an extraction socket that goes on bleeding on an anticoagulant (SDCEP anticoagulants and dental care)
        "had a tooth out this afternoon and it's still bleeding, I'm on apixaban, mouth keeps filling with blood",
    ],
)
def test_clinician_and_lay_emergencies_read(text: str) -> None:
    assert level(text) in EMERGENCY, text


@pytest.mark.parametrize(
    "text",
    [
        # not these classes: a toothache with a slightly swollen cheek, sickle cell pain eased by paracetamol, an
        # expected ooze after an extraction, a Wells score below 2, stable heart failure with ankle swelling
        "toothache and a bit of a swollen cheek, eating ok",
        "sickle cell, mild leg ache, paracetamol helping",
        "had a wisdom tooth out this morning, a little oozing on the gauze",
        "I have heart failure and my ankles are a bit puffy, otherwise fine",
    ],
)
def test_milder_forms_not_raised_to_an_emergency(text: str) -> None:
    assert level(text) not in EMERGENCY, text


def test_oximeter_on_a_finger_read() -> None:
    # a home oximeter named with the finger it sits on
    assert extract("the oxygen thing on my finger says 87% and i'm usually 92").spo2 == 87.0


@pytest.mark.parametrize(
    "text",
    [
        # voices through the wall, food or drink believed poisoned, not drinking or sleeping: a psychotic crisis
        # (NICE CG178 crisis care, same day)
        "not slept for days, I can hear people next door talking about me through the wall and I'm scared to drink",
        "haven't slept in 3 nights, I can hear them talking about me through the walls, they're poisoning my food",
        # pregnant and only sips staying down: hyperemesis needing fluids (RCOG GTG69; NICE CKS)
        "11 weeks pregnant, sick all day for 4 days, can only keep sips down and my wee is dark",
        # tenderness in the dip at the base of the thumb after a fall: possible scaphoid fracture (NICE NG38)
        "came off my bike onto my hand, wrist swollen and pressing in the dip at the base of my thumb really hurts",
        # a child with petechiae or a big spleen and pallor or bruising: immediate assessment (NICE NG12 1.11.1)
        "my 6 year old has been tired and pale for weeks with bruises. The doctor felt a big spleen today",
        "7-year-old, pallor and fatigue for 3 weeks, petechiae on the legs, spleen tip palpable, afebrile",
        # a boy's sudden pain "in his privates" with vomiting: torsion until seen (NICE CKS Scrotal pain and swelling)
        "my 13 year old son has sudden pain low in his tummy and keeps being sick, I think the pain is in his privates",
        # days without sleep, grandiose beliefs and money given away: mania with psychotic features (NICE CG185)
        "my partner hasn't slept for 4 days, is talking non stop, thinks he's been chosen to save the world and "
        "keeps trying to give our savings away",
        # a child who fell and will not move the arm, holding it to the chest: supracondylar fracture until X-rayed
        # (NICE NG38; BOAST Supracondylar fractures in children)
        "my 4 yr old fell off the slide onto her arm, elbow is swollen and she won't move it at all",
        "6 year old came off the trampoline, now holding his arm against his tummy and won't let anyone touch it",
    ],
)
def test_crisis_and_specialist_emergencies_read(text: str) -> None:
    assert level(text) in EMERGENCY, text


@pytest.mark.parametrize(
    "text",
    [
        # tablets saved up with final acts, thoughts of suicide unsaid (NICE NG225: immediate risk)
        "he has been saving up his amitriptyline, about 50 tablets, and has given his dog away",
        "my sister has been hoarding pills and says she has sorted everything out",
    ],
)
def test_saved_tablets_with_final_acts_is_an_ambulance(text: str) -> None:
    assert level(text) is A, text


@pytest.mark.parametrize(
    "text",
    [
        # not these classes: a pet rehomed for a move, a week of poor sleep from worry, the bottom of a thumb hurting
        # is no bottom pain
        "gave her dog to her sister because she's moving to a flat",
        "I've not slept for 3 nights with worry about exams",
        "the bottom of my thumb aches after a day of texting",
        "itchy privates for a week",
        "so excited, I've been talking non stop about the wedding",
        # an adult's swollen wrist after a fall, moving it a little (NICE NG38: same-day, not an emergency)
        "my wrist is really swollen and bruised after falling off my bike, can't move it much, I'm 35",
    ],
)
def test_everyday_forms_not_raised_to_an_emergency(text: str) -> None:
    assert level(text) not in EMERGENCY, text
