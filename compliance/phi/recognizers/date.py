"""Dates finer than a year: numeric and written dates, month-day, month-year, day ordinals, months used as dates.

A year alone, a weekday alone and relative expressions ("yesterday", "for 3 days") are not PHI.
"""

from presidio_analyzer import Pattern

from compliance.phi.entities import DATE
from compliance.phi.recognizers.base import DataPatternRecognizer
from compliance.phi.recognizers.cues import cue

MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
MONTH_I = rf"(?i:{MONTH})"
# Case-insensitive except the months that are also common words ("may", "mar"): those need a capital.
MONTH_SAFE = (
    r"(?:(?i:jan(?:uary)?|feb(?:ruary)?|march|april|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)|Mar|Apr|May)"
)
DAY = r"(?:0?[1-9]|[12]\d|3[01])"
ORD = r"(?:st|nd|rd|th)"
YEAR = r"(?:19\d\d|20\d\d|'\d\d)"
TEMPORAL = rf"(?i:\b(?:{cue('date_context')}\s+|(?:mid|early|late)-))"
# Holidays on a fixed day of the year: a day and month in disguise.
HOLIDAY = r"(?:Christmas(?:\s+(?:Eve|Day))?|Xmas|New\s+Year's\s+(?:Eve|Day)|Boxing\s+Day|Halloween|Valentine's(?:\s+Day)?|Independence\s+Day|Bonfire\s+Night|St\.?\s+Patrick's\s+Day)"


class PhiDateRecognizer(DataPatternRecognizer):
    ENTITY = DATE
    PATTERNS = (
        Pattern(
            "numeric m/d/y",
            rf"(?<![\d/.-])(?:{DAY}|0?[1-9]|1[0-2])([/.-])(?:{DAY})\1(?:\d{{4}}|\d{{2}})(?![\d/.-]*\d)",
            0.85,
        ),
        Pattern(
            "iso y-m-d",
            r"(?<![\d/.-])(?:19|20)\d\d([/.-])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])(?![\d/.-]*\d)",
            0.9,
        ),
        Pattern("day-mon-year", rf"\b{DAY}[-/ ]{MONTH_I}[-/ ](?:\d{{4}}|\d{{2}})\b", 0.9),
        Pattern("month day year", rf"\b{MONTH_I}\.?\s+{DAY}{ORD}?(?:\s*,\s*|\s+){YEAR}\b", 0.9),
        Pattern("day month year", rf"\b{DAY}{ORD}?\s+(?:of\s+)?{MONTH_I}\.?,?\s+{YEAR}\b", 0.9),
        Pattern(
            "month day", rf"\b{MONTH_SAFE}\.?\s+{DAY}{ORD}?\b(?![:\d]|\s*(?i:mg|ml|days?|weeks?|hours?|years?|%))", 0.8
        ),
        Pattern("day month", rf"\b{DAY}{ORD}?\s+(?:of\s+)?{MONTH_SAFE}\b", 0.8),
        Pattern("the nth of month", rf"(?i:\bthe\s+){DAY}{ORD}\s+of\s+{MONTH_I}\b", 0.85),
        Pattern("month year", rf"\b{MONTH}\.?,?\s+(?:of\s+)?{YEAR}\b", 0.8),
        Pattern("month alone used as a date", rf"{TEMPORAL}\K(?:(?!May\b){MONTH_SAFE}\b|May\b(?!\s+\p{{Ll}}))", 0.6),
        Pattern("day may after on", rf"(?i:\b(?:on|since|from|until|dob|born)\s+)\K{DAY}{ORD}?\s+(?i:may)\b", 0.8),
        Pattern(
            "full month name",
            r"\b(?:January|February|March|April|June|July|August|September|October|November|December)\b",
            0.5,
        ),
        Pattern(
            "m/d without year", rf"(?<![\d/.-])(?:0?[1-9]|1[0-2])/{DAY}(?![\d/]|\.\d|\s*(?i:mg|ml|pain|\(|scale))", 0.6
        ),
        Pattern("fixed-date holiday with year", rf"\b{HOLIDAY}\s+(?:of\s+)?(?:19\d\d|20\d\d)\b", 0.85),
        Pattern("fixed-date holiday day or eve", r"\b(?:Christmas|New\s+Year's)\s+(?:Eve|Day)\b", 0.7),
        Pattern("dob compact", r"(?i:\bdob\s*:?\s*)\K\d{6,8}\b", 0.9),
        Pattern("ordinal day after on/the", rf"(?i:\b(?:on|since|by|until|before|after)\s+the\s+)\K{DAY}{ORD}\b", 0.7),
    )

    def invalidate_result(self, pattern_text: str) -> bool | None:
        # "10/10" pain scores and "1/2" tablet fractions: no year and a denominator of 10 or a tiny fraction.
        text = pattern_text.strip()
        if "/" in text and text.count("/") == 1:
            left, right = text.split("/")
            if right == "10" or (left.isdigit() and right.isdigit() and int(right) <= 4 and int(left) < int(right)):
                return True
        return None
