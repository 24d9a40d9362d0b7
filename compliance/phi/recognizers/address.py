"""Street addresses, with unit, city, state and ZIP when they follow; P.O. boxes."""

from presidio_analyzer import Pattern

from compliance.phi.entities import ADDRESS
from compliance.phi.lexicon import word_list
from compliance.phi.recognizers.base import NAME_WORD, DataPatternRecognizer, alternation

SUFFIX = alternation(word_list("street_suffixes"))
STATES = alternation(word_list("us_states"))
STATE_NAMES = r"(?:[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)"
NUMBER = r"(?<![\w/.,-])\d{1,6}[A-Za-z]?(?:-\d{1,4})?"
DIRECTION = r"(?:(?:[NSEW]|NE|NW|SE|SW|North|South|East|West)\.?\s+)?"
STREET_WORD = rf"(?:{NAME_WORD}|\d{{1,3}}(?:st|nd|rd|th)|[A-Z]\.?|Old|Mc\w+)"
UNIT = r"(?:,?\s*(?i:apt\.?|apartment|suite|ste\.?|unit|room|rm\.?|floor|fl\.?|bldg\.?|building|lot|#)\s*#?\s*[A-Za-z0-9-]{1,6})?"
TAIL = rf"(?:,?\s+(?:{NAME_WORD}\s?){{1,3}},?\s+(?:{STATES}|{STATE_NAMES})(?:,?\s+\d{{5}}(?:-\d{{4}})?)?)"
# Lower-case streets ("12 oak st") only with abbreviations or the plainest suffixes.
LOWER_WORD = r"(?!(?:the|a|an|in|on|at|to|of|my|his|her|and|or|for|with|from|by|times|hours?|days?|weeks?|minutes?|blocks?|miles?|mg|pills?|tablets?)\b)[a-z][a-z'-]+"
LOWER_SUFFIX = r"(?:st|ave|rd|blvd|ln|ct|hwy|pkwy|street|avenue|road|boulevard|lane)"
LOWER_TAIL = rf"(?i:,?\s+[a-z]+(?:\s[a-z]+){{0,2}},?\s+(?:{STATES}|[a-z]+(?:\s[a-z]+)?)\s+\d{{5}}(?:-\d{{4}})?)"
CITY_ONLY = rf"(?:,\s+{NAME_WORD}(?:\s{NAME_WORD}){{0,2}}(?=\s*(?:[.;!?]|$)))"


class PhiAddressRecognizer(DataPatternRecognizer):
    ENTITY = ADDRESS
    TRIGGER = r"\d|(?i:box)"
    PATTERNS = [
        Pattern("street address", rf"{NUMBER}\s+{DIRECTION}(?:{STREET_WORD}\s+){{1,4}}{SUFFIX}\b\.?(?:\s+(?:[NSEW]|NE|NW|SE|SW)\b\.?)?{UNIT}(?:{TAIL}|{CITY_ONLY})?", 0.9),
        Pattern("lower-case street with city, state, zip", rf"{NUMBER}\s+(?:{LOWER_WORD}\s+){{1,3}}(?i:{SUFFIX})\b\.?(?i:{UNIT}){LOWER_TAIL}", 0.9),
        Pattern("lower-case street", rf"{NUMBER}\s+(?:{LOWER_WORD}\s+){{1,3}}{LOWER_SUFFIX}\b\.?{UNIT}", 0.8),
        Pattern("lower-case street with unit", rf"{NUMBER}\s+(?:{LOWER_WORD}\s+){{1,3}}(?i:{SUFFIX})\b\.?,?\s*(?i:apt\.?|apartment|suite|ste\.?|unit|#)\s*#?\s*[a-z0-9-]{{1,6}}\b(?:,\s+[a-z]+(?:\s[a-z]+){{0,2}}(?=\s*(?:[.;!?]|$)))?", 0.85),
        Pattern("po box", r"(?i:\b(?:p\.?\s?o\.?\s*box|post\s+office\s+box)\s+\d{1,6}\b)", 0.9),
    ]
