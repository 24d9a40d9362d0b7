"""Round 6 (issue 15): classes of messages the deterministic layers raised above a clinician's level (an older person
muddled by a urine infection, a fetus called "baby", "pins and needles", the wind that makes eyes water, a baby's
pale poo), each with the emergencies beside it that the fix must leave alone.

The sentences are written here (not the corpus's); the level is the one a clinician gives, with the guidance named.
The deterministic layers are tested (``assess_layers``): the learned layer on top of them is trained and tested apart.
"""

from __future__ import annotations

import pytest

from agents.triage import Level
from tests.agents.triage.layers import EMERGENCY, A, D, E, R, S, level, raised


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # a well adult with a fever of 39-39.5 and a cough, nothing else: self-care or a GP, not the emergency
        # department (NHS 111 / NICE CKS Chest infections - adult; Influenza - seasonal)
        ("I've had a temperature of 39 and a nasty hacking cough for two days, I'm 33 and otherwise healthy", S),
        ("42F, fever 39.2 since Monday with a chesty cough and aching muscles, eating and drinking fine", S),
        ("my husband is 50, temp 39.1 and coughing a lot for 48 hours, feels rotten but talking normally", S),
        ("fever of 39.4 and a dry cough for a couple of days, sore all over, no other problems, 29M", S),
        # an older person muddled for a day or two with a urine infection's signs, no fever, normal observations,
        # awake and drinking: a doctor the same day, not an ambulance (NICE CKS UTI - lower, over 65s; NICE CG103
        # Delirium; NHS Sudden confusion (delirium): urgent GP appointment or 111)
        (
            "my gran is 87 and since yesterday she keeps getting muddled about the time, her wee smells awful, "
            "she's drinking her tea and chatting, temperature 37.4",
            D,
        ),
        ("Dad is 81, a bit confused for two days and going for a wee all the time, no temperature, eating okay", D),
        (
            "79F in a nursing home with dementia, staff say more confused than usual since Tuesday, urine cloudy and "
            "smelly, T 37.6, pulse 86, BP 134/78, drinking well",
            D,
        ),
        (
            "care home resident aged 90, new muddled spells over 24 hours, dip shows nitrites positive, obs normal, "
            "eating and drinking",
            D,
        ),
        # "baby" in a pregnancy is the fetus, not an infant patient (NICE NG201 antenatal care; fever in pregnancy:
        # midwife or GP the same day)
        ("27 weeks pregnant, temperature of 38.1 with a cold, the baby is kicking as usual", D),
        ("33 weeks pregnant, my baby bump itches where the skin is stretching, no itchy palms", R),
        # "pins and needles" is a tingle, not an injecting needle (NHS Pins and needles)
        ("my daughter gets pins and needles in her foot when she sits cross legged, goes after a minute", R),
        ("pins and needles in my little boy's hand after he slept on his arm, gone now", R),
        # the wind that makes eyes water is the weather, not wind from the bowel (NICE CKS Watery eye)
        ("my eyes water whenever I'm out in the wind cycling, no pain, vision fine", R),
        ("eyes streaming when it's windy on my walk to work, otherwise fine", R),
        # a chest or ribs sore from coughing in a chest infection is pleuritic or muscular pain: a GP the same day,
        # not new cardiac chest pain (NICE CKS Chest infections - adult; CRB-65 0)
        ("coughing up yellow phlegm for 4 days with a temperature of 38.3, my chest hurts when I cough, 44M", D),
        ("48F, chest infection, ribs ache when I cough, temp 37.9, breathing fine, eating and drinking", D),
        # a COPD flare with SpO2 at the patient's usual 90-92%, talking in sentences: a GP or the rescue pack the same
        # day, not an ambulance (NICE NG115: hospital if SpO2 below 90%; BTS 2017 target 88-92%; NEWS2 SpO2 scale 2)
        (
            "I have COPD, green phlegm and a bit more puffed than usual for 2 days, my sats are 91 which is normal for me",
            D,
        ),
        (
            "74M, known COPD, increased sputum and wheeze for 3 days, SpO2 90% on air (usual 90-91%), RR 19, HR 88, "
            "speaking full sentences",
            D,
        ),
        # a snoring child whose breathing pauses for a few seconds and ends in a gasp: obstructive sleep apnoea, a GP
        # and ENT referral, not an ambulance (NICE CKS Obstructive sleep apnoea syndrome; NHS Sleep apnoea)
        ("my 4 year old snores like a train every night and sometimes stops breathing for a few seconds then gasps", R),
        (
            "our 7 year old snores loudly and his breathing stops for a couple of seconds then he snorts, tired at school",
            R,
        ),
        # a baby's poo gone pale with jaundice: a doctor the same day for the liver, not a pale, unwell baby
        # (NICE CG98 Jaundice in newborn babies: pale chalky stools, refer)
        ("my 4 week old is still a bit yellow and her poo has gone a pale chalky colour, feeding and weeing well", D),
        ("3 week old son, still yellow in the face, stools look pale grey, alert and feeding normally", D),
    ],
)
def test_not_raised_above_a_clinician(text: str, want: Level) -> None:
    why = raised(text, want)
    assert why is None, f"{text!r}: got {why}, a clinician gives {want.value}"


