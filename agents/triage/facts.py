"""Numbers with units and other facts read from normalised text.

Ages, vital signs, common lab values, durations, weeks of pregnancy and
severity. Every extractor is a precompiled regular expression plus a small
conversion; nothing here knows any clinical threshold (those live in the
protocol files).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

_WORD_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "couple": 2,
    "couple of": 2,
    "few": 3,
    "a few": 3,
    "several": 4,
    "half": 0.5,
}
_NUM = r"(\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|(?:a )?couple(?: of)?|(?:a )?few|several)"
_UNIT_DAYS = {
    "second": 1 / 86400,
    "sec": 1 / 86400,
    "minute": 1 / 1440,
    "min": 1 / 1440,
    "hour": 1 / 24,
    "hr": 1 / 24,
    "h": 1 / 24,
    "day": 1.0,
    "d": 1.0,
    "night": 1.0,
    "week": 7.0,
    "wk": 7.0,
    "w": 7.0,
    "month": 30.4,
    "mo": 30.4,
    "mth": 30.4,
    "year": 365.0,
    "yr": 365.0,
    "y": 365.0,
}
_UNIT = r"(seconds?|secs?|minutes?|mins?|hours?|hrs?|h|days?|d|nights?|weeks?|wks?|w|months?|mos?|mths?|years?|yrs?|y)"


def _num(token: str) -> float:
    token = token.strip()
    try:
        return float(token)
    except ValueError:
        return float(_WORD_NUMBERS.get(token, _WORD_NUMBERS.get(token.replace("a ", ""), 1)))


def _unit_days(unit: str) -> float:
    unit = unit.rstrip("s") if len(unit) > 2 else unit
    return _UNIT_DAYS.get(unit, _UNIT_DAYS.get(unit.rstrip("s"), 1.0))


_FILL = r"(?:\s*(?:of|is|was|were|are|at|to|:|=|~|and its|and it is|its|it is|which is|which was|around|about|approx\.?|over|above|below|under|up to|only|just|reading|reads|read|showing|shows|showed|says|said|measured|down to|dropped to|of about|in the|was about|has been|have been|been|went up to|spiked to|high|low|nearly|almost|)\s*)*"

# --- age -------------------------------------------------------------------
_AGE_UNIT = re.compile(_NUM + r"[\s-]*(days?|weeks?|wks?|months?|mos?|mths?|years?|yrs?|y)[\s-]*(?:old|of age)\b")
_AGE_YO = re.compile(r"\b(\d{1,3})\s*(?:yo|y/o|y\.o\.?|yr old|yrs old|year old)\b")
_AGE_SEXCODE = re.compile(
    r"(?:^|[.\n:]\s*|\b(?:a|an|pt|patient)\s+)(\d{1,3})\s*(?:yo|y/o|y)?\s*([mf])\b(?!\s*(?:/|fever|temp))"
)
_AGE_WORD = re.compile(r"\b(?:aged?|age:)\s*(\d{1,3})\b(?!\s*(?:days?|weeks?|months?|%))")
_AGE_IAM = re.compile(
    r"\b(?:i am|im|hes|shes|he is|she is|they are|patient is|who is|whos|turned|turning|just turned)\s+(\d{1,3})\b"
    r"(?!\s*(?:weeks?|wks?|months?|days?|hours?|%|kg|lbs?|pounds|cm|ft|feet|times|minutes|mins?|/|\.\d|degrees|°|and a half weeks))"
)
_AGE_RELATIVE = re.compile(
    r"\b(?:husband|wife|partner|mum|mom|mother|dad|father|son|daughter|grandad|granddad|grandpa|grandma|granny|gran|nan|nana"
    r"|grandmother|grandfather|brother|sister|friend|neighbour|neighbor|child|kid|boy|girl|man|woman|patient)"
    # round 7: or in brackets ("Mum (81) had a fall")
    # round 10: or straight after the word in text-speak ("dad 79 more confused", "my son 11 has been drinking loads")
    r"(?:,|\s+is|\s+who is|\s+whos|\s+aged|\s+age|\s*\((?=\d{1,3}\))|(?=\s+\d{2,3}\s*(?:[,.;]|and\b|$))"
    r"|(?=\s+\d{1,3}\s+(?!(?:tablets?|pills?|capsules?|doses?|puffs?|cups?|glasses?|bottles?|cans?|pints?|units?|mg|ml"
    r"|mcg|g|x|of|percent|out|or|to|-)\b)[a-z]))\s*(\d{1,3})\b"
    r"(?!\s*(?:weeks?|wks?|months?|days?|hours?|%|kg|lbs?|pounds|cm|ft|feet|times|minutes|mins?|/|\.\d|degrees|°))"
)
_AGE_BABY = re.compile(  # "baby is 5 weeks", "my son is only 3 months" (no "old")
    r"\b(?:baby|babys|son|daughter|boy|girl|little one|newborn|infant|grandson|granddaughter|lo)\s+(?:is\s+)?(?:only\s+|just\s+|now\s+)?"
    + _NUM
    + r"\s*(days?|weeks?|wks?|months?|mos?|mths?)\b(?!\s*(?:pregnant|ago|of|since|after))"
)
_AGE_BORN = re.compile(r"\bborn\s+" + _NUM + r"\s*" + _UNIT + r"\s+ago\b")
# a newborn's age said as the day of life ("day 3 of life", "baby is on day 5", "midwife visit, day 4: baby girl");
# not a day of something else ("day 5 of my period") or a mother's own day ("day 5 postnatal, my stitches")
_AGE_DAY_OF_LIFE = (
    re.compile(r"\bday\s+(\d{1,2})\s+of\s+life\b"),
    re.compile(r"\b(?:baby|newborn|neonate)\s+(?:is\s+)?(?:on\s+)?day\s+(\d{1,2})\b(?!\s*(?:of|post|after))"),
    re.compile(
        r"\b(?:midwife|postnatal|post natal|newborn|neonatal|baby)(?:\s+home)?\s+(?:visit|check|review|exam\w*)"
        r"\s*[,:-]?\s*(?:on\s+)?day\s+(\d{1,2})\s*[,:-]\s*(?:a\s+|the\s+)?(?:baby|newborn|neonate|boy|girl|male|female)\b"
    ),
)
# an infant's age in a clinician's shorthand, the unit before the sex ("4 mo m", "9 mo f", "6 wk old f", "3/12 f")
_AGE_INFANT_CODE = re.compile(
    r"(?:^|[.\n:;]\s*|\b(?:a|an|pt|patient|baby)\s+)(\d{1,2})\s*(days?|d|wks?|weeks?|mos?|mths?|months?)\s*(?:old\s*)?"
    r"(?:[mf]|male|female|boy|girl)\b(?!\s*/)"
)
# the day of life written first ("day 2 baby", "day 5 postnatal check. breastfed girl") and the baby's routine checks
# ("routine 6-week check, baby girl"): the visit is the baby's when a baby is what it names next
_AGE_INFANT_VISIT = (
    (re.compile(r"\bday\s+(\d{1,2})\s+(?:old\s+)?(?:baby|newborn|neonate)\b"), 1.0),
    (
        re.compile(
            r"\bday\s+(\d{1,2})\s+(?:postnatal|post natal|newborn|neonatal)\s+(?:home\s+)?(?:visit|check|review)\b"
            r"[^\n]{0,24}?\b(?:baby|newborn|neonate|boy|girl)\b"
        ),
        1.0,
    ),
    (
        re.compile(
            r"\b(\d{1,2})[- ]?(?:week|wk)\s+(?:baby\s+)?(?:check|review|visit)\b[^\n]{0,24}?\b(?:baby|boy|girl|infant)\b"
        ),
        7.0,
    ),
)
_AGE_PLACEHOLDER = re.compile(r"<age(?:_\d+)?>")
_AGE_WORDS = (
    (re.compile(r"\b(?:newborn|new born|neonate|neonatal)\b"), 0.03),
    (re.compile(r"\btoddler\b"), 2.0),
    (re.compile(r"\b(?:elderly|old lady|old man|pensioner|nursing home|care home)\b"), 78.0),
)

# --- vital signs and labs ---------------------------------------------------
_TEMP = (
    re.compile(
        r"\b(?:temp(?:erature)?|fever|febrile|tmax|t|pyrexi\w*|thermometer(?: reading)?|running(?: a)?)"
        + _FILL
        + r"(\d{2,3}(?:\.\d+)?)\s*(?:°|º|deg(?:rees?)?)?\s*(c|f|celsius|fahrenheit|centigrade)?\b"
    ),
    re.compile(r"\b(\d{2,3}(?:\.\d+)?)\s*(?:°|º|deg(?:rees?)?)\s*(c|f|celsius|fahrenheit|centigrade)?"),
    re.compile(r"\b(\d{2,3}(?:\.\d+)?)\s*(c|f)\b(?!\s*(?:/|fever))"),
    re.compile(
        r"\b(\d{2,3}(?:\.\d+)?)()\s*(?:on the thermometer|on (?:the|his|her|my) (?:thermometer|forehead|ear)|temp|temperature|fever)"
    ),
    re.compile(
        # round 7: a full stop after the value ends the sentence ("thermometer under her arm says 38.3.")
        r"(?<![\d.:/])(3[5-9]\.\d|4[0-2]\.\d|9[89]\.\d|10[0-6]\.\d)()(?![\d%]|\.\d|\s*(?:kg|mmol|mg|%|cm|lb|weeks?|years?|hours?))"
    ),
)
_SPO2 = (
    re.compile(
        # round 7: lay names of a home oximeter ("her finger oxygen thing says 90%")
        r"\b(?:spo2|sp02|sao2|o2 sats?|o2 saturations?|sats?|saturations?|saturating|oxygen(?: sat(?:uration)?s?| levels?| reading| meter| monitor| probe| thing| machine| gadget)?|"
        r"(?:pulse ?ox(?:imeter|imetry)?|oximeter|oximetry|finger (?:probe|monitor|meter|clip)|sats (?:monitor|probe|meter))"
        r"(?: reading)?|ox(?:ygen)? level|o2)"
        # round 7b: the device named with the finger it sits on ("the oxygen thing on my finger says 87%")
        r"(?:\s+(?:on|clipped to|clipped on)\s+(?:my|his|her|their|the|your)\s+finger)?"
        + _FILL
        + r"(?:the\s+)?(?:mid\s+|upper\s+|lower\s+|low\s+|high\s+)?(\d{2,3})\s*%?"
    ),
    re.compile(r"\b(\d{2,3})\s*%\s*(?:on (?:room air|ra|air)|ra\b|sats?|spo2|o2|oxygen|saturation)"),
)
_HR = (
    re.compile(
        r"\b(?:hr|heart ?rate|pulse(?: rate)?|heart is (?:beating|going|racing) at|heartbeat|heart beat|p)\b(?!\s*ox)"
        # round 7: the device that read it ("heart rate on her watch is 38")
        r"(?:\s+on\s+(?:my|his|her|their|the)\s+(?:smart ?watch|watch|fitbit|phone|app|monitor|machine))?"
        + _FILL
        + r"(\d{2,3})\b(?!\s*%)"
    ),
    re.compile(r"\b(\d{2,3})\s*(?:bpm|beats? (?:per|a|/)\s*min(?:ute)?)"),
    # round 7b: a rate after the rhythm it belongs to ("irregularly irregular, rate 138", "AF with a rate of 140",
    # "ventricular rate 150"); a bare "rate" could be a breathing rate, so it needs the rhythm word first
    re.compile(
        r"\b(?:af|atrial (?:fibrillation|flutter)|irregular(?:ly irregular)?|ecg|ventricular|tachycardia|svt)\b"
        r"(?:(?!resp|breath|rr\b)[^.;\d]){0,25}?\brate" + _FILL + r"(\d{2,3})\b(?!\s*%)"
    ),
)
# A fetal heart rate ("fetal heart rate 146 bpm", "FHR 150", "foetal heart 120s"): a fact of its own, taken out of the
# text before the mother's pulse is read (notes/issue-15.md, session 16).
_FETAL_HR = re.compile(
    r"\b(?:(?:fetal|foetal)\s+(?:heart\s*rate|heart\s*beat|heartbeat|heart\s*tones?|heart\s*sounds?|heart|hr)|fhr)\b"
    + _FILL
    + r"(\d{2,3})(?:s\b)?(?:\s*(?:bpm|beats?\s*(?:per|a|/)\s*min(?:ute)?))?"
)
_FETAL_WORDS = ("fetal", "foetal", "fhr")
_BP = (
    # "home BP diary over 14 days averages 158/96": a record of readings and its period before the value
    re.compile(
        r"\b(?:bp|blood pressure|b/p)(?:\s+(?:diary|readings?|log|monitoring))?"
        r"(?:\s+(?:over|for)\s+(?:the\s+)?(?:last\s+|past\s+)?\d{1,2}\s+(?:days?|weeks?))?(?:\s+averag\w*)?"
        + _FILL
        + r"(\d{2,3})\s*(?:/|over)\s*(\d{2,3})"
    ),
    re.compile(r"\b(\d{2,3})\s*/\s*(\d{2,3})\s*(?:mm ?hg)"),
    re.compile(r"\b(\d{2,3})\s+over\s+(\d{2,3})\b"),
)
_BP_BARE = re.compile(r"(?<![\d/.])(\d{2,3})\s*/\s*(\d{2,3})(?![\d/.])")
_SBP_ONLY = re.compile(r"\bsystolic(?: bp| blood pressure)?" + _FILL + r"(\d{2,3})\b")
_RR = (
    re.compile(
        r"\b(?:rr|resp(?:iratory)? rate|respirations?|resps|breathing rate|respiratory rate)" + _FILL + r"(\d{1,3})\b"
    ),
    re.compile(r"\b(\d{1,3})\s*(?:breaths?(?: per|/| a| each)\s*min(?:ute)?|bpm breathing)"),
)
_GLUCOSE = re.compile(
    r"\b(?:glucose|blood sugars?|sugars?|bgl?|bsl|cbg|fingerstick|finger ?prick|bm|glucometer|meter|sugar levels?|glucose levels?|readings?)"
    r"(?:\s*(?:level|levels|reading|readings|test))?"
    + _FILL
    + r"(\d{1,3}(?:\.\d+)?)(?!\d|\.\d|\s*(?:hours?|hrs?|mins?|minutes?|days?|weeks?|months?|years?|times)\b)"
    r"\s*(mg/?dl|mg|mmol(?:/l)?|mm)?"  # round 5: "checked my sugar 2 hours after dinner" is a time, not a value
)
# Blood ketones in mmol/L; a urine dipstick's grade ("urine ketones 2+", "ketones ++") is another measure (below).
_KETONES = re.compile(
    r"(?<!urine )(?<!urinary )\bketones?(?:\s*(?:level|reading|meter|monitor))?"
    r"(?:\s+on\s+(?:my|the|his|her|a)\s+(?:\w+\s+)?(?:meter|monitor|machine|strips?))?"
    + _FILL
    + r"(\d(?:\.\d+)?)\b(?!\s*\+)"
)
_URINE_KETONES = re.compile(r"\bketones?" + _FILL + r"(?:(\d)\s*\+|(\+{1,4})(?![\w+]))")


def parse_urine_ketones(text: str) -> float | None:
    """The grade of a urine dipstick's ketones: "ketones 3+" -> 3, "ketones ++" -> 2."""
    match = _URINE_KETONES.search(text)
    if match is None:
        return None
    return float(match.group(1)) if match.group(1) else float(len(match.group(2)))


