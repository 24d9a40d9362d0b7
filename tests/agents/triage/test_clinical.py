"""Clinical behaviour: a red flag for each family, combinations, conservatism, follow-up turns."""

from __future__ import annotations

import pytest

from agents.triage import Level, Urgency, assess
from agents.triage.engine import assess_layers

EA, EM = Level.emergency_ambulance, Level.emergency
C24, C, SC = Level.consultation_24, Level.consultation, Level.self_care


@pytest.mark.parametrize(
    ("text", "level", "rule"),
    [
        ("crushing chest pain going down my left arm and I'm sweating", EA, "cardiac.chest_pain_radiating"),
        ("my husband collapsed and isn't breathing", EA, "cardiac.arrest"),
        ("she can only say a few words between breaths and her lips are blue", EA, "breathing.severe_distress"),
        ("my inhaler isn't helping at all and I'm getting more wheezy", EM, "breathing.asthma_reliever_failing"),
        ("his face is drooping on one side and his speech is slurred", EA, "neuro.stroke_face"),
        ("the worst headache of my life, came on suddenly like being hit on the head", EA, "headache.thunderclap"),
        # NHS.uk meningitis: call 999 (the findings layer's meningitis pattern raises the phrase rule's level)
        ("fever, stiff neck and the light hurts her eyes", EA, "headache.meningism"),
        ("pain started by my belly button and moved to the lower right side", EM, "abdominal.appendicitis"),
        ("sudden severe pain in my left testicle", EM, "abdominal.testicular_pain"),
        ("I vomited blood this morning", EM, "gi_bleeding.hematemesis"),
        ("black tarry stools since yesterday", EM, "gi_bleeding.melena"),
        ("back from Nigeria last week and now I have a fever", EM, "fever.malaria_travel"),
        ("fever and a rash that doesn't fade under a glass", EA, "skin.non_blanching_unwell"),
        ("I'm 30 weeks pregnant and the baby has stopped moving", EM, "pregnancy.reduced_movements"),
        ("my lips and tongue are swelling after eating peanuts", EA, "allergy.anaphylaxis"),
        ("my toddler swallowed a button battery", EM, "poisoning.button_battery"),
        ("I want to kill myself, I have a plan and the pills", EA, "mental_health.suicidal_plan"),
        ("he hears voices telling him that people are watching him", EM, "mental_health.psychosis"),
        ("blood is spurting from the cut and won't stop", EA, "trauma.major_bleeding"),
        ("diabetic, vomiting all day, sugar 28 and ketones 3.5", EM, "diabetes.dka"),
        ("I can't pee at all and my bladder is bursting", EM, "urinary.retention"),
        ("got bleach in my eye", EM, "eye.chemical"),
        ("I suddenly lost the vision in my right eye", EM, "eye.vision_loss"),
        ("contact lens wearer with a red painful eye", EM, "eye.contact_lens_red_eye"),
        # drooling and unable to swallow saliva: a threatened airway (epiglottitis), NHS.uk: call 999
        ("sore throat, drooling and can't swallow my saliva", EA, "ent.airway"),
        ("back pain and numbness around my bottom and I can't control my bladder", EM, "back.cauda_equina"),
        ("my low back pain now comes with foot drop on the left", EM, "back.new_weakness"),
        ("I fell off my bike and my arm is bent the wrong way", EM, "musculoskeletal.open_or_deformed"),
        ("temp 38.9, HR 135 and confused, with a urine infection", EA, "sepsis.red_flags"),
    ],
)
def test_red_flags(text: str, level: Level, rule: str) -> None:
    result = assess(text)
    assert rule in result.matched_rules, result.matched_rules
    assert result.level is level
    assert rule in result.red_flags


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("I have a cold and a runny nose", SC),
        ("mild sunburn on my shoulders", SC),
        ("got bitten by a mosquito, it's itchy", SC),
        ("I have a canker sore", SC),
        ("small cut on my finger from a knife, stopped bleeding", SC),
        ("hay fever is bad this week", SC),
        ("a bit constipated for a couple of days", SC),
        ("I've had a cough for 6 weeks", C),
        # Ottawa ankle rules: unable to bear weight needs an X-ray today (NHS.uk: go to A&E or an urgent treatment centre)
        ("twisted my ankle and can't put any weight on it", EM),
        ("shingles rash on my side", C24),
    ],
)
def test_common_presentations(text: str, level: Level) -> None:
    assert assess(text).level is level


