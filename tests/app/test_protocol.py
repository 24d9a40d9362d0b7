"""The client frame parser: every bad frame maps to one stable error code."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.protocol import FrameError, parse_client_frame


def test_valid_message_frame():
    frame = parse_client_frame(
        '{"type": "message", "text": "I feel dizzy", "client_msg_id": "w-Ab_9"}', max_text_chars=50
    )
    assert frame.text == "I feel dizzy" and frame.client_msg_id == "w-Ab_9"
    longest = "x" * 128
    assert parse_client_frame(
        json.dumps({"type": "message", "text": "hi", "client_msg_id": longest}), max_text_chars=50
    )


def test_text_at_the_limit_is_accepted_and_one_over_is_not():
    assert parse_client_frame(json.dumps({"type": "message", "text": "x" * 10}), max_text_chars=10)
    with pytest.raises(FrameError) as err:
        parse_client_frame(json.dumps({"type": "message", "text": "x" * 11}), max_text_chars=10)
    assert err.value.code == "text_too_long"


@pytest.mark.parametrize(
    "raw, code",
    [
        ("{", "invalid_json"),
        ("null", "invalid_frame"),
        ('"message"', "invalid_frame"),
        ('{"text": "hi"}', "unknown_type"),
        ('{"type": "message", "text": ""}', "empty_text"),
        ('{"type": "message", "text": "   "}', "empty_text"),
        ('{"type": "message", "text": ["a"]}', "invalid_frame"),
        ('{"type": "message", "text": 123}', "invalid_frame"),
        ('{"type": "message", "text": null}', "invalid_frame"),
        ('{"type": "message", "text": "hi", "client_msg_id": "my name is Jo"}', "invalid_frame"),
        ('{"type": "message", "text": "hi", "client_msg_id": "jo@example.com"}', "invalid_frame"),
        ('{"type": "message", "text": "hi", "client_msg_id": ""}', "invalid_frame"),
        ('{"type": "message", "text": "hi", "client_msg_id": "abc\\n"}', "invalid_frame"),
        ('{"type": "message", "text": "hi", "client_msg_id": 7}', "invalid_frame"),
        ('{"type": "message", "text": "hi", "client_msg_id": "' + "x" * 200 + '"}', "invalid_frame"),
        ("[" * 100000 + "]" * 100000, "invalid_json"),
    ],
)
def test_bad_frames_have_stable_codes(raw, code):
    with pytest.raises(FrameError) as err:
        parse_client_frame(raw, max_text_chars=4000)
    assert err.value.code == code


@given(st.text(max_size=300))
def test_any_text_either_parses_or_raises_frame_error(raw):
    try:
        frame = parse_client_frame(raw, max_text_chars=4000)
    except FrameError as exc:
        assert exc.code and exc.detail
    else:
        assert frame.text.strip()


@given(
    st.dictionaries(
        st.sampled_from(["type", "text", "client_msg_id", "x"]),
        st.one_of(st.none(), st.integers(), st.text(max_size=20), st.lists(st.integers(), max_size=2)),
    )
)
def test_any_json_object_either_parses_or_raises_frame_error(obj):
    try:
        parse_client_frame(json.dumps(obj), max_text_chars=4000)
    except FrameError as exc:
        assert exc.code in {"invalid_json", "invalid_frame", "unknown_type", "empty_text", "text_too_long"}


def test_a_consent_frame_names_a_notice_version_and_never_free_text():
    from app.protocol import ConsentFrame

    assert parse_client_frame('{"type": "consent", "notice": "3f2a9c01b7de"}', max_text_chars=10) == ConsentFrame(
        type="consent", notice="3f2a9c01b7de"
    )
    for raw in (
        '{"type": "consent"}',
        '{"type": "consent", "notice": "I agree, Jo Bloggs"}',
        '{"type": "consent", "notice": 7}',
    ):
        with pytest.raises(FrameError) as err:
            parse_client_frame(raw, max_text_chars=10)
        assert err.value.code == "invalid_frame"
