"""Bad input: no crash, and every span slices the original text to the value it names."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.phi import MAX_TEXT_CHARS, Redactor, TextTooLong

SAMPLES = [
    "",
    "   \n\t ",
    "\x00\x01\x02 my daughter Emily \x1b[31m has fever \x7f",
    "Меня зовут Иван Петров, у меня температура 39 три дня",
    "我的女儿叫王芳，她发烧三天了。电话 555-123-4567",
    "مرحبا اسمي أحمد، ابني مريض",
    "👶 my son Noah 🤒 has had a fever 🌡️ 103F for 2 days 😢 call 555-123-4567",
    "Zoë Ångström-Øberg\u200b called; ﬁne\u00ad print \ufeff",
    "e\u0301mile (decomposed accent) and Emily",
    "\r\n".join(["Line with Dr. Smith"] * 5),
]


def _check_offsets(redactor: Redactor, text: str) -> None:
    spans = redactor.find(text)
    previous_end = 0
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert span.start >= previous_end
        previous_end = span.end
        assert text[span.start : span.end].strip() == text[span.start : span.end]
    red = redactor.redact(text)
    assert len(red.spans) == len(spans)


@pytest.mark.parametrize("text", SAMPLES)
def test_bad_input_offsets(redactor: Redactor, text: str) -> None:
    _check_offsets(redactor, text)


def test_long_text_up_to_the_limit(redactor: Redactor) -> None:
    unit = "My daughter Emily has had a fever for 3 days, call 555-123-4567. "
    text = (unit * (4000 // len(unit) + 1))[:4000]
    spans = redactor.find(text)
    assert sum(text[s.start : s.end] == "Emily" for s in spans) >= 50
    _check_offsets(redactor, text)
    assert redactor.find("x " * (MAX_TEXT_CHARS // 2)) == []


def test_over_the_limit_raises(redactor: Redactor) -> None:
    with pytest.raises(TextTooLong):
        redactor.find("a" * (MAX_TEXT_CHARS + 1))


def test_non_string_raises(redactor: Redactor) -> None:
    with pytest.raises(TypeError):
        redactor.find(None)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_offsets(redactor: Redactor, text: str) -> None:
    _check_offsets(redactor, text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.sampled_from(
            ["my", "daughter", "Emily", "555-123-4567", "Dr.", "Smith", "🙂", "\n", "fever", "3/14/1952", "é", ","]
        ),
        max_size=30,
    )
)
def test_phi_like_soup_offsets(redactor: Redactor, words: list[str]) -> None:
    text = " ".join(words)
    _check_offsets(redactor, text)
    red = redactor.redact(text)
    assert red.redacted.count("<") == len(red.spans)
