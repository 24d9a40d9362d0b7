"""Vehicle identifiers: VINs and licence plates."""

from presidio_analyzer import Pattern

from compliance.phi.entities import VEHICLE_ID
from compliance.phi.recognizers.base import DIGIT, DataPatternRecognizer
from compliance.phi.recognizers.cues import cue

CUE = rf"(?i:\b{cue('vehicle_id')}\s*(?:number|no\.?|#)?\s*(?:is|was|:|#|=)?\s*)"


class PhiVehicleIdRecognizer(DataPatternRecognizer):
    """A plate has a digit and at least four letters or digits; a VIN has 17."""

    ENTITY = VEHICLE_ID
    TRIGGER = DIGIT
    PATTERNS = (
        Pattern("vin", r"\b(?=[A-HJ-NPR-Z0-9]*\d)(?=[A-HJ-NPR-Z0-9]*[A-HJ-NPR-Z])[A-HJ-NPR-Z0-9]{17}\b", 0.85),
        Pattern("plate after cue", rf"{CUE}\K(?:[A-Za-z0-9]{{1,4}}[ -])?[A-Za-z0-9]{{2,8}}\b", 0.95),
    )

    def invalidate_result(self, pattern_text: str) -> bool | None:
        alnum = [ch for ch in pattern_text if ch.isalnum()]
        return len(alnum) < 4 or not any(ch.isdigit() for ch in alnum)
