"""Round 6: classes of wording that the deterministic layers read as less urgent than a clinician would: a newborn's
age said as "day 5", passive suicidal thoughts after a birth, a peak flow written as a share of the best, an infant
taking part of its feeds, a cold said to be worse.

The sentences are written here (not the corpus's); the level is the one a clinician gives, with the guidance named.
The deterministic layers are tested (``assess_layers``): the learned layer on top of them is trained and tested apart.
"""

from __future__ import annotations

import pytest

from agents.triage.facts import parse_age
from tests.agents.triage.layers import EMERGENCY, A, D, R, S, level


@pytest.mark.parametrize(
    ("text", "days"),
    [
        # a newborn's age written as the day of life, as midwives and neonatal notes do
        ("midwife home visit, day 4: baby girl sleepy and yellow", 4),
        ("day 3 of life, feeding poorly", 3),
        ("my baby is on day 6 and still very yellow", 6),
        ("neonatal review day 2 - baby boy with sticky eyes", 2),
    ],
)
def test_day_of_life_read_as_an_age(text: str, days: int) -> None:
    assert parse_age(text) == round(days / 365.0, 4), text


@pytest.mark.parametrize(
    "text",
    [
        # not a baby's age: a day of a period, a course, an illness, a mother's own postnatal day
        "day 5 of my period and the cramps are bad",
        "day 3 of antibiotics for my chest and no better",
        "day 5 postnatal, my stitches are sore",
        "baby is fine, I'm on day 4 of this cold",
    ],
)
def test_other_days_are_no_age(text: str) -> None:
    assert parse_age(text) is None, text


@pytest.mark.parametrize(
    "text",
    [
        # ophthalmia neonatorum with the age as a day of life (NICE CKS Conjunctivitis - infective: neonates same day,
        # hospital; RCOphth)
        "Midwife visit, day 4: baby girl with both eyelids swollen and thick pus from the eyes that comes straight back",
        # fever in a baby under 3 months with the age as a day of life (NICE NG143: red)
        "day 6 of life, temperature 38.3, sleepier than usual",
        # passive suicidal thoughts after a birth, said in lay words or with the birth told as the baby's age
        # (NICE CG192 / RCPsych perinatal red flags: new thoughts of suicide, urgent same-day assessment)
        "I gave birth 3 weeks ago and keep thinking my family would be better off if I wasn't here",
        "since my son was born 2 months ago I sometimes wish I could just go to sleep and not wake up",
        "had my baby a month ago, I wouldn't care if I didn't wake up tomorrow, I'd never do anything",
        "since the baby came I've had thoughts that everyone would be better off without me",
        # acute severe asthma by peak flow, 33-50% of best (BTS/SIGN 158: hospital)
        "asthmatic, wheezy since yesterday, peak flow is 45% of my best even after my blue inhaler",
        "known asthma, PEF 40% predicted, still talking in sentences",
        # moderate asthma in pregnancy with the reliever needed every few hours (BTS/SIGN 158 asthma in pregnancy:
        # low threshold for hospital assessment)
        "30 weeks pregnant with asthma, wheezy for 2 days after a cold, peak flow 60% of best, "
        "needing my blue inhaler every 2 hours",
    ],
)
def test_emergencies_read_as_emergencies(text: str) -> None:
    assert level(text) in EMERGENCY, text


def test_life_threatening_peak_flow_is_an_ambulance() -> None:
    # PEF below 33% of best (BTS/SIGN 158: life-threatening asthma)
    assert level("asthma attack, peak flow 30% of best, reliever not helping") is A


@pytest.mark.parametrize(
    "text",
    [
        # an infant with a cough taking half to three quarters of its feeds (NICE NG9 bronchiolitis: 50-75% of usual
        # intake, consider referral; NICE NG143 amber: poor feeding)
        "my 4 month old has a cough and a snotty nose and is only taking about two thirds of her usual bottles",
        "7 month old, cough for 3 days, taking half his usual feeds",
    ],
)
def test_doctor_within_24_hours(text: str) -> None:
    assert level(text) is D, text


@pytest.mark.parametrize(
    "text",
    [
        # a cold said to be worse (NHS.uk Common cold: see a GP if the symptoms get worse suddenly): read, not a
        # message the engine cannot place
        "my cold is worse",
        "this cold has got worse since yesterday",
        # weight lost without trying with night sweats in lay words (NICE NG12 / NICE CKS: see a GP)
        "I'm 52, lost about half a stone in 2 months without trying and I keep waking up with the sheets wet with sweat",
        "lost weight since the summer without dieting and I've been sweating through my pyjamas most nights",
        # a strawberry mark that keeps getting bigger or has a raw patch (NICE CKS Infantile haemangioma: refer when
        # growing fast or ulcerating)
        "my 2 month old has a strawberry mark on her back that is getting bigger every week",
        "5 month old with a raised strawberry mark on his neck, it has a raw sore that won't heal",
    ],
)
def test_routine_gp(text: str) -> None:
    assert level(text) is R, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # guards: the same words without the emergency
        ("my baby is 6 weeks old, I'm tired but we're getting on well", S),
        ("known asthma, peak flow 85% of best, using my brown inhaler, just want a review", R),
        ("I've got a cold, blocked nose and sneezing", S),
        ("my 5 month old has a small strawberry mark on her arm, it hasn't changed", S),
    ],
)
def test_guards_stay_below_emergency(text: str, expected: object) -> None:
    assert level(text) not in EMERGENCY, text
