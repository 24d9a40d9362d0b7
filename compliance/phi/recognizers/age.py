"""Ages over 89 (Safe Harbor): "92-year-old", "age 94", "aged 101", "91 yo", "95F", "ninety-three"."""

from presidio_analyzer import Pattern

from compliance.phi.entities import AGE
from compliance.phi.recognizers.base import DataPatternRecognizer
from compliance.phi.recognizers.cues import cue

OVER_89 = r"(?:9\d|1[01]\d)"
WORDS = (
    r"(?i:ninety(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?|"
    r"(?:one\s+)?hundred(?:\s+and\s+(?:one|two|three|four|five|six|seven|eight|nine|ten))?)"
)
SUFFIX = r"(?i:[\s-]*(?:years?|yrs?)[\s-]*old|[\s-]*(?:years?|yrs?)\b|\s*y/?o\b|\s*y\.o\.|\s*yo\b)"
CUE = rf"(?i:\b{cue('age')}\s*)"


class PhiAgeRecognizer(DataPatternRecognizer):
    ENTITY = AGE
    PATTERNS = (
        Pattern("number with year-old suffix", rf"(?<![\d.,/]){OVER_89}{SUFFIX}", 0.95),
        Pattern(
            "number after age cue",
            rf"{CUE}\K{OVER_89}(?![\d%°]|[.,/]\d|\s*(?i:%|mg|kg|lbs?|bpm|mmhg|percent|degrees|°|f\b|c\b))",
            0.9,
        ),
        Pattern("words after age cue", rf"{CUE}\K{WORDS}\b", 0.9),
        Pattern("number set off by commas or brackets", rf"(?:,[ \t]*\K{OVER_89}(?=[ \t]*,)|\(\K{OVER_89}(?=\)))", 0.6),
        Pattern(
            "number with sex letter after context",
            rf"(?i:(?:^|[,(]|\b(?:is|he's|she's|turned|turns|pt|patient|a|an|age|aged))\s*)\K{OVER_89}\s?(?i:[mf]|yo\s?[mf])\b",
            0.95,
        ),
        Pattern(
            "number with sex letter before context",
            rf"(?<![\d.,/]){OVER_89}\s?(?i:[mf]|yo\s?[mf])(?=\s*(?:[,)]|(?i:with|w/|who|presents|presenting|female|male|admitted|pt|patient|hx)\b))",
            0.95,
        ),
        Pattern("words", rf"\b{WORDS}(?:{SUFFIX})", 0.9),
        Pattern("decade", r"(?i:\b(?:in\s+(?:his|her|their|my)\s+)(?:nineties|90s|hundreds))\b", 0.8),
        Pattern("centenarian", r"(?i:\bcentenarian\b)", 0.8),
    )
