"""Numbered identifiers announced by a cue (data/ja/id_cues.yaml): patient-card and chart numbers (MRN),
health-insurance card symbols and numbers (HEALTH_PLAN), driving licence and passport numbers (LICENSE), and
My Number (SSN: the Social Security and Tax Number, 12 digits with a check digit).

An insurance card has a symbol (記号, kana or kanji allowed: ホ12, 千葉あ123) and a number (番号): a 番号 is
the card's when a 記号 came just before it. A My Number without a cue counts when its check digit is right.
"""

from __future__ import annotations

from typing import ClassVar

from presidio_analyzer import Pattern

from compliance.phi.entities import HEALTH_PLAN, LICENSE, MRN, SSN
from compliance.phi.ja.lexicon import alternation, table
from compliance.phi.recognizers.ja.base import DASH_CHARS, JaPatternRecognizer

JOIN = r"\s*(?:の)?(?:番号)?\s*(?:は|:|#|=)?\s*\(?\s*"
ASCII_ID = rf"(?=[A-Za-z0-9_.{DASH_CHARS}]*\d)[A-Za-z0-9](?:[A-Za-z0-9_.{DASH_CHARS}]*[A-Za-z0-9])?"
# 第0318号, No.20418: a number written with its counter words or its "No." is one identifier.
NUMBERED = r"(?:第\s*|No\.?\s*)?{}(?:\s*号(?!室))?"
# My Number check digit weights, for the 11 digits read from the right (Ministry of Internal Affairs ordinance).
MY_NUMBER_WEIGHTS = (2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6)


def cue_pattern(entity: str, value: str, score: float, cues_key: str | None = None) -> Pattern:
    cues: list[str] = table("id_cues")[cues_key or entity]
    return Pattern(
        f"{(cues_key or entity).lower()} after cue",
        rf"(?<![A-Za-z]){alternation(cues)}{JOIN}\K{NUMBERED.format(value)}(?![A-Za-z0-9])",
        score,
    )


def my_number_is_valid(digits: str) -> bool:
    if len(digits) != 12 or not digits.isdigit():
        return False
    body = [int(ch) for ch in reversed(digits[:11])]
    remainder = sum(d * w for d, w in zip(body, MY_NUMBER_WEIGHTS, strict=True)) % 11
    return int(digits[11]) == (0 if remainder <= 1 else 11 - remainder)


# 番号, or any noun that ends in it (乗務員番号, 医療証番号, 組合員番号 ...), or a 手帳/証 numbered 第…号 announces an
# identifier: the cue lists above name the common ones, this catches the rest (the value needs a digit and three
# characters, so 背番号10 is not taken).
ANY_NUMBER_CUE = r"[\p{Han}\p{Katakana}ー]{0,10}(?:番号|ナンバー)"
BOOKLET_NUMBER = r"(?:手帳|証)\s*\K第\s*[0-9A-Za-z{dash}]{{3,}}\s*号"


class JaMrnRecognizer(JaPatternRecognizer):
    ENTITY = MRN
    TRIGGER = r"\d"
    PATTERNS = (
        cue_pattern(MRN, ASCII_ID, 0.9),
        cue_pattern(MRN, rf"(?=[A-Za-z0-9{DASH_CHARS}]{{3}}){ASCII_ID}", 0.85, cues_key="MRN_GENERIC"),
        Pattern(
            "any number's cue",
            rf"{ANY_NUMBER_CUE}{JOIN}\K(?=[A-Za-z0-9{DASH_CHARS}]{{3}}){ASCII_ID}(?![A-Za-z0-9])",
            0.8,
        ),
        Pattern("numbered booklet", BOOKLET_NUMBER.format(dash=DASH_CHARS), 0.85),
        # 医療証の番号 1380521 と 1380539: the second of two numbers after one cue
        Pattern(
            "a second number",
            rf"{ANY_NUMBER_CUE}{JOIN}{ASCII_ID}\s*(?:と|、|,|及び|および|/)\s*\K(?=[A-Za-z0-9{DASH_CHARS}]{{3}})"
            rf"{ASCII_ID}(?![A-Za-z0-9])",
            0.8,
        ),
        # KS-118203, CR-3312: capital letters, a dash and four digits or more are a code with no cue needed (a lab
        # name such as CA-125 has three)
        Pattern(
            "letter code", rf"(?<![A-Za-z0-9_.{DASH_CHARS}])[A-Z]{{1,3}}-\d{{4,8}}(?![A-Za-z0-9{DASH_CHARS}])", 0.6
        ),
    )


class JaHealthPlanRecognizer(JaPatternRecognizer):
    ENTITY = HEALTH_PLAN
    TRIGGER = r"\d"
    VALUE: ClassVar[str] = rf"[\p{{Han}}\p{{Katakana}}\p{{Hiragana}}]{{0,3}}{ASCII_ID}"
    PATTERNS = (
        cue_pattern(HEALTH_PLAN, VALUE, 0.9),
        Pattern("number after a symbol", rf"記号[^。\n]{{0,30}}?番号{JOIN}\K{ASCII_ID}(?![A-Za-z0-9])", 0.9),
    )


class JaLicenseRecognizer(JaPatternRecognizer):
    ENTITY = LICENSE
    TRIGGER = r"\d"
    PATTERNS = (cue_pattern(LICENSE, r"[A-Za-z]{0,2}\d{6,12}[A-Za-z]{0,2}", 0.95),)


class JaMyNumberRecognizer(JaPatternRecognizer):
    ENTITY = SSN
    TRIGGER = r"\d{4}"
    PATTERNS = (
        cue_pattern(SSN, r"\d{4}[\s-]?\d{4}[\s-]?\d{4}", 1.0),
        cue_pattern(SSN, r"\d{4}[\s-]?\d{6}", 0.95, cues_key="PENSION"),
        # マイナンバーカードを…、番号は482917365520で: the cue earlier in the sentence
        Pattern(
            "in a my number sentence",
            r"(?:マイナンバー|個人番号)[^。\n]{0,40}?\K(?<!\d)\d{4}[\s-]?\d{4}[\s-]?\d{4}(?![\d-])",
            0.95,
        ),
        # マイナンバーカードの暗証番号わすれた…。番号は6930 2218 4475: named earlier in the message, then 番号
        Pattern(
            "my number named earlier",
            r"(?:マイナンバー|個人番号)[^\n]{0,80}?番号\s*(?:は|:|：)?\s*\K(?<!\d)\d{4}[\s-]?\d{4}[\s-]?\d{4}(?![\d-])",
            0.9,
        ),
    )


class JaMyNumberCheckDigitRecognizer(JaPatternRecognizer):
    """Twelve digits with no cue: a My Number only when its check digit is right (1 in 10 numbers pass)."""

    ENTITY = SSN
    TRIGGER = r"\d{4}"
    PATTERNS = (Pattern("check digit", r"(?<![\d-])\d{4}[\s-]?\d{4}[\s-]?\d{4}(?![\d-])", 0.7),)

    def validate_result(self, pattern_text: str) -> bool | None:
        return None if my_number_is_valid("".join(ch for ch in pattern_text if ch.isdigit())) else False