_GCS = re.compile(r"\bgcs" + _FILL + r"(\d{1,2})\b")
# peak flow as a share of the best or predicted ("PEF 55% of best", "peak flow down to about 45% of my best")
_PEF_PCT = re.compile(
    r"\b(?:pef|pefr|peak flow|peak expiratory flow)(?:\s+(?:rate|reading))?" + _FILL + r"(\d{1,3})\s*%\s*(?:of\s+)?"
    r"(?:my\s+|her\s+|his\s+|their\s+|the\s+)?(?:personal\s+)?(?:best|predicted|pred|normal|usual)\b"
)
_LACTATE = re.compile(r"\blactate" + _FILL + r"(\d{1,2}(?:\.\d+)?)\b")
_HB = re.compile(r"\b(?:hb|hgb|ha?emoglobin)" + _FILL + r"(\d{1,3}(?:\.\d+)?)\b")
_POTASSIUM = re.compile(r"\b(?:potassium|k\+?)" + _FILL + r"(\d(?:\.\d+)?)\b")
_SODIUM = re.compile(r"\b(?:sodium|na\+?)" + _FILL + r"(\d{3})\b")
_CALCIUM = re.compile(r"\b(?:calcium|(?:adj|adjusted|corr|corrected)\s+ca)" + _FILL + r"(\d(?:\.\d+)?)\b")
# round 7: thyroid-stimulating hormone ("TSH 14.2 mU/L", "tsh came back at 12")
_TSH = re.compile(r"\btsh(?:\s+(?:level|result|came back))?" + _FILL + r"(\d{1,3}(?:\.\d+)?)\b")
_CRT = re.compile(
    r"\b(?:crt|cap(?:illary)? refill(?: time)?)" + _FILL + r"([<>])?\s*(\d(?:\.\d+)?)\s*(?:s|secs?|seconds?)\b"
)
_PAIN = re.compile(r"\b(\d{1,2})\s*(?:/|out of)\s*10\b")

