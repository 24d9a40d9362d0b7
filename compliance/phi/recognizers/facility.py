"""Named health-care facilities: "Mercy General Hospital", "St. Luke's Medical Center", "Riverside Urgent Care"."""

from presidio_analyzer import Pattern, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from compliance.phi.entities import FACILITY
from compliance.phi.lexicon import common_words
from compliance.phi.recognizers.base import NAME_WORD, DataPatternRecognizer

HEAD = (
    r"(?:Hospitals?|Medical\s+Cent(?:er|re)|Med\s+Cent(?:er|re)|Health\s+Cent(?:er|re)|Health\s+System|Healthcare|"
    r"Health\s+Care|Health|Clinics?|Infirmary|Urgent\s+Care|Nursing\s+(?:Home|Cent(?:er|re))|Care\s+(?:Cent(?:er|re)|Home)|"
    r"Rehab(?:ilitation)?(?:\s+Cent(?:er|re))?|Hospice|Surgery\s+Cent(?:er|re)|Surgical\s+Cent(?:er|re)|Medical\s+Group|"
    r"Medical\s+Associates|Medical\s+Clinic|Medical\s+Plaza|Family\s+(?:Practice|Medicine|Health)|Pediatrics|Paediatrics|"
    r"Cancer\s+Cent(?:er|re)|Heart\s+Institute|Institute|Dialysis(?:\s+Cent(?:er|re))?|Walk-in\s+Clinic|"
    r"Behavioral\s+Health|Mental\s+Health(?:\s+Cent(?:er|re))?|Assisted\s+Living|Senior\s+Living|Retirement\s+Home|"
    r"Care\s+Facility|Memorial|General|Regional\s+Medical\s+Cent(?:er|re)|Pharmacy|Imaging|Radiology|Laboratories|Labs|"
    r"Physical\s+Therapy|Children's|Women's\s+Hospital|Birth\s+Cent(?:er|re)|Sanatorium|Health\s+Clinic)"
)
GENERIC = frozenset(
    {
        "went",
        "called",
        "visited",
        "admitted",
        "transferred",
        "taken",
        "drove",
        "the",
        "at",
        "local",
        "nearest",
        "nearby",
        "closest",
        "community",
        "general",
        "regional",
        "university",
        "county",
        "city",
        "main",
        "big",
        "other",
        "same",
        "different",
        "pediatric",
        "veterans",
        "women's",
        "children's",
        "public",
        "private",
        "state",
        "walk-in",
        "urgent",
        "our",
        "their",
        "your",
        "a",
        "an",
        "that",
        "this",
        "new",
        "old",
        "last",
        "first",
        "mental",
        "emergency",
        "eye",
    }
)
HEAD_WORDS = frozenset(
    {
        "hospital",
        "hospitals",
        "medical",
        "center",
        "centre",
        "clinic",
        "clinics",
        "care",
        "health",
        "healthcare",
        "pediatrics",
        "rehabilitation",
        "rehab",
        "family",
        "practice",
        "medicine",
        "group",
        "associates",
        "institute",
        "infirmary",
        "hospice",
        "nursing",
        "home",
        "pharmacy",
        "imaging",
        "radiology",
        "labs",
        "surgery",
        "surgical",
    }
)
PREFIX = r"(?:(?:St\.?|Saint|Mt\.?|Mount|Our\s+Lady\s+of)\s+)?"
LINK = r"(?:\s+(?:of\s+the|of|and|&)\s+|\s+|-)"
NAME_CHAIN = rf"{PREFIX}{NAME_WORD}(?:{LINK}{NAME_WORD}){{0,4}}"
TRAILER = (
    rf"(?:\s+(?:Hospital|Medical\s+Cent(?:er|re)|Clinic))?(?:\s+of\s+(?:the\s+)?{NAME_WORD}(?:\s+{NAME_WORD}){{0,3}})?"
)


class PhiFacilityRecognizer(DataPatternRecognizer):
    ENTITY = FACILITY
    PATTERNS = (
        Pattern("named facility", rf"{NAME_CHAIN}\s+{HEAD}\b{TRAILER}", 0.85),
        Pattern(
            "lower-case facility",
            r"(?i:\b(?:at|from|to|in)\s+)\K(?:[a-z][a-z'-]+\s+){1,3}(?:hospital|medical\s+center|clinic|urgent\s+care|pediatrics|health\s+center|rehabilitation\s+center|family\s+clinic)\b",
            0.7,
        ),
        Pattern(
            "saint's name",
            r"\b(?:St\.?|Saint)[ \t]+\p{Lu}\p{Ll}+(?:'s|\u2019s|s'|s\u2019)(?![ \t]+(?i:wort|dance|fire))(?:[ \t]+(?:Hospital|Medical\s+Cent(?:er|re)|Clinic|Infirmary|Hospice|Health))?",
            0.8,
        ),
        Pattern(
            "facility of place",
            rf"\b(?:Hospital|Medical\s+Cent(?:er|re)|Clinic|University)\s+of\s+(?:the\s+)?{NAME_WORD}(?:\s+{NAME_WORD}){{0,3}}",
            0.8,
        ),
    )

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None, regex_flags: int | None = None
    ) -> list[RecognizerResult]:
        """Drop leading sentence words ("Went", "The", "Called") that the capitalised chain swallowed."""
        common = common_words() | GENERIC
        kept: list[RecognizerResult] = []
        for result in super().analyze(text, entities, nlp_artifacts, regex_flags):
            value = text[result.start : result.end]
            offset = 0
            for word in value.split(" "):
                if word.lower().strip(".,") in common and not word.startswith(("St", "Saint", "Mount", "Mt")):
                    offset += len(word) + 1
                else:
                    break
            rest = value[offset:].lower().split()
            if all(word in common or word in HEAD_WORDS for word in rest):
                continue
            result.start += offset
            kept.append(result)
        return kept
