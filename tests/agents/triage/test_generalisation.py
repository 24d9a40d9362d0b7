"""Generalisation work: the safety net, environmental injuries, lay phrasing, and the fresh-set bookkeeping.

Texts here are deliberately *not* copied from the fresh cases: each checks a general pattern (a synonym class,
a vital-sign threshold, an age modifier) in words of its own.
"""

from __future__ import annotations

import pytest

from agents.triage import Level, assess
from agents.triage.facts import parse_age
from bench.triage_eval import FIRST_PASS, FRESH, evaluate, fresh_lines, load_cases

EA, EM = Level.emergency_ambulance, Level.emergency
C24, C, SC = Level.consultation_24, Level.consultation, Level.self_care


@pytest.mark.parametrize(
    ("text", "level", "rule"),
    [
        # safety net: generic alarm language and vital signs with no specific rule
        ("his lips have gone a bluish colour", EA, "safety.cyanosis"),
        ("she can barely stay awake and doesn't seem right", EM, "safety.cant_talk_or_stay_awake"),
        ("worst pain ever in my tummy", EM, "safety.worst_ever_high_risk"),
        ("feeling off. BP 84/50, pulse 122", EA, "safety.shock"),
        ("tired and dizzy, pulse 42, BP 86/54", EA, "safety.shock"),
        ("feeling poorly, sats 90%", EM, "safety.spo2_low"),
        ("feeling poorly, resp rate 23", C24, "safety.rr_high"),
        ("odd turn earlier, GCS 13 on arrival", EM, "safety.gcs_low"),
        ("resp rate 24, BP 96/60, feeling awful", EM, "safety.qsofa"),
        ("dizzy with a heart rate of 44", EM, "safety.hr_low_symptomatic"),
        ("on chemo, last dose a week ago, now shivery with a temp of 38.1", EM, "safety.chemo_fever"),
        ("I'm 14 weeks pregnant and have some tummy pain", C24, "safety.pregnancy_pain_bleeding"),
        ("my 7 week old is floppy and not interested in feeds", EA, "safety.infant_unwell_young"),
        ("my 10 month old is listless and refusing her bottles", EM, "safety.infant_unwell"),
        ("my 2 year old is flaring her nostrils and breathing really fast", EM, "safety.child_resp_distress"),
        ("grandma is 91 with a temperature and she's off her legs", C24, "safety.elderly_unwell"),
        ("his partner did CPR until he came round", EA, "safety.resuscitation"),
        # environmental
        (
            "been working in the heat all day and now he's not making sense and stopped sweating",
            EA,
            "environmental.heat_stroke",
        ),
        ("found her outside all night in the snow, drowsy", EA, "environmental.hypothermia_severe"),
        ("my nephew was pulled out of the lake after going under, he's coughing", EM, "environmental.drowning"),
        ("got an electric shock off a plug socket and now my heart feels fluttery", EM, "environmental.electrical"),
        ("struck by lightning on the golf course", EA, "environmental.electrical_major"),
        ("toes white and waxy after the mountain trip, frostbite maybe", EM, "environmental.frostbite"),
        # lay phrasing and combinations
        ("diabetic dad is sweating, shaking and talking gibberish", EA, "diabetes.hypo_signs_confused"),
        ("his breath smells of pear drops and he's breathing deep and fast, he's diabetic", EM, "diabetes.dka"),
        ("right arm and leg feel like lead and won't do what I tell them", EA, "neuro.stroke_arm"),
        ("numbness down the left side of my face and arm for 10 minutes, gone now", EM, "neuro.unilateral_sensory"),
        ("both legs getting weaker over three days and now can't climb the stairs", EM, "neuro.weakness_bilateral"),
        ("mum is 80, short of breath and her jaw aches, she's clammy", EA, "cardiac.anginal_equivalent"),
        ("took 24 paracetamol yesterday", EM, "poisoning.overdose"),
        ("my 3 year old drank some methadone", EA, "poisoning.opioid_child"),
        ("a charcoal barbecue in the tent and we all have headaches", EM, "poisoning.carbon_monoxide"),
        ("she's written a note and says she is going to jump off the bridge", EA, "mental_health.preparatory_acts"),
        ("I'm 30 weeks and my bump keeps tightening every 4 minutes", EM, "pregnancy.waters_or_labour_preterm"),
        ("gave birth a week ago, now feverish with foul smelling discharge", EM, "pregnancy.postpartum_infection"),
        ("tooth pain with a swollen gum and a bad taste", C24, "ent.dental_abscess"),
        ("pus leaking from my ear and a temperature of 38.5", C24, "ent.ear_discharge_fever"),
        ("had unprotected sex last night", C24, "urinary.emergency_contraception"),
        ("my 6 year old has started limping, no injury", C24, "musculoskeletal.child_limp"),
        (
            "my knee swelled up within an hour of the tackle and keeps giving way",
            C24,
            "musculoskeletal.joint_internal_injury",
        ),
        ("redness spreading from the boil on his cheek up towards his eye", EM, "skin.face_infection_near_eye"),
    ],
)
def test_generalisation_rules(text: str, level: Level, rule: str) -> None:
    result = assess(text)
    assert result.level is level, (result.level, result.matched_rules)
    assert rule in result.matched_rules