# --- pregnancy --------------------------------------------------------------
_GEST = (
    # obstetric shorthand: "28/40", "34+2/40" (weeks of a 40-week pregnancy); not a blood pressure ("80/40")
    re.compile(r"(?<![\d/.])(?<!bp )(?<!bp: )([4-9]|[1-3]\d|4[0-2])(?:\+[0-6])?/40(?![\d/.])"),
    re.compile(
        r"\b(\d{1,2})(?:\s*\+\s*\d)?\s*(?:weeks?|wks?|w)\b(?:\s+and\s+\d+\s+days?)?\s*(?:pregnant|gestation|gestational|along|of (?:her |my )?pregnancy|pg|into (?:my|her|the) pregnancy|ga\b)"
    ),
    re.compile(
        r"\b(?:pregnant|gestation|ga|g\dp\d|gravida \d|pregnancy)\b[^.;\n]{0,25}?\b(?:at|of|,|:)?\s*(\d{1,2})(?:\s*\+\s*\d)?\s*(?:weeks?|wks?|w)\b"
    ),
    re.compile(
        r"\b(?:at|around|about)\s+(\d{1,2})\s*(?:weeks?|wks?)\b(?=[^.;\n]{0,40}\b(?:pregnan\w*|gestation|baby|midwife|antenatal))"
    ),
    re.compile(
        r"\b(?:im|i am|shes|she is|wife is|partner is|girlfriend is)\s+(?:now\s+)?(\d{1,2})(?:\s*\+\s*\d)?\s*(?:weeks?|wks?)\b(?!\s*old)"
    ),
    # round 7: the weeks said alone at the start of a message about a pregnancy ("31 weeks, headache and puffy
    # face ... baby moving ok"); not a duration ("3 weeks, cough not shifting": no pregnancy word)
    re.compile(
        r"^\s*(\d{1,2})(?:\s*\+\s*\d)?\s*(?:weeks?|wks?)\s*[,:;-](?=[\s\S]*\b(?:pregnan\w*|baby (?:is )?moving|"
        r"(?:fetal|foetal|babys?) movements?|midwife|antenatal|maternity|bump)\b)"
    ),
    # round 10: the weeks said alone at the start of a short message, with what a pregnancy's complaint sounds like
    # ("34 weeks, bad headache and flashing lights", "11 weeks, bleeding loads"): from 20 weeks a duration is said in
    # months, so the weeks are a gestation whatever follows; earlier only bleeding or spotting makes it one ("3 weeks
    # cough" is a duration)
    re.compile(
        r"^\s*(?:im\s+|i am\s+)?(2\d|3\d|4[0-2])(?:\s*\+\s*\d)?\s*(?:weeks?|wks?)\b(?!\s*(?:old|ago|of|since|now\b|post))",
        re.MULTILINE,  # each message of a conversation starts a line
    ),
    re.compile(
        r"^\s*(?:im\s+|i am\s+)?([4-9]|1\d)(?:\s*\+\s*\d)?\s*(?:weeks?|wks?)\b(?!\s*(?:old|ago|of|since|now\b|post))"
        r"[\s,:;-]*(?:and\s+|n\s+|&\s+)?(?:\w+\s+){0,2}?(?:bleed\w*|spotting|blood)\b(?!\s+(?:gums?|nose|from (?:my |the |his |her )?(?:nose|gums?|mouth|ears?|bum)))",
        re.MULTILINE,
    ),
    re.compile(
        r"\b(?:a|an|aged?|\d+[- ]year[- ]old|woman|female|primigravida|multigravida|g\dp\d)\b[^.;\n]{0,25}\bat (\d{1,2})(?:\s*\+\s*\d)?\s*(?:weeks?|wks?)\b(?!\s*(?:old|ago|post|after|of age|of life))"
    ),
)
_GEST_MONTHS = re.compile(r"\b" + _NUM + r"\s*months?\s*(?:pregnant|along|into (?:my|her|the) pregnancy)")
_TRIMESTER = re.compile(r"\b(first|1st|second|2nd|third|3rd)\s+trimester\b")
_TRIMESTER_WEEKS = {"first": 8.0, "1st": 8.0, "second": 20.0, "2nd": 20.0, "third": 32.0, "3rd": 32.0}

