"""US Social Security numbers: dashed or spaced groups anywhere, nine digits after a cue."""

from presidio_analyzer import Pattern

from compliance.phi.entities import SSN
from compliance.phi.recognizers.base import DataPatternRecognizer
from compliance.phi.recognizers.cues import cue

CUE = rf"(?i:\b{cue('ssn')}\s*(?:is|:|#|=)?\s*)"


class PhiSsnRecognizer(DataPatternRecognizer):
    ENTITY = SSN
    TRIGGER = r"\d{4}"
    PATTERNS = (
        Pattern("ssn dashed", r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])", 0.9),
        Pattern("ssn spaced", r"(?<![\d ])\d{3} \d{2} \d{4}(?![\d])", 0.6),
        Pattern(
            "last four after cue", rf"{CUE}(?i:last\s+(?:four|4)(?:\s+digits)?\s*(?:is|are|:)?\s*)\K\d{{4}}\b", 0.9
        ),
        Pattern(
            "ssn after cue",
            rf"{CUE}\K(?:\d{{9}}|\d{{3}}[ .-]?\d{{2}}[ .-]?\d{{4}}|(?i:x{{3}}-?x{{2}}-?)\d{{4}})\b",
            1.0,
        ),
    )
