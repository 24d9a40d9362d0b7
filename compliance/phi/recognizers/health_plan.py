"""Health-plan beneficiary identifiers: member, policy, group, Medicare/Medicaid numbers."""

from presidio_analyzer import Pattern

from compliance.phi.entities import HEALTH_PLAN
from compliance.phi.recognizers.base import DIGIT, ID_JOIN, ID_TOKEN, DataPatternRecognizer
from compliance.phi.recognizers.cues import cue

CUE = rf"(?i:\b{cue('health_plan')}(?:\s+{cue('health_plan_tail')})?{ID_JOIN})"
# Medicare Beneficiary Identifier: 11 characters, fixed letter/digit positions.
MBI = r"\b[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y]{2}\d{2}\b"


class PhiHealthPlanRecognizer(DataPatternRecognizer):
    ENTITY = HEALTH_PLAN
    TRIGGER = DIGIT
    PATTERNS = (
        Pattern("id after plan cue", rf"{CUE}\K{ID_TOKEN}", 0.95),
        Pattern("medicare mbi", MBI, 0.85),
    )
