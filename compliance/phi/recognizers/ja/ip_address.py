"""IPv4 addresses inside Japanese text (the English recognizer's word boundaries fail next to kana)."""

from presidio_analyzer import Pattern

from compliance.phi.entities import IP_ADDRESS
from compliance.phi.recognizers.ja.base import JaPatternRecognizer

OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"


class JaIpAddressRecognizer(JaPatternRecognizer):
    ENTITY = IP_ADDRESS
    TRIGGER = r"\d\.\d"
    PATTERNS = (Pattern("ipv4", rf"(?<![\d.]){OCTET}(?:\.{OCTET}){{3}}(?![\d.])", 0.9),)
