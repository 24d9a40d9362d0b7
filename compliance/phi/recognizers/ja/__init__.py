"""The Japanese recognizers, one identifier family per module (registered for language "ja")."""

from compliance.phi.recognizers.ja.address import JaAddressRecognizer
from compliance.phi.recognizers.ja.age import JaAgeRecognizer
from compliance.phi.recognizers.ja.base import JaPatternRecognizer, JaTokenRecognizer
from compliance.phi.recognizers.ja.building import JaBuildingRecognizer
from compliance.phi.recognizers.ja.date import JaDateRecognizer
from compliance.phi.recognizers.ja.email import JaEmailRecognizer
from compliance.phi.recognizers.ja.employer import JaEmployerRecognizer
from compliance.phi.recognizers.ja.facility import JaFacilityRecognizer
from compliance.phi.recognizers.ja.ip_address import JaIpAddressRecognizer
from compliance.phi.recognizers.ja.location import JaLocationRecognizer
from compliance.phi.recognizers.ja.numbered_id import (
    JaHealthPlanRecognizer,
    JaLicenseRecognizer,
    JaMrnRecognizer,
    JaMyNumberCheckDigitRecognizer,
    JaMyNumberRecognizer,
)
from compliance.phi.recognizers.ja.organisation_cues import JaEmployerCueRecognizer, JaFacilityCueRecognizer
from compliance.phi.recognizers.ja.person_context import JaPersonContextRecognizer
from compliance.phi.recognizers.ja.person_cue import JaPersonCueRecognizer
from compliance.phi.recognizers.ja.person_honorific import JaHonorificRecognizer
from compliance.phi.recognizers.ja.person_pos import JaPersonPosRecognizer
from compliance.phi.recognizers.ja.phone import JaPhoneRecognizer
from compliance.phi.recognizers.ja.table import JaTableAgeRecognizer, JaTableIdRecognizer, JaTableNameRecognizer
from compliance.phi.recognizers.ja.url import JaUrlRecognizer
from compliance.phi.recognizers.ja.username import JaUsernameRecognizer
from compliance.phi.recognizers.ja.zip_code import JaZipRecognizer

JA_RECOGNIZERS: tuple[type[JaPatternRecognizer] | type[JaTokenRecognizer], ...] = (
    JaPersonPosRecognizer,
    JaHonorificRecognizer,
    JaPersonCueRecognizer,
    JaPersonContextRecognizer,
    JaTableNameRecognizer,
    JaTableAgeRecognizer,
    JaTableIdRecognizer,
    JaDateRecognizer,
    JaPhoneRecognizer,
    JaZipRecognizer,
    JaAddressRecognizer,
    JaBuildingRecognizer,
    JaLocationRecognizer,
    JaEmailRecognizer,
    JaUrlRecognizer,
    JaUsernameRecognizer,
    JaIpAddressRecognizer,
    JaAgeRecognizer,
    JaMrnRecognizer,
    JaHealthPlanRecognizer,
    JaLicenseRecognizer,
    JaMyNumberRecognizer,
    JaMyNumberCheckDigitRecognizer,
    JaFacilityRecognizer,
    JaEmployerRecognizer,
    JaFacilityCueRecognizer,
    JaEmployerCueRecognizer,
)

__all__ = ["JA_RECOGNIZERS"] + [cls.__name__ for cls in JA_RECOGNIZERS]