def test_urinary_burning_without_sex_or_red_flags_is_a_doctor_but_not_urgent() -> None:
    # Engine 2.6: sex unknown, so the learned layer may ask for 24 hours (a man's UTI needs a doctor) where the
    # floor said a routine appointment; never an emergency, never home care alone.
    assert assess("burning when I pee for 2 days").level in (C24, C)


def test_combination_hypertension_third_trimester() -> None:
    assert assess("I have high blood pressure").level is not EM
    result = assess("I'm 34 weeks pregnant and my blood pressure is high")
    assert result.level is EM and "pregnancy.hypertension" in result.red_flags
    assert assess("pregnant, 36 weeks, BP 150/98").level is EM


def test_combination_fever_after_malaria_travel() -> None:
    # a bare fever is below an emergency (the learned layer weighs self care and a doctor within 24 hours nearly
    # equally: 0.30 and 0.35 since 2.8.29, 0.36 and 0.35 before); a fever after travel to a malaria area is one
    assert assess("I have a fever", age=30).level is not EM
    assert assess("I have a fever, just back from a trip to Kenya", age=30).level is EM


def test_combination_leg_swelling_after_surgery_with_breathlessness() -> None:
    assert assess("my left calf is swollen after my hip operation last week").level is C24
    result = assess("my left calf is swollen after my hip operation last week and now I'm short of breath")
    assert result.level is EM


def test_combination_headache_on_anticoagulants_after_fall() -> None:
    assert assess("I have a headache").level is SC
    assert assess("fell and now I have a headache, I take warfarin").level is EM


def test_vitals_thresholds_without_words() -> None:
    assert assess("sats 86%").level is EA
    assert assess("SpO2 90%").level is EM
    assert assess("HR 140").level is EM
    assert assess("BP 82/50").level is EM
    assert assess("resp rate 32").level is EM
    assert assess("glucose 2.1 mmol/L").urgency is Urgency.em


def test_fever_by_age() -> None:
    assert assess("fever of 38.2", age=0.1).level is EM
    assert "fever.infant_under_3_months" in assess("fever of 38.2", age=0.1).red_flags
    assert "physiology.fever" in assess("fever of 38.2", age=0.1).red_flags  # NICE NG143, from the findings layer
    assert assess("temperature 39.3", age=0.4).level is C24
    assert assess("fever of 38.2 with a runny nose", age=4).level is SC
    assert assess("temperature 37.2", age=0.1).level is not EM  # a normal reading is not a fever


def test_higher_level_wins_and_is_never_lowered() -> None:
    mild = assess("I have a cold")
    both = assess("I have a cold and crushing chest pain")
    assert mild.level is SC and both.level is EA
    assert assess("I have a cold, my chest hurts, feels a bit better now, probably nothing").urgency is Urgency.em


def test_follow_up_turn_combines_with_first() -> None:
    first = assess("my baby has a fever")
    assert "age" in first.missing_info and first.level is C24
    second = assess("she is 6 weeks old", history=["my baby has a fever"])
    assert second.level is EM and "age" not in second.missing_info


def test_missing_info_for_abdominal_pain_asks_pregnancy() -> None:
    result = assess("I'm a 25 year old woman with lower tummy pain since this morning")
    assert "pregnancy" in result.missing_info
    assert "pregnancy" not in assess("lower tummy pain since this morning", sex="male").missing_info


def test_rash_with_fever_asks_glass_test() -> None:
    assert "rash_blanching" in assess("my son has a rash and a temperature").missing_info


def test_persistent_minor_problem_needs_a_doctor() -> None:
    assert assess("sore throat for 2 days").level is SC
    assert assess("mouth ulcer for 4 weeks").level is C


