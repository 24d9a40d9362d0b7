"""Device identifiers and serial numbers: implants, pumps, monitors, phones (IMEI), UDI."""

from presidio_analyzer import Pattern

from compliance.phi.entities import DEVICE_ID
from compliance.phi.recognizers.base import DIGIT, ID_JOIN, ID_TOKEN, DataPatternRecognizer
from compliance.phi.recognizers.cues import cue

CUE = rf"(?i:\b(?:{cue('device_id')}|{cue('device')}(?:\s+{cue('device_tail')})?){ID_JOIN})"


class PhiDeviceIdRecognizer(DataPatternRecognizer):
    ENTITY = DEVICE_ID
    TRIGGER = DIGIT
    PATTERNS = (
        Pattern("id after device cue", rf"{CUE}\K{ID_TOKEN}", 0.95),
        Pattern("mac address", r"(?i)\b(?:[0-9a-f]{2}[:-]){5}[0-9a-f]{2}\b", 0.9),
    )
