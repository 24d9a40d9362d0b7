"""Street addresses, with unit, city, state and ZIP when they follow; P.O. boxes."""

import regex
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
# Continental and Latin American streets: the street type comes first ("Rue des Lilas", "Calle de Alcalá",
# "Via Roma"), the number before or after, then an optional postcode and city ("75011 Paris", "00184 Roma").
EU_TYPE = (
    r"(?:Rue|Avenue|Av\.|Avda\.?|Boulevard|Bd\.?|Chemin|Place|Allée|Impasse|Quai|Calle|C/|Avenida|Paseo|Plaza|Carrer|"
    r"Rua|Travessa|Praça|Via|Viale|Piazza|Corso|Largo|Vicolo|Strada|Ulica|ul\.|Calea|Straße|Strasse|Weg|Platz|Laan|Straat|Gracht)"
)
EU_PARTICLE = r"(?:(?:de|del|de\s+la|des|du|de\s+los|de\s+las|da|do|dos|das|della|delle|dei|di|la|le|les|l'|d')\s*)?"
EU_NAME = rf"{EU_TYPE}\s+{EU_PARTICLE}{NAME_WORD}(?:\s+{EU_PARTICLE}{NAME_WORD}){{0,3}}"
EU_CITY = rf"(?:,?\s+(?:\d{{4}}-\d{{3}}|\d{{4,5}}|[A-Z]-?\d{{4,5}})\s+{NAME_WORD}(?:[\s-]{NAME_WORD}){{0,2}}|,\s+{NAME_WORD}(?=\s*(?:[.;!?,]|$)))?"
GERMANIC = r"\p{Lu}\p{Ll}+(?:straße|strasse|str\.|weg|gasse|platz|allee|laan|straat|gatan|vägen|gade|vej|veien)"
AU_STATE = r"(?:NSW|VIC|QLD|SA|WA|TAS|NT|ACT)"
UK_POSTCODE = r"(?:[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})"
# "Flat 3, 27 Kingsley Road": a unit written before the number (UK, Australia, NZ).
UNIT_BEFORE = r"(?:(?i:flat|apt\.?|apartment|unit|suite|room)\s*\d{1,4}[A-Za-z]?\s*[,/]?\s*)?"
CITY_ONLY = rf"(?:,\s+{NAME_WORD}(?:\s{NAME_WORD}){{0,2}}(?:,?\s+{UK_POSTCODE}\b|,?\s+{AU_STATE}\s+\d{{4}}\b|\s+\d{{4}}\b|(?=\s*(?:[.;!?,]|$))))"


class PhiAddressRecognizer(DataPatternRecognizer):
    ENTITY = ADDRESS
    TRIGGER = r"\d|(?i:box)"
    PATTERNS = (
        Pattern("continental street, number after", rf"\b{EU_NAME},?\s+\d{{1,5}}[A-Za-z]?\b{EU_CITY}", 0.85),
        Pattern("continental street, number before", rf"{NUMBER},?\s+{EU_NAME}{EU_CITY}", 0.85),
        Pattern("germanic street", rf"\b{GERMANIC}\s+\d{{1,4}}[a-z]?\b{EU_CITY}", 0.85),
        Pattern(
            "street address",
            rf"{UNIT_BEFORE}{NUMBER}\s+{DIRECTION}(?:{STREET_WORD}\s+){{1,4}}{SUFFIX}\b\.?(?:\s+(?:[NSEW]|NE|NW|SE|SW)\b\.?)?{UNIT}(?:{TAIL}|{CITY_ONLY})?",
            0.9,
        ),
        Pattern(
            "lower-case street with city, state, zip",
            rf"{NUMBER}\s+(?:{LOWER_WORD}\s+){{1,3}}(?i:{SUFFIX})\b\.?(?i:{UNIT}){LOWER_TAIL}",
            0.9,
        ),
        Pattern("lower-case street", rf"{NUMBER}\s+(?:{LOWER_WORD}\s+){{1,3}}{LOWER_SUFFIX}\b\.?{UNIT}", 0.8),
        Pattern(
            "lower-case street with unit",
            rf"{NUMBER}\s+(?:{LOWER_WORD}\s+){{1,3}}(?i:{SUFFIX})\b\.?,?\s*(?i:apt\.?|apartment|suite|ste\.?|unit|#)\s*#?\s*[a-z0-9-]{{1,6}}\b(?:,\s+[a-z]+(?:\s[a-z]+){{0,2}}(?=\s*(?:[.;!?]|$)))?",
            0.85,
        ),
        Pattern("po box", r"(?i:\b(?:p\.?\s?o\.?\s*box|post\s+office\s+box)\s+\d{1,6}\b)", 0.9),
    )


# Text that later tokens may still complete into a street address ("12 Elm" before "Street", "4 Station Road,"
# before "Bristol"): the streaming guard holds it back from the number while this matches the end of what it
# holds, so the address goes out whole, as one placeholder, never as "12 Elm <ADDRESS_1>".
_OPEN_WORD = rf"(?:{STREET_WORD}|{LOWER_WORD})"
_OPEN_UNIT = r"(?:,?\s*(?i:apt\.?|apartment|suite|ste\.?|unit|room|rm\.?|floor|fl\.?|bldg\.?|building|lot|flat|\#)?\s*#?\s*[A-Za-z0-9-]{0,6})?"
_OPEN_PLACE = rf"(?:,?\s+(?:{NAME_WORD}\s?){{0,3}},?\s*(?:{STATES}|{UK_POSTCODE}|[A-Z]{{1,2}}\d[A-Z\d]?)?\s*(?:\d{{1,5}}(?:-\d{{0,4}})?)?)?"
OPEN_ADDRESS = regex.compile(
    rf"(?:{NUMBER}\s+{DIRECTION}(?:"
    rf"(?:{_OPEN_WORD}\s+){{0,4}}\p{{L}}*"  # the street's name so far, its last word perhaps unfinished
    rf"|(?:{_OPEN_WORD}\s+){{1,4}}(?i:{SUFFIX})\b\.?{_OPEN_UNIT}{_OPEN_PLACE}"  # then a unit, town, state or postcode
    r")|(?i:flat|apt\.?|apartment|unit|suite|room)\s*\d{1,4}[A-Za-z]?\s*[,/]?)[\s,]*\Z"
)