def test_age_argument_beats_text_and_sex_argument_is_used() -> None:
    assert assess("my chest feels tight", age=70).level in (EA, EM)
    assert assess("it burns when I pee", sex="male").level is C24


def test_numbers_alone_can_trigger_rules() -> None:
    """A temperature or weeks of pregnancy read from numbers count even when the word is absent."""
    assert assess("38.5").matched_rules == ("fever.simple",)
    assert assess("my 5 week old is 38.4").level is EM
    assert assess("she is 34 weeks and has a headache").level is EM


def test_long_input_stays_fast_enough() -> None:
    import time

    text = "I have had a cough and a runny nose for a few days and my throat is sore, " * 60
    start = time.perf_counter()
    assert assess(text).level is SC
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize(
    ("text", "not_rule"),
    [
        ("sharp stabbing pain in my side when I breathe", "trauma.major_mechanism"),
        ("I had a coughing fit and now my ribs ache", "neuro.seizure"),
        ("hay fever is bad, itchy eyes", "fever.simple"),
        ("severe migraine not responding to my usual treatment", "neuro.unresponsive"),
        ("red eyes with yellow discharge", "abdominal.jaundice"),
        ("she has no plan to hurt herself", "mental_health.suicidal_plan"),
    ],
)
def test_known_false_friends_do_not_fire(text: str, not_rule: str) -> None:
    assert not_rule not in assess(text).matched_rules


def test_a_fetal_heart_rate_has_limits_of_its_own_and_is_not_the_mothers_pulse() -> None:
    """Session 16: "fetal heart rate 146" was read as the mother's pulse (a tachycardia, a sepsis rule); a fetal
    bradycardia went unread (95 is a normal pulse for a mother)."""
    slow, _ = assess_layers("34 weeks pregnant, the midwife found a fetal heart rate of 95 bpm on the doppler.")
    assert slow.level is EM and "fetal_bradycardia" in slow.findings
    fast, _ = assess_layers("At 30 weeks she feels well; BP 112/70, pulse 82, FHR 178.")
    assert fast.level is EM and "fetal_tachycardia" in fast.findings
    normal, _ = assess_layers("Routine antenatal check at 26 weeks: BP 114/72 mmHg, fetal heart rate 146 bpm.")
    assert not normal.is_emergency and not any("hr" in rule for rule in normal.matched_rules), normal.matched_rules


def test_an_adults_blood_pressure_limit_is_not_a_childs() -> None:
    """Session 16: a febrile 4-year-old's 98/60 (normal for the age) met the adult 'SBP <= 100 with a fever' sepsis
    rule; a child's low pressure is the physiology layer's age-specific hypotension."""
    child, _ = assess_layers("My 4 year old has a fever of 38.3 and pain when she wees. BP 98/60, HR 112, RR 22.")
    assert "sepsis.fever_tachycardia" not in child.matched_rules
    adult, _ = assess_layers("I'm 45 with a fever of 38.9 and shivering, my BP is 95/60.")
    assert "sepsis.fever_tachycardia" in adult.matched_rules and adult.is_emergency
    shocked, _ = assess_layers("My 4 year old has a fever of 39 and is floppy. BP 70/40, HR 165.")
    assert shocked.is_emergency


def test_urine_ketones_are_dka_in_diabetes_and_not_in_the_vomiting_of_pregnancy() -> None:
    """Session 16: "urine ketones 2+" was read as a blood ketone level of 2 mmol/L, so a pregnant woman's vomiting
    (hyperemesis, a doctor within 24 hours) met the DKA rule; in someone with diabetes the grade still counts."""
    pregnant, _ = assess_layers(
        "10 weeks pregnant, vomiting 6 times a day for a week, urine ketones 2+, keeping sips down"
    )
    assert "diabetes.dka" not in pregnant.matched_rules and not pregnant.is_emergency
    diabetic, _ = assess_layers("Type 1 diabetic, sugar 22, urine ketones 3+ and I feel sick")
    assert "diabetes.dka" in diabetic.matched_rules and diabetic.is_emergency
