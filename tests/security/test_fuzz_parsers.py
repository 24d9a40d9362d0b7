"""Property-based tests of the input parsers: the WebSocket frame parser and the CLI JSON Lines reader.

Whatever arrives, each either yields a valid value or raises its one named error (a `FrameError` with a stable
code; a message naming the line): never another exception, never a hang, never a partial output line.
"""

from __future__ import annotations

import io
import json
import re
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.jsonl import AssessLine, TextLine, process_lines
from app.protocol import FrameError, MessageFrame, parse_client_frame

CODES = {"invalid_json", "invalid_frame", "unknown_type", "empty_text", "text_too_long"}
MAX = 200
CLIENT_MSG_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20,
)
frames = st.fixed_dictionaries(
    {"type": st.sampled_from(["message", "Message", "", "ping"]) | st.text(max_size=10)},
    optional={"text": json_values | st.text(max_size=300), "client_msg_id": json_values | st.text(max_size=200)},
).map(json.dumps)
raw_input = st.text(max_size=400) | frames | st.binary(max_size=200).map(lambda b: b.decode("latin-1"))
deep = st.integers(min_value=1, max_value=100_000).map(lambda n: "[" * n + "]" * n)
fast = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(raw_input | deep)
def test_frame_parser_accepts_or_names_the_problem(raw):
    try:
        frame = parse_client_frame(raw, max_text_chars=MAX)
    except FrameError as exc:
        assert exc.code in CODES and exc.detail
        assert len(exc.detail) < 200  # the client's input is never echoed at length
        return
    assert isinstance(frame, MessageFrame)
    assert isinstance(frame.text, str) and frame.text.strip() and len(frame.text) <= MAX
    assert frame.client_msg_id is None or CLIENT_MSG_ID.fullmatch(frame.client_msg_id)


client_msg_ids = st.text(alphabet=string.ascii_letters + string.digits + "_-", min_size=1, max_size=128)


@fast
@given(st.text(min_size=1, max_size=MAX).filter(str.strip), st.none() | client_msg_ids)
def test_every_well_formed_message_is_accepted_unchanged(text, client_msg_id):
    raw = json.dumps({"type": "message", "text": text, "client_msg_id": client_msg_id})
    frame = parse_client_frame(raw, max_text_chars=MAX)
    assert (frame.text, frame.client_msg_id) == (text, client_msg_id)


lines = st.lists(
    st.one_of(
        st.text(max_size=80).filter(lambda s: "\n" not in s and "\r" not in s),
        st.fixed_dictionaries({"text": json_values}, optional={"age": json_values, "sex": json_values}).map(json.dumps),
        st.dictionaries(st.text(max_size=8), json_values, max_size=4).map(json.dumps),
    ),
    max_size=8,
)


@fast
@given(lines, st.sampled_from([TextLine, AssessLine]))
def test_jsonl_reader_answers_each_line_or_names_it(inputs, model):
    out, err = io.StringIO(), io.StringIO()
    status = process_lines([line + "\n" for line in inputs], model, lambda item: {"seen": True}, out=out, err=err)
    written = out.getvalue().splitlines()
    complaints = err.getvalue().splitlines()
    meaningful = [n for n, line in enumerate(inputs, start=1) if line.strip()]
    assert len(written) + len(complaints) == len(meaningful)
    assert status == (1 if complaints else 0)
    for line in written:
        assert json.loads(line)["seen"] is True  # whole lines only
    for complaint in complaints:
        assert complaint.startswith("line ") and int(complaint.split()[1].rstrip(":")) in meaningful
