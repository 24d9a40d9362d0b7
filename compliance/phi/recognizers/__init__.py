"""One recognizer per identifier family, each in its own module (Presidio style)."""

from collections.abc import Callable

from presidio_analyzer import EntityRecognizer

from compliance.phi.recognizers.account import PhiAccountRecognizer
from compliance.phi.recognizers.address import PhiAddressRecognizer
from compliance.phi.recognizers.age import PhiAgeRecognizer
from compliance.phi.recognizers.date import PhiDateRecognizer
from compliance.phi.recognizers.device_id import PhiDeviceIdRecognizer
from compliance.phi.recognizers.email import PhiEmailRecognizer
from compliance.phi.recognizers.employer import PhiEmployerRecognizer
from compliance.phi.recognizers.facility import PhiFacilityRecognizer
from compliance.phi.recognizers.health_plan import PhiHealthPlanRecognizer
from compliance.phi.recognizers.ip_address import PhiIpAddressRecognizer
from compliance.phi.recognizers.license import PhiLicenseRecognizer
from compliance.phi.recognizers.location import PhiLocationRecognizer
from compliance.phi.recognizers.mrn import PhiMrnRecognizer
from compliance.phi.recognizers.ner import PhiNerRecognizer
from compliance.phi.recognizers.person_cue import PhiPersonCueRecognizer
from compliance.phi.recognizers.person_gazetteer import PhiPersonGazetteerRecognizer
from compliance.phi.recognizers.phone import PhiPhoneRecognizer
from compliance.phi.recognizers.ssn import PhiSsnRecognizer
from compliance.phi.recognizers.url import PhiUrlRecognizer
from compliance.phi.recognizers.username import PhiUsernameRecognizer
from compliance.phi.recognizers.vehicle_id import PhiVehicleIdRecognizer
from compliance.phi.recognizers.zip_code import PhiZipRecognizer

# Recognizer classes, each made without arguments.
RECOGNIZERS: tuple[Callable[[], EntityRecognizer], ...] = (
    PhiPersonCueRecognizer,
    PhiPersonGazetteerRecognizer,
    PhiDateRecognizer,
    PhiPhoneRecognizer,
    PhiEmailRecognizer,
    PhiSsnRecognizer,
    PhiMrnRecognizer,
    PhiAccountRecognizer,
    PhiHealthPlanRecognizer,
    PhiLicenseRecognizer,
    PhiDeviceIdRecognizer,
    PhiVehicleIdRecognizer,
    PhiUrlRecognizer,
    PhiIpAddressRecognizer,
    PhiAddressRecognizer,
    PhiLocationRecognizer,
    PhiZipRecognizer,
    PhiAgeRecognizer,
    PhiFacilityRecognizer,
    PhiEmployerRecognizer,
    PhiUsernameRecognizer,
)
# Not in the registry run: the Redactor calls it after the others, over what they left unexplained.
FALLBACK = PhiNerRecognizer

__all__ = ["FALLBACK", "RECOGNIZERS", *(cls.__name__ for cls in RECOGNIZERS), FALLBACK.__name__]
