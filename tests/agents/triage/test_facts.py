"""Numbers with units, ages, durations and weeks of pregnancy."""

from __future__ import annotations

import pytest

from agents.triage.facts import extract


def facts(text: str):
    return extract(text.lower())


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("my 3 week old has a cold", 3 * 7 / 365),
        ("a 67-year-old woman presents with", 67),
        ("i'm 72 and my knee hurts".replace("'", ""), 72),
        ("my 18 month old is teething", 1.5),
        ("10 day old baby", 10 / 365),
        ("45m with chest pain", 45),
        ("she is 6 weeks old", 6 * 7 / 365),
        ("<age> fell at home", 90),
        ("a six-month-old boy", 0.5),
    ],
)
def test_ages(text: str, years: float) -> None:
    assert facts(text).age == pytest.approx(years, rel=0.02)


def test_pregnancy_weeks_are_not_ages_or_durations() -> None:
    f = facts("im 34 weeks pregnant with a headache")
    assert f.age is None
    assert f.gest_weeks == 34
    assert f.duration_days is None


@pytest.mark.parametrize(
    ("text", "celsius"),
    [
        ("temp 101.5f", 38.61),
        ("temperature of 39.2 c", 39.2),
        ("fever of 102", 38.89),
        ("38.5 on the thermometer", 38.5),
        ("t 37.1", 37.1),
        ("running a 103", 39.44),
    ],
)
def test_temperatures(text: str, celsius: float) -> None:
    assert facts(text).temp_c == pytest.approx(celsius, abs=0.05)


def test_vitals() -> None:
    f = facts("hr 128, bp 86/50, rr 28, spo2 89% on room air, gcs 13")
    assert (f.hr, f.sbp, f.dbp, f.rr, f.spo2, f.gcs) == (128, 86, 50, 28, 89, 13)


def test_bare_blood_pressure_and_sats_phrasing() -> None:
    f = facts("the pharmacy reading was 185/115 and my oxygen level is 91")
    assert (f.sbp, f.dbp, f.spo2) == (185, 115, 91)


@pytest.mark.parametrize(
    ("text", "mmol"),
    [("blood sugar 2.8", 2.8), ("glucose 450 mg/dl", 25.0), ("bm 54", 3.0), ("sugars have been 18-20 all day", 18)],
)
def test_glucose(text: str, mmol: float) -> None:
    assert facts(text).glucose == pytest.approx(mmol, abs=0.1)


def test_labs() -> None:
    f = facts("potassium 6.8, sodium 118, hb 6.2, lactate 4.5, ketones 3.2")
    assert (f.potassium, f.sodium, f.hb, f.lactate, f.ketones) == (6.8, 118, 6.2, 4.5, 3.2)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("for 3 days", 3),
        ("cough for about two weeks", 14),
        ("since yesterday", 1),
        ("a 5-day history of fever", 5),
        ("for the last month", 30),
        ("started 2 hours ago", 2 / 24),
        # a past event dated in the same clause is not how long the complaint has lasted (session 19)
        ("itchy shins for 6 weeks, had a tetanus booster 2 years ago", 42),
        ("bloated for 4 days. a colonoscopy 3 years ago was normal", 4),
        ("returned from thailand 2 weeks ago, fever for 3 days", 3),
        ("diagnosed with asthma 5 years ago, cough for 2 days", 2),
        ("the pain started 3 weeks ago", 21),
        ("cough 4 weeks ago, still there", 28),
    ],
)
def test_durations(text: str, days: float) -> None:
    assert facts(text).duration_days == pytest.approx(days, rel=0.05)


def test_pain_score_and_severity() -> None:
    f = facts("pain is 8/10")
    assert f.pain_score == 8 and f.severity_stated


@pytest.mark.parametrize(
    ("text", "mother", "baby"),
    [
        ("BP 114/72 mmHg, fundal height 26 cm, fetal heart rate 146 bpm.", None, 146),
        ("FHR 90, maternal pulse 88.", 88, 90),
        ("pulse 130, foetal heart rate 150 on the doppler", 130, 150),
        ("fetal heart 170s, her heart rate 96", 96, 170),
        ("my baby's heart rate is 190 and she is 3 months old", 190, None),  # a baby already born is the patient
    ],
)
def test_a_fetal_heart_rate_is_the_babys_and_never_the_mothers_pulse(text: str, mother, baby) -> None:
    found = facts(text)
    assert (found.hr, found.fetal_hr) == (mother, baby)


@pytest.mark.parametrize(
    ("text", "blood", "urine"),
    [
        ("urine ketones are 2+.", None, 2),
        ("ketones 3+ on the dipstick", None, 3),
        ("blood ketones 3.2", 3.2, None),
        ("my ketones are 2.5", 2.5, None),
    ],
)
def test_a_urine_dipsticks_ketone_grade_is_not_a_blood_ketone_level(text: str, blood, urine) -> None:
    found = facts(text)
    assert (found.ketones, found.urine_ketones) == (blood, urine)


def test_a_dated_past_event_alone_gives_no_duration() -> None:
    assert facts("he had a tetanus booster 2 years ago").duration_days is None


@pytest.mark.parametrize(
    ("text", "years"),
    [
        # an infant's age in a US clinician's shorthand, the unit before the sex
        ("9 mo F, fever for 3 days up to 103°F", 9 * 30.4 / 365),
        ("4 mo M with known eczema", 4 * 30.4 / 365),
        # the day of life written first, and the baby's routine checks
        ("Day 2 baby, ventouse delivery. Alert and feeding.", 2 / 365),
        ("Day 5 postnatal check. Breastfed girl, birth weight 3.40 kg", 5 / 365),
        ("Routine 6-week check, baby girl, breech at term", 6 * 7 / 365),
        # a mother's own check names her age
        ("6-week postnatal check, 32-year-old woman, feeling well", 32),
    ],
)
def test_an_infants_age_in_a_clinicians_shorthand(text: str, years: float) -> None:
    """The age sets a child's limits for pulse and breathing: a newborn's RR 44 and HR 140 are normal (round 29)."""
    assert facts(text).age == pytest.approx(years, rel=0.02)


def test_a_mothers_day_after_birth_is_not_her_babys_age() -> None:
    assert facts("day 5 postnatal, my stitches are sore").age is None


def test_an_age_and_sex_code_is_no_temperature() -> None:
    """ "92F, ..." opens a note about a 92-year-old woman: not 92 degrees Fahrenheit, i.e. 33.3 C (hypothermia)."""
    f = facts("92F, end-of-life care plan in place, restless for 2 nights")
    assert (f.age, f.temp_c) == (92, None)
    assert facts("99f and shivery").temp_c == pytest.approx(37.22, abs=0.05)
    assert facts("a 94 f with fever 101f").temp_c == pytest.approx(38.33, abs=0.05)


@pytest.mark.parametrize(
    ("text", "hr", "rr"),
    [
        ("HR 104 settling to 88 after slow breathing, RR 28 settling to 16", 88, 16),
        ("hr 90 rising to 130, rr 24 then 32", 130, 32),
        ("hr 110, rr 22", 110, 22),
    ],
)
def test_a_later_reading_in_the_same_breath_is_the_one_now(text: str, hr: float, rr: float) -> None:
    f = facts(text)
    assert (f.hr, f.rr) == (hr, rr)