# --- duration ---------------------------------------------------------------
#: What an "<n>-week" or "<n>-month" before it names: a scheduled visit, not how long something has lasted.
_VISIT = r"(?:vaccin|immuni[sz]|jabs?\b|shots?\b|booster|check|scan|visit|appointment|review|follow|postnatal|antenatal|well[- ]baby)"
_DURATION = (
    re.compile(
        r"(?:^|\b(?:for|since|past|last|over|about|around|nearly|almost|approximately|approx|only|just|roughly|than|within|x|lasting|lasted|already|been|is been))\s+"
        r"(?:the\s+)?(?:past\s+|last\s+)?(?:about\s+|around\s+|nearly\s+|almost\s+|over\s+)?"
        + _NUM
        + r"\s*"
        + _UNIT
        + r"\b(?!\s*(?:old|pregnant|gestation|along))"
    ),
    # "a 3-day cough"; not "her 16-week immunisations" or "the 20-week scan", which name a visit (session 32)
    re.compile(r"\b" + _NUM + r"-" + _UNIT + r"[\s-](?!old\b|olds\b|" + _VISIT + r")(?=[a-z])"),
    re.compile(
        r"\b"
        + _NUM
        + r"[\s-]*"
        + _UNIT
        + r"\b[\s-]*(?:ago|history|hx|now|of (?:\w+ ){0,3}(?:pain|symptoms|cough|fever|vomiting|diarrh\w*|this|it|that|headache|bleeding|rash))"
    ),
)
# phrase -> days
_DURATION_PHRASES = {
    r"\b(?:since|from) (?:yesterday|last night)\b|\bovernight\b": 1.0,
    r"\b(?:since|from) (?:this morning|today|earlier today|lunch(?:time)?|this afternoon|tonight|this evening)\b|\b(?:just now|just started|minutes ago|an hour ago|suddenly|all of a sudden)\b": 0.2,
    r"\bsince (?:last|the) week(?:end)?\b|\ball week\b": 7.0,
    r"\bsince last month\b|\ball month\b": 30.0,
    r"\bfor (?:weeks|a few weeks|several weeks)\b": 14.0,
    r"\bfor (?:months|ages|a long time|several months|a few months)\b": 60.0,
    r"\b(?:been )?going on (?:for )?(?:months|a few months|several months|a couple of months)\b": 60.0,
    r"\bfor years\b|\bchronic\b": 365.0,
    r"\bfor (?:days|a few days|several days)\b": 3.0,
    r"\b(?:for|over|in|during) the (?:last|past) (?:month|4 weeks|four weeks)\b|\bmost days\b|\bfor a month\b": 30.0,
    r"\b(?:for|over|in|during) the (?:last|past) (?:fortnight|couple of weeks|few weeks)\b": 14.0,
    r"\b(?:for|over|in|during) the (?:last|past) week\b|\bfor a week\b": 7.0,
    r"\b(?:for|over|in|during) the (?:last|past) (?:year|few months|couple of months)\b": 90.0,
    r"\bfor (?:hours|a few hours|a couple of hours)\b": 0.15,
}
_DURATION_WORDS = tuple((re.compile(pattern), days) for pattern, days in _DURATION_PHRASES.items())

