"""IPv4 and IPv6 addresses."""

import ipaddress

from presidio_analyzer import Pattern

from compliance.phi.entities import IP_ADDRESS
from compliance.phi.recognizers.base import DataPatternRecognizer


class PhiIpAddressRecognizer(DataPatternRecognizer):
    ENTITY = IP_ADDRESS
    TRIGGER = r"\d\.\d|:"
    PATTERNS = (
        Pattern("ipv4", r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.]*\d)", 0.9),
        Pattern(
            "ipv6",
            r"(?i)(?<![\w:])(?=[0-9a-f]{1,4}:[0-9a-f]{0,4}:)[0-9a-f:]{3,39}(?:(?<=:)[0-9a-f]{1,4}|(?<=[0-9a-f])|(?<=::))(?![\w:])",
            0.9,
        ),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        try:
            ipaddress.ip_address(pattern_text)
        except ValueError:
            return False
        return True
