"""Dates as Japanese writes them: 2024年3月15日, 昭和55年3月2日, S55.3.2, 1980/03/02, 3月2日, 4月 (a month used
as a date), 去年12月, 12日（火）, 3/5, and years named alone (昭和8年生まれ, 令和5年に, 2023年). Full-width digits are
ASCII by now (NFKC).

A year alone is taken too: in chat it is mostly a birth year or the year of an operation or a diagnosis, and a
birth year identifies the very old (Safe Harbor removes it for ages over 89). Kept: counts of years and days
(3年間, 5年前, 3日間, 3日前, 1日3回, 10日分): a day alone is a date only where a particle or a weekday says so
(5日に, 12日（火）, 3日から).
"""

from presidio_analyzer import Pattern

from compliance.phi.entities import DATE
from compliance.phi.recognizers.ja.base import JaPatternRecognizer

ERA = r"(?:明治|大正|昭和|平成|令和)"
ERA_LETTER = r"(?<![A-Za-z0-9])[MTSHRmtshr]"
MONTH = r"(?:0?[1-9]|1[0-2])"
DAY = r"(?:0?[1-9]|[12]\d|3[01])"
KANJI_NUMBER = r"[一二三四五六七八九十〇]"
WEEKDAY = r"(?:[(（]\s*[月火水木金土日]\s*(?:曜日?)?\s*[)）]|[月火水木金土日]曜日?)"
NOT_A_COUNT = r"(?!\s*(?:間|前|後|分|目|以上|以内|ほど|くらい|ぐらい|近く|ぶり))"
RELATIVE_YEAR = r"(?:去年|昨年|一昨年|おととし|今年|本年)"
# After a day alone: what makes "5日" a day of the month rather than a count of days.
DAY_CONTEXT = (
    r"(?=\s*(?:に(?!\s*\d)|から|まで|より|以降|頃|ごろ|の(?:朝|昼|夜|夕方|午前|午後|診察|受診|予約|手術|検査)|"
    + WEEKDAY
    + r"|[、,]|です|でした))"
)


class JaDateRecognizer(JaPatternRecognizer):
    ENTITY = DATE
    TRIGGER = r"\d|" + KANJI_NUMBER + "月|年"
    PATTERNS = (
        Pattern("western year month day", rf"(?<!\d)(?:19|20)\d\d\s*年\s*{MONTH}\s*月(?:\s*{DAY}\s*日)?", 0.95),
        Pattern("era year month day", rf"{ERA}\s*(?:\d{{1,2}}|元)\s*年\s*{MONTH}\s*月(?:\s*{DAY}\s*日)?", 0.95),
        Pattern("era year", rf"{ERA}\s*(?:\d{{1,2}}|元|{KANJI_NUMBER}{{1,3}})\s*年{NOT_A_COUNT}", 0.85),
        Pattern("western year", rf"(?<![\d.])(?:19|20)\d\d\s*年{NOT_A_COUNT}", 0.6),
        Pattern("relative year month", rf"{RELATIVE_YEAR}の?\s*{MONTH}\s*月(?:\s*{DAY}\s*日)?", 0.9),
        Pattern("era letter", rf"{ERA_LETTER}\s?(?:\d{{1,2}}|元)([./-]){MONTH}\1{DAY}(?![\d./-]*\d)", 0.95),
        Pattern("numeric y/m/d", rf"(?<![\d/.-])(?:19|20)\d\d([/.-]){MONTH}\1{DAY}(?![\d/.-]*\d)", 0.95),
        Pattern(
            "compact birth date",
            r"(?:生年月日|誕生日|DOB)\s*(?:は|:)?\s*\K(?:(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
            rf"|\d{{1,2}}([./-]){MONTH}\1{DAY})(?!\d)",
            0.95,
        ),
        Pattern(
            "month day",
            rf"(?<![\d.])(?:{MONTH}|{KANJI_NUMBER}{{1,2}})\s*月\s*(?:{DAY}|{KANJI_NUMBER}{{1,3}})\s*日",
            0.9,
        ),
        Pattern(
            "month alone",
            rf"(?<![\d.かヶカケヵ箇])(?:{MONTH})\s*月(?![\d間前後末ぶ]|\s*(?:以上|以内|ほど|くらい|ぐらい|分))",
            0.6,
        ),
        Pattern("day alone", rf"(?<![\d./])(?:{DAY})\s*日{DAY_CONTEXT}", 0.6),
        Pattern("month/day", rf"(?<![\d/.-]){MONTH}/{DAY}(?![\d/]|\.\d|\s*(?:錠|回|量|本|包))", 0.6),
    )

    def invalidate_result(self, pattern_text: str) -> bool | None:
        # "7/10" pain scores and "1/2" tablet fractions.
        text = pattern_text.strip()
        if text.count("/") == 1:
            left, right = text.split("/")
            if right == "10" or (left.isdigit() and right.isdigit() and int(right) <= 4 and int(left) < int(right)):
                return True
        return None