_SEVERITY = re.compile(
    r"\b(?:mild|mildly|slight|slightly|a bit|a little|minor|moderate|severe|severely|worst|excruciating|unbearable|agony|agonising|agonizing|terrible|awful|intense|really bad|very bad|not too bad|not that bad|manageable|bearable)\b|\b\d{1,2}\s*(?:/|out of)\s*10\b"
)

_FEMALE = re.compile(
    r"\b(?:woman|women|female|girl|lady|she|her|hers|herself|mother|mum|mom|mummy|wife|daughter|sister|grandmother|grandma|granny|aunt|niece|girlfriend|pregnant|my period|menstrua\w*|vagina\w*)\b"
)
_MALE = re.compile(
    r"\b(?:man|men|male|boy|guy|bloke|lad|dude|gentleman|he|him|his|himself|father|dad|daddy|husband|son|brother|grandfather|grandpa|uncle|nephew|boyfriend|testic\w*|scrot\w*|prostate|penis)\b"
)


@dataclass(slots=True)
class Facts:
    """What the text says in numbers. None means 'not stated'."""

    age: float | None = None
    sex: str | None = None
    temp_c: float | None = None
    spo2: float | None = None
    hr: float | None = None
    fetal_hr: float | None = None
    """A baby's heart rate in the womb: never the mother's pulse (round 13's clinician vignettes)."""
    sbp: float | None = None
    dbp: float | None = None
    rr: float | None = None
    glucose: float | None = None  # mmol/L
    ketones: float | None = None  # blood, mmol/L
    urine_ketones: float | None = None
    """A urine dipstick's ketone grade (2 for "2+" or "++"): not a blood level (session 16)."""
    gcs: float | None = None
    lactate: float | None = None
    hb: float | None = None  # g/dL
    potassium: float | None = None
    sodium: float | None = None
    calcium: float | None = None  # mmol/L, adjusted or corrected as written
    tsh: float | None = None  # mU/L (round 7)
    gest_weeks: float | None = None
    duration_days: float | None = None
    pain_score: float | None = None
    crt_s: float | None = None
    pef_pct: float | None = None
    """Peak flow as a percentage of the best or predicted."""
    """Capillary refill time in seconds ("<2 s" reads 1.5, ">3 s" reads 3.5)."""
    severity_stated: bool = False
    extras: dict[str, float] = field(default_factory=dict)

    def get(self, name: str) -> float | str | bool | None:
        value: float | str | bool | None = getattr(self, name)
        return value


