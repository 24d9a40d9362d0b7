"""Japanese numbers read by the shared facts extractor: full-width digits, kanji numerals, labels, ages (issue 19)."""

from __future__ import annotations

import pytest

from agents.triage import knowledge
from agents.triage.japanese.facts import facts, kanji_numbers


def read(text: str):
    data = knowledge.load().ja
    assert data is not None
    return facts(text, data.facts)


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("体温38.5度", "temp_c", 38.5),
        ("体温３８．５度", "temp_c", 38.5),
        ("熱は三十八度五分です", "temp_c", 38.5),
        ("38度5分の熱", "temp_c", 38.5),
        ("脈拍120", "hr", 120.0),
        ("脈拍は百二十回", "hr", 120.0),
        ("ＳｐＯ２ ９２％", "spo2", 92.0),
        ("サチュレーション88%", "spo2", 88.0),
        ("呼吸数24回/分", "rr", 24.0),
        ("血糖値が450", "glucose", 25.0),
    ],
)
def test_vital_signs_in_japanese(text: str, field: str, value: float) -> None:
    assert getattr(read(text), field) == pytest.approx(value)


def test_blood_pressure_in_several_forms() -> None:
    for text in ("血圧80/50", "血圧８０／５０", "上が80で下が50"):
        found = read(text)
        assert (found.sbp, found.dbp) == (80.0, 50.0), text


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("生後3ヶ月の赤ちゃん", 0.25),
        ("生後２か月", 2 / 12),
        ("3歳の息子", 3.0),
        ("１歳６ヶ月の娘", 1.5),
        ("80代の母", 85.0),
        ("70代前半の父", 72.0),
        ("父（６８歳）", 68.0),
    ],
)
def test_ages(text: str, age: float) -> None:
    assert read(text).age == pytest.approx(age, abs=0.01)


def test_weeks_of_pregnancy_sex_and_the_japan_coma_scale() -> None:
    found = read("妊娠３２週です")
    assert found.gest_weeks == 32.0 and found.sex == "female"
    assert read("息子が").sex == "male"
    assert read("JCS 100").gcs == 7.0


def test_kanji_numerals_and_durations() -> None:
    assert kanji_numbers("三十八") == "38" and kanji_numbers("百二十") == "120" and kanji_numbers("二千") == "2000"
    assert read("3日前から熱").duration_days == 3.0
    assert read("2週間続いています").duration_days == 14.0


def test_numbers_without_a_label_or_unit_are_not_vital_signs() -> None:
    found = read("3回吐きました。90度に曲げると痛い")
    assert found.temp_c is None and found.hr is None and found.spo2 is None
