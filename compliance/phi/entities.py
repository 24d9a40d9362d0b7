"""The stable set of entity types this package emits, and the documented input limit."""

from __future__ import annotations

PERSON = "PERSON"
DATE = "DATE"
PHONE = "PHONE"
EMAIL = "EMAIL"
SSN = "SSN"
MRN = "MRN"
ACCOUNT = "ACCOUNT"
HEALTH_PLAN = "HEALTH_PLAN"
LICENSE = "LICENSE"
DEVICE_ID = "DEVICE_ID"
VEHICLE_ID = "VEHICLE_ID"
URL = "URL"
IP_ADDRESS = "IP_ADDRESS"
ADDRESS = "ADDRESS"
LOCATION = "LOCATION"
ZIP = "ZIP"
AGE = "AGE"
FACILITY = "FACILITY"
EMPLOYER = "EMPLOYER"
USERNAME = "USERNAME"

ENTITY_TYPES: tuple[str, ...] = (
    PERSON,
    DATE,
    PHONE,
    EMAIL,
    SSN,
    MRN,
    ACCOUNT,
    HEALTH_PLAN,
    LICENSE,
    DEVICE_ID,
    VEHICLE_ID,
    URL,
    IP_ADDRESS,
    ADDRESS,
    LOCATION,
    ZIP,
    AGE,
    FACILITY,
    EMPLOYER,
    USERNAME,
)

# Documented input limit for one call to Redactor.find / redact (characters).
MAX_TEXT_CHARS = 20_000

# A detection at or above this score wins over the clinical allow-list; below it,
# an overlapping clinical span (duration, dose, vital, eponym, drug ...) wins.
STRONG_SCORE = 0.9