FACT_NAMES = frozenset(name for name in Facts.__dataclass_fields__ if name not in {"extras"})


def _first_float(
    patterns: tuple[re.Pattern[str], ...] | re.Pattern[str], text: str, lo: float, hi: float
) -> float | None:
    for pattern in patterns if isinstance(patterns, tuple) else (patterns,):
        for m in pattern.finditer(text):
            value = float(m.group(1))
            if lo <= value <= hi:
                return value
    return None


# a reading followed by a later one ("rr 28 settling to 16", "hr 104, now 88", "hr 90 rising to 130"): the later is now
_LATER_READING = re.compile(
    r"\s*(?:bpm|/min|breaths?(?: per|/) ?min(?:ute)?)?\s*,?\s*(?:and\s+|but\s+)?(?:then|now|settl\w*(?: down)? to|"
    r"coming down to|came down to|fell to|falling to|dropped to|down to|improv\w* to|reduc\w* to|rising to|rose to|"
    r"up to|increas\w* to|climbed to|->|→)\s+(?:about\s+)?(\d{1,3})\b"
)


def _current_float(patterns: tuple[re.Pattern[str], ...], text: str, lo: float, hi: float) -> float | None:
    """The first reading, or the later one the same sentence gives it ("settling to", "now")."""
    for pattern in patterns:
        for m in pattern.finditer(text):
            value = float(m.group(1))
            if lo <= value <= hi:
                later = _LATER_READING.match(text, m.end())
                return float(later.group(1)) if later and lo <= float(later.group(1)) <= hi else value
    return None


def parse_age(text: str) -> float | None:
    if _AGE_PLACEHOLDER.search(text):
        return 90.0
    best: tuple[int, float] | None = None
    m = _AGE_UNIT.search(text)
    if m:
        best = (m.start(), _num(m.group(1)) * _unit_days(m.group(2)) / 365.0)
    for pattern in (_AGE_YO, _AGE_SEXCODE, _AGE_WORD, _AGE_IAM, _AGE_RELATIVE):
        m = pattern.search(text)
        if m and 0 < float(m.group(1)) <= 120 and (best is None or m.start() < best[0]):
            best = (m.start(), float(m.group(1)))
    for pattern in (_AGE_BORN, _AGE_BABY, _AGE_INFANT_CODE):
        m = pattern.search(text)
        if not m or (best is not None and m.start() >= best[0]):
            continue
        best = (m.start(), _num(m.group(1)) * _unit_days(m.group(2)) / 365.0)
    if best is not None:
        return round(best[1], 4)
    for pattern in _AGE_DAY_OF_LIFE:
        m = pattern.search(text)
        if m and 0 < int(m.group(1)) <= 28:
            return round(int(m.group(1)) / 365.0, 4)
    for pattern, days in _AGE_INFANT_VISIT:
        m = pattern.search(text)
        if m and 0 < int(m.group(1)) * days <= 365:
            return round(int(m.group(1)) * days / 365.0, 4)
    for pattern, value in _AGE_WORDS:
        if pattern.search(text):
            return value
    return None


_AGE_CODE_ENDS = re.compile(r"\s*(?:[,;:(]|\.(?!\d)|with\b|presents\b|known\b|who\b|brought\b|resident\b)")


def parse_temperature(text: str) -> float | None:
    # "92f, ..." at the start of a note is a 92-year-old woman, not 92 degrees Fahrenheit
    ages = [m.span(1) for m in _AGE_SEXCODE.finditer(text) if _AGE_CODE_ENDS.match(text, m.end())]
    for pattern in _TEMP:
        for m in pattern.finditer(text):
            if any(start <= m.start(1) < end for start, end in ages):
                continue
            value = float(m.group(1))
            unit = (m.group(2) or "")[:1]
            if unit == "f" or (not unit and 93 <= value <= 110):
                if 90 <= value <= 112:
                    return round((value - 32) * 5 / 9, 2)
            elif 30 <= value <= 44 and (unit == "c" or not unit):
                later = _TEMP_THEN.match(text, m.end())
                if later and value < float(later.group(1)) <= 44:
                    return float(later.group(1))
                return value
    return None


