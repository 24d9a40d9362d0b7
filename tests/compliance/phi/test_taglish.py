"""Filipino patients' Taglish: a name introduced in Tagalog ("ako si", "pangalan ko"), a name after a Tagalog
personal article or honorific ("si Jomar", "Kuya Boyet"), and a PhilHealth number are PHI like their English
forms. Our own messages, written for these tests."""

from __future__ import annotations

import pytest

from compliance.phi.redactor import Redactor


@pytest.mark.parametrize(
    ("text", "leaked"),
    [
        ("hello po, ako si Maricel Dela Cruz, 34, masakit ang dibdib ko", "Maricel"),
        ("nagtatrabaho ako sa factory. pangalan ko Jennelyn Reyes, 29", "Jennelyn"),
        ("ang pangalan ko ay rowena santos po, may lagnat ako", "rowena"),
        ("anak ko si Jomar, 4 yrs old, may lagnat", "Jomar"),
        ("kasama ko si Kuya Boyet sa bahay", "Boyet"),
        ("PhilHealth no. 12-345678901-2 po, kailangan ba?", "345678901"),
    ],
)
def test_taglish_names_and_philhealth_numbers_are_redacted(redactor: Redactor, text: str, leaked: str) -> None:
    assert leaked not in redactor.redact(text).redacted


def test_a_tagalog_kinship_word_alone_is_not_a_name(redactor: Redactor) -> None:
    # the engine reads "si tatay biglang ..." as the father, suddenly: neither word is a name
    redacted = redactor.redact("si tatay biglang tabingi ang mukha, si nanay kasama ko").redacted
    assert "tatay biglang" in redacted and "nanay" in redacted and "PERSON" not in redacted


def test_a_given_name_that_is_also_a_tagalog_word_stays_a_name_in_english(redactor: Redactor) -> None:
    assert "Lola" not in redactor.redact("Lola has had a fever since yesterday").redacted
