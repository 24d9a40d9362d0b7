"""Ages over 89 (Safe Harbor): 92歳, 九十五歳, 百歳, 90代, 満95才, and the celebrations that name them (卒寿, 白寿).
Ages up to 89 are kept (the allow-list's age_up_to_89)."""

from presidio_analyzer import Pattern

from compliance.phi.entities import AGE
from compliance.phi.recognizers.ja.base import JaPatternRecognizer

OVER_89 = r"(?<![\d.])(?:9\d|1[01]\d)"
UNIT = r"\s*(?:歳|才|さい|サイ)"
KANJI_AGE = r"(?:九十[一二三四五六七八九]?|百(?:[一二三四五六七八九十]|十[一二三四五六七八九]?)?)"


class JaAgeRecognizer(JaPatternRecognizer):
    ENTITY = AGE
    TRIGGER = r"\d|九十|百|寿"
    # 山内 カツ 様(91), 患者 ○○ 92F, 今年で92: a bare number that can only be an age here
    PATTERNS = (
        Pattern("number of years", rf"(?:満\s*)?{OVER_89}{UNIT}(?:\s*[0-9]{{1,2}}\s*(?:か月|ヶ月|カ月))?", 0.95),
        Pattern("decade", rf"{OVER_89}\s*代", 0.9),
        Pattern("kanji numerals", rf"(?:満)?{KANJI_AGE}{UNIT}", 0.95),
        Pattern("after an age cue", rf"(?:年齢|年令)\s*(?:は|:)?\s*\K{OVER_89}(?!\d)", 0.9),
        Pattern("celebration", r"(?:卒寿|白寿|百寿|茶寿|上寿)", 0.7),
        Pattern(
            "in brackets after an honorific",
            rf"(?:様|さま|さん|氏|くん|ちゃん)\s*\(\s*\K{OVER_89}(?:{UNIT})?(?=\s*[),、])",
            0.85,
        ),
        Pattern("age and sex", rf"{OVER_89}\s*[MF男女](?![A-Za-z0-9])", 0.85),
        Pattern("year's age", rf"(?:今年で|今年|来年で|享年|数えで|満)\s*\K{OVER_89}(?![\d.])", 0.85),
        # 九十一になりました, 。92になりますが: an age the writer has reached (a number opening its clause; after
        # a measurement, 血糖が92になりました, it is no age)
        Pattern("reached, kanji", rf"{KANJI_AGE}(?=\s*(?:になり|になった|になる))", 0.85),
        Pattern("reached", rf"(?:^|(?<=[。、！？!?\s]))\s*\K{OVER_89}(?=\s*(?:になり|になった|になる))", 0.8),
        Pattern("in English", rf"{OVER_89}(?:\s*years?[\s-]old|\s*y/?o)(?![A-Za-z])", 0.9),
    )