# round 7b: serial readings ("the thermometer said 37.9 then 38.1"): the later, higher one is the temperature now
_TEMP_THEN = re.compile(
    r"\s*(?:c\b|°c?)?\s*,?\s*(?:and\s+)?(?:then|now|but now|rising to|rose to|going up to|went up to|up to|climbed to)"
    r"\s+(?:it\s+(?:was|is)\s+|about\s+)?(3\d(?:\.\d{1,2})?|4[0-4](?:\.\d{1,2})?)\b"
)


def parse_bp(text: str) -> tuple[float | None, float | None]:
    for pattern in _BP:
        for m in pattern.finditer(text):
            sbp, dbp = float(m.group(1)), float(m.group(2))
            if 50 <= sbp <= 300 and 20 <= dbp <= 200 and sbp > dbp:
                return sbp, dbp
    for m in _BP_BARE.finditer(text):
        sbp, dbp = float(m.group(1)), float(m.group(2))
        if 70 <= sbp <= 260 and 30 <= dbp <= 160 and sbp > dbp:
            return sbp, dbp
    return _first_float(_SBP_ONLY, text, 40, 300), None


#: "ketones on my meter 3.2": the meter there reads ketones, not glucose (session 29: read as a glucose of 3.2, a hypo)
_KETONE_METER = re.compile(r"\bketones?\b[^.,;:!?]{0,20}$")


def parse_glucose(text: str) -> float | None:
    for m in _GLUCOSE.finditer(text):
        if m.group(0).startswith(("meter", "reading")) and _KETONE_METER.search(text, 0, m.start()):
            continue
        value, unit = float(m.group(1)), (m.group(2) or "")
        if unit.startswith("mg") or (not unit.startswith("mm") and value > 35):
            if 10 <= value <= 2000:
                return round(value / 18.0, 2)
        elif 0.5 <= value <= 35:
            return value
    return None


def parse_gestation(text: str) -> float | None:
    value = _first_float(_GEST, text, 3, 44)
    if value is not None:
        return value
    m = _GEST_MONTHS.search(text)
    if m:
        return round(_num(m.group(1)) * 4.35, 1)
    m = _TRIMESTER.search(text)
    if m:
        return _TRIMESTER_WEEKS[m.group(1)]
    return None


#: "<n> <unit> ago" after one of these in its clause dates an event, not the complaint: "had a tetanus booster 2
#: years ago", "a colonoscopy 3 years ago was normal" are no symptom lasting years (session 19).
_PAST_EVENT = re.compile(
    r"\b(?:booster|jab|vaccin\w*|immuni[sz]\w*|tetanus|operation|surgery|colonoscopy|endoscopy|scan|x-?ray|mri|smear|"
    r"check-?up|appointment|diagnosed|diagnosis|admitted|admission|discharged|delivered|gave birth|born|caesarean|"
    r"c-section|returned|came back|flew|flight|trip|holiday|moved|retired|married)\b[^.,;:!?]*$"
)


def _dates_an_event(text: str, m: re.Match[str]) -> bool:
    return "ago" in m.group(0) and _PAST_EVENT.search(text, max(0, m.start() - 60), m.start()) is not None


def parse_duration(text: str) -> float | None:
    found: list[float] = []
    for pattern in _DURATION:
        for m in pattern.finditer(text):
            if not _dates_an_event(text, m):
                found.append(_num(m.group(1)) * _unit_days(m.group(2)))
    for pattern, days in _DURATION_WORDS:
        if pattern.search(text):
            found.append(days)
    return round(max(found), 3) if found else None


def parse_crt(text: str) -> float | None:
    m = _CRT.search(text)
    if m is None:
        return None
    value = float(m.group(2))
    return value - 0.5 if m.group(1) == "<" else value + 0.5 if m.group(1) == ">" else value


def parse_sex(text: str) -> str | None:
    female = len(_FEMALE.findall(text))
    male = len(_MALE.findall(text))
    if female > male:
        return "female"
    if male > female:
        return "male"
    return None


_GATES = {
    "spo2": ("sat", "spo", "o2", "ox", "%"),
    "hr": ("hr", "heart", "pulse", "bpm", "beat", "p ", "rate"),
    "bp": ("/", "over", "bp", "pressure", "systolic"),
    "rr": ("rr", "resp", "breath"),
    "glucose": ("sugar", "gluc", "bg", "bm", "bsl", "cbg", "finger", "meter", "reading"),
    "labs": ("keto", "gcs", "lact", "hb", "hgb", "haemo", "hemo", "potass", "k", "sodium", "na", "calc", "ca ", "tsh"),
}


def _gate(text: str, name: str) -> bool:
    return any(key in text for key in _GATES[name])