def test_lay_mania_is_read_and_seen_the_same_day_at_least() -> None:
    # Engine 2.6's learned layer raises this short message to an emergency (probability 0.59 against the
    # calibrated 0.575): one class of over-triage, accepted with the calibration (notes/issue-15.md, round 8).
    result = assess("he hasn't slept for days, talking non stop and spent all his savings")
    assert "mental_health.mania" in result.matched_rules
    assert result.level.rank <= C24.rank


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("worst cold ever, sneezing all day", SC),
        ("fainted at the sight of a needle during my jab, came round straight away, feel fine now", SC),
        ("can't walk far because of my knee arthritis, been like this for years", C),
        ("tiny red itchy spots from the heat on my back, prickly heat", SC),
        ("my 2 year old had a slight temperature after his vaccinations today, otherwise happy", SC),
        ("I keep getting travel sick on ferries", SC),
        ("hay fever, sneezing and itchy eyes", SC),
        ("bad hangover, had too much last night", SC),
        ("aching calves after my first run of the year", SC),
        ("white patches in my baby's mouth that wipe off, feeding fine", SC),
    ],
)
def test_minor_problems_stay_low(text: str, level: Level) -> None:
    result = assess(text)
    assert result.level is level, (result.level, result.matched_rules)


def test_copd_own_oxygen_targets_not_escalated_by_the_safety_net() -> None:
    result = assess("I have COPD, my usual sats are 90% and today they are 91%, a bit more phlegm")
    assert "safety.spo2_low" not in result.matched_rules


def test_ages_without_old() -> None:
    assert parse_age("my baby is 5 weeks and not feeding") == pytest.approx(5 * 7 / 365, abs=0.01)
    assert parse_age("my dad whos 88 has a fever") == 88
    assert parse_age("she is 36 weeks pregnant") is None


def test_major_mechanism_long_ago_is_not_an_ambulance() -> None:
    result = assess("nightmares and flashbacks since a car crash 3 months ago")
    assert result.level is not EA


def test_fresh_set_has_first_pass_records_and_holds_after_fixes() -> None:
    cases = load_cases(FRESH)
    assert len(cases) >= 200
    assert len({c["id"] for c in cases}) == len(cases)
    batches = {c["batch"] for c in cases}
    recorded = {row["batch"] for row in load_cases(FIRST_PASS)}
    assert batches <= recorded, "every fresh batch needs its first-pass score recorded before fixes"
    report = evaluate(cases)
    assert report.sensitivity == 1.0
    assert report.under_triage <= 0.02
    lines = fresh_lines(FRESH)
    assert lines[-1].startswith("| all |")
