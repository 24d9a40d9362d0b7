"""Physiology: findings and scores from the numbers a message states (NEWS2, qSOFA, age-specific limits).

Pure functions of ``Facts`` and the person; every limit is data in ``knowledge/physiology.yaml``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

from agents.triage.facts import Facts
from agents.triage.knowledge import Knowledge, Who
from agents.triage.levels import Level

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_UNITS = {
    "temp_c": " C",
    "spo2": "%",
    "hr": "/min",
    "fetal_hr": "/min",
    "rr": "/min",
    "sbp": " mmHg",
    "dbp": " mmHg",
    "glucose": " mmol/L",
    "ketones": " mmol/L",
    "potassium": " mmol/L",
    "sodium": " mmol/L",
    "calcium": " mmol/L",
    "tsh": " mU/L",
    "lactate": " mmol/L",
    "hb": " g/dL",
    "gcs": "",
    "gest_weeks": " weeks",
    "crt_s": " s",
    "pef_pct": "% of best",
}
ADULT_AGE = 16.0


@dataclass(frozen=True, slots=True)
class Person:
    age: float | None
    sex: str | None
    pregnant: bool

    def fits(self, who: Who | None) -> bool:
        """Whether the person is in the population. An unknown age is taken as an adult's (16-74)."""
        if who is None:
            return True
        if who.sex and self.sex and who.sex != self.sex:
            return False
        if who.pregnant is not None and who.pregnant != self.pregnant:
            return False
        if who.age_min is None and who.age_max is None:
            return True
        low, high = (self.age, self.age) if self.age is not None else (ADULT_AGE, 74.0)
        if who.age_min is not None and high < who.age_min:
            return False
        return who.age_max is None or low < who.age_max


@dataclass(frozen=True, slots=True)
class Sign:
    """A finding set by a number, with the disposition that number alone calls for and why."""

    id: str
    level: Level | None
    reason: str
    source: str = ""


def _band(value: float, bands: list[list[float]]) -> int:
    for upper, points in bands:
        if value <= upper:
            return int(points)
    return 0


def copd_target(facts: Facts, copd: bool, kb: Knowledge) -> bool:
    """A known COPD patient's SpO2 at or above the floor of their target range (88-92%): scored on NEWS2 scale 2."""
    floor = kb.news2.get("copd_floor")
    return copd and floor is not None and facts.spo2 is not None and float(facts.spo2) >= float(floor)


def news2(facts: Facts, confused: bool, kb: Knowledge, copd: bool = False) -> tuple[int, bool, int] | None:
    """(score, any single parameter scoring 3, parameters stated), or None with too few parameters."""
    spec = kb.news2
    score, red, stated = 0, False, 0
    for name in ("rr", "spo2", "sbp", "hr", "temp_c"):
        value = getattr(facts, name)
        if value is None:
            continue
        bands = spec["spo2_scale2"] if name == "spo2" and copd_target(facts, copd, kb) else spec[name]
        points = _band(float(value), bands)
        stated += 1
        score += points
        red = red or points == 3
    if confused or (facts.gcs is not None and facts.gcs < 15):
        # round 6: confusion adds its 3 points to what was measured, but alone it is not the "single red score" that
        # calls for an emergency: the confusion rules and conditions weigh it (worse dementia, a urine infection)
        score += 3
        red = red or (facts.gcs is not None and facts.gcs < 15)
        stated += 1
    if stated < int(spec.get("min_parameters", 2)):
        return None
    return score, red, stated


def signs(facts: Facts, person: Person, confused: bool, kb: Knowledge, copd: bool = False) -> list[Sign]:
    """Every physiological finding the stated numbers support, most specific rule per id (``copd``: known COPD)."""
    found: dict[str, Sign] = {}
    on_target = copd_target(facts, copd, kb)
    for rule in kb.physiology:
        if rule.id in found or (on_target and rule.fact == "spo2"):
            continue
        value = getattr(facts, rule.fact, None)
        if value is None or not person.fits(rule.who) or not _OPS[rule.op](float(value), rule.value):
            continue
        if rule.below is not None and float(value) >= rule.below:
            continue
        found[rule.id] = Sign(
            rule.id,
            rule.level,
            f"{rule.fact} {value:g}{_UNITS.get(rule.fact, '')} ({rule.op} {rule.value:g})",
            rule.source,
        )
    adult = person.age is None or person.age >= ADULT_AGE
    if adult:
        scored = news2(facts, confused, kb, copd)
        if scored is not None:
            score, red, stated = scored
            levels = kb.news2.get("levels", {})
            if score >= int(kb.news2["high"]):
                found["news2_high"] = Sign(
                    "news2_high",
                    Level(levels["news2_high"]),
                    f"NEWS2 {score} from {stated} parameters",
                    "RCP NEWS2 (2017)",
                )
            elif score >= int(kb.news2["medium"]) or red:
                found["news2_medium"] = Sign(
                    "news2_medium",
                    Level(levels["news2_medium"]),
                    f"NEWS2 {score} from {stated} parameters",
                    "RCP NEWS2 (2017)",
                )
        q = kb.qsofa
        points = sum(
            (
                facts.rr is not None and facts.rr >= q["rr"],
                facts.sbp is not None and facts.sbp <= q["sbp"],
                confused or (facts.gcs is not None and facts.gcs < 15),
            )
        )
        if points >= 2:
            found["qsofa_positive"] = Sign(
                "qsofa_positive", Level(q["level"]), f"qSOFA {points}", "Sepsis-3 (JAMA 2016)"
            )
    if person.age is not None:
        for ident, limit in (("infant_under_3_months", 0.25), ("infant", 1.0), ("child", ADULT_AGE)):
            if person.age < limit:
                found[ident] = Sign(ident, None, f"age {person.age:g} years")
        if person.age >= 75:
            found["older_adult"] = Sign("older_adult", None, f"age {person.age:g} years")
    if person.pregnant:
        found.setdefault("pregnant", Sign("pregnant", None, "pregnant"))
    return list(found.values())