def extract(
    text: str, *, age: float | None = None, sex: str | None = None, only: frozenset[str] | None = None
) -> Facts:
    """Read every fact from normalised (lower-case) text; explicit arguments win. ``only``: read just these facts
    (the others stay unknown), as a conversation does for the facts its messages state differently.

    Extractors that need a digit, or a keyword such as "sats" or "pulse", are
    skipped when the text has none: most messages carry no numbers at all.
    """

    def wanted(*names: str) -> bool:
        return only is None or any(name in only for name in names)

    facts = Facts()
    if wanted("age"):
        facts.age = float(age) if age is not None else parse_age(text)
    if wanted("sex"):
        facts.sex = sex.lower() if sex else parse_sex(text)
    if wanted("duration_days"):
        facts.duration_days = parse_duration(text)
    if wanted("severity_stated"):
        facts.severity_stated = bool(_SEVERITY.search(text))
    if not any(ch.isdigit() for ch in text):
        if wanted("gest_weeks"):
            facts.gest_weeks = parse_gestation(text)
        return facts
    if wanted("temp_c"):
        facts.temp_c = parse_temperature(text)
    if wanted("spo2") and _gate(text, "spo2"):
        facts.spo2 = _first_float(_SPO2, text, 40, 100)
    if any(word in text for word in _FETAL_WORDS):
        if wanted("fetal_hr"):
            facts.fetal_hr = _first_float((_FETAL_HR,), text, 40, 250)
        text = _FETAL_HR.sub(" ", text)  # the baby's heart rate is no reading of the mother's pulse
    if wanted("hr") and _gate(text, "hr"):
        facts.hr = _current_float(_HR, text, 20, 260)
    if wanted("sbp", "dbp") and _gate(text, "bp"):
        facts.sbp, facts.dbp = parse_bp(text)
    if wanted("rr") and _gate(text, "rr"):
        facts.rr = _current_float(_RR, text, 4, 90)
    if wanted("glucose") and _gate(text, "glucose"):
        facts.glucose = parse_glucose(text)
    if wanted(*_LABS) and _gate(text, "labs"):
        facts.ketones = _first_float(_KETONES, text, 0, 9) if wanted("ketones") else None
        facts.urine_ketones = parse_urine_ketones(text) if wanted("urine_ketones") else None
        facts.gcs = _first_float(_GCS, text, 3, 15) if wanted("gcs") else None
        facts.lactate = _first_float(_LACTATE, text, 0, 30) if wanted("lactate") else None
        hb = _first_float(_HB, text, 2, 200) if wanted("hb") else None
        facts.hb = hb / 10 if hb is not None and hb > 25 else hb
        facts.potassium = _first_float(_POTASSIUM, text, 1.5, 9.5) if wanted("potassium") else None
        facts.sodium = _first_float(_SODIUM, text, 100, 190) if wanted("sodium") else None
        facts.calcium = _first_float(_CALCIUM, text, 1.0, 5.0) if wanted("calcium") else None
        facts.tsh = _first_float(_TSH, text, 0.0, 500.0) if wanted("tsh") else None
    if wanted("gest_weeks"):
        facts.gest_weeks = parse_gestation(text)
    if wanted("pain_score"):
        facts.pain_score = _first_float(_PAIN, text, 0, 10)
    if wanted("crt_s") and ("refill" in text or "crt" in text):
        facts.crt_s = parse_crt(text)
    if wanted("pef_pct") and ("pef" in text or "peak" in text):
        facts.pef_pct = _first_float(_PEF_PCT, text, 5, 150)
    return facts


_LABS = ("ketones", "urine_ketones", "gcs", "lactate", "hb", "potassium", "sodium", "calcium", "tsh")


#: Facts read from many matches at once: the joined text's value follows from each message's own.
_MERGED_EXACTLY: dict[str, Callable[[Iterable[Any]], Any]] = {"duration_days": max, "severity_stated": any}
#: Facts read as one (a blood pressure is its two numbers).
_READ_TOGETHER = {"dbp": "sbp"}


def merge(per_message: list[Facts]) -> Facts | None:
    """The facts of several messages read as one text, from each message's own facts; None when two messages
    state the same fact differently (which one the joined text gives depends on which pattern matches first
    across it: read the joined text then). Lets a turn reuse its earlier messages' facts (issue 9)."""
    merged, disputed = _merge(per_message)
    return None if disputed else merged


def conversation_facts(per_message: list[Facts], joined_text: str) -> Facts:
    """What ``extract(joined_text)`` gives, from each message's own facts: only the facts two messages state
    differently are read again, from the joined text (a whole re-read cost a turn about half a millisecond)."""
    merged, disputed = _merge(per_message)
    if disputed:
        again = extract(joined_text, only=disputed)
        for name in disputed:
            setattr(merged, name, getattr(again, name))
    return merged


def _merge(per_message: list[Facts]) -> tuple[Facts, frozenset[str]]:
    """The merged facts, and the names of the facts (with their partners) two messages state differently."""
    merged = Facts()
    disputed: set[str] = set()
    for name in FACT_NAMES:
        if name in _READ_TOGETHER:
            continue
        partners = [other for other, leader in _READ_TOGETHER.items() if leader == name]
        stated = [
            (facts.get(name), *(facts.get(p) for p in partners))
            for facts in per_message
            if facts.get(name) is not None and facts.get(name) is not False
        ]
        if not stated:
            continue
        if name in _MERGED_EXACTLY:
            setattr(merged, name, _MERGED_EXACTLY[name](value for value, *_ in stated))
            continue
        if len(set(stated)) > 1:
            disputed.update((name, *partners))
            continue
        for field_name, value in zip((name, *partners), stated[0], strict=True):
            setattr(merged, field_name, value)
    return merged, frozenset(disputed)