@pytest.mark.parametrize(
    "text",
    [
        # a baby's pale poo is still seen the same day, not left to a routine appointment (NICE CG98)
        "my 4 week old is still a bit yellow and her poo has gone a pale chalky colour, feeding and weeing well",
        # the urine-infection confusion is still a same-day doctor
        "my gran is 87 and since yesterday she keeps getting muddled about the time, her wee smells awful, "
        "she's drinking her tea and chatting, temperature 37.4",
    ],
)
def test_still_seen_the_same_day(text: str) -> None:
    assert level(text).rank <= D.rank, text


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # the same fever with breathlessness, confusion, a rash that does not fade, a stiff neck, or in a young baby
        # (NICE NG51 sepsis; NICE CG102 meningitis; NICE NG143 fever under 5s; NICE CKS chest infections)
        ("fever 39.3 and a bad cough for two days, now so breathless I can't finish a sentence", A),
        ("temperature 39 and cough, now confused and not making sense, 45", E),
        ("fever of 39 with a cough and a purple rash that doesn't fade under a glass", A),
        ("39.2 fever, headache and a stiff neck, can't look at the light", E),
        ("my 6 week old baby has a temperature of 39 and a cough", E),
        # older confusion with a fever, abnormal observations, drowsiness or not drinking stays an emergency
        # (NICE NG51 sepsis; NICE CG103 delirium)
        ("Dad is 84, more confused since this morning, temp 38.7 and his wee smells strong", E),
        ("mum is 86, muddled with smelly urine, HR 118, BP 92/60, RR 24", E),
        ("an 80-year-old man more muddled for 2 days with strong-smelling wee, temperature 37.9, pulse 98", E),
        ("my nan is 90, more confused than usual with cloudy wee, now very drowsy and hard to wake", E),
        ("grandad is 80, confused since yesterday with a water infection and he has stopped drinking", E),
        ("my dad is suddenly confused, doesn't know where he is, since this morning", E),
        ("62-year-old, suddenly confused today and his wee smells", E),
        # chest pain with coughing and breathlessness, sweating or blood, and a COPD patient below 90% or struggling
        ("55, chest pain when I cough and I'm short of breath and sweaty", A),
        ("crushing central chest pain, worse when I cough, I'm 60", A),
        ("COPD, much more breathless today, sats 86%, struggling to talk", A),
        ("known COPD, SpO2 88% on air and I can't walk to the toilet without stopping, usually 92%", E),
        # a baby's pauses in breathing, and pauses with floppiness, blue lips or no response, stay emergencies
        # (NICE NG143; Resuscitation Council UK)
        ("my 5 week old stops breathing for a few seconds then gasps", E),
        ("my 3 year old stops breathing for 20 seconds at a time and goes floppy", A),
        ("he keeps pausing his breathing and his lips are blue", A),
        # a baby who is pale, floppy and not feeding is an emergency whatever the colour of the poo (NICE NG143)
        ("my 4 week old is pale and floppy and not feeding, his poos are pale too", A),
        # a child who swallowed someone's opioid, said with a needle, and a pregnant woman's own infant with fever
        ("my toddler found a needle and syringe in the park and may have swallowed methadone", E),
        ("30 weeks pregnant and my 2 month old baby has a temperature of 38.3", E),
    ],
)
def test_emergencies_beside_the_classes_stay(text: str, want: Level) -> None:
    got = level(text)
    assert got in EMERGENCY, f"{text!r}: got {got.value}, a clinician gives {want.value}"
