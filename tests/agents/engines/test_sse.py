"""The OpenAI chat-completions SSE decoder: text deltas out, anything malformed raises."""

from __future__ import annotations

import json

import pytest

from agents.engines.errors import MalformedStream, StreamErrorEvent
from agents.engines.sse import ChatStreamDecoder


def data(obj) -> str:
    return "data: " + json.dumps(obj)


def delta(content=None, finish=None, **extra) -> str:
    d = {} if content is None else {"content": content}
    return data({"choices": [{"index": 0, "delta": {**d, **extra}, "finish_reason": finish}]})


def test_text_deltas_come_out_and_done_is_noted():
    decoder = ChatStreamDecoder()
    lines = [
        delta(role="assistant"),
        "",
        delta("Hel"),
        delta("lo"),
        ": keep-alive",
        "event: message",
        delta(finish="stop"),
        "data: [DONE]",
    ]
    out = [decoder.feed(line) for line in lines]
    assert [t for t in out if t] == ["Hel", "lo"]
    assert decoder.done and decoder.finish_reason == "stop" and decoder.complete


def test_a_stream_without_end_marker_or_finish_is_not_complete():
    decoder = ChatStreamDecoder()
    decoder.feed(delta("partial"))
    assert not decoder.complete


def test_finish_reason_alone_counts_as_complete():
    decoder = ChatStreamDecoder()
    assert decoder.feed(delta("last", finish="length")) == "last"
    assert decoder.complete and not decoder.done


def test_usage_only_and_empty_content_chunks_are_skipped():
    decoder = ChatStreamDecoder()
    assert decoder.feed(data({"choices": [], "usage": {"total_tokens": 3}})) is None
    assert decoder.feed(delta("")) is None
    assert decoder.feed("data:" + json.dumps({"choices": [{"delta": {"content": "x"}}]})) == "x"


@pytest.mark.parametrize(
    "line",
    [
        "data: {not json",
        "data: [1, 2]",
        'data: {"choices": "nope"}',
        'data: {"choices": [3]}',
        'data: {"choices": [{"delta": "text"}]}',
        'data: {"choices": [{"delta": {"content": 42}}]}',
        "<html>502 Bad Gateway</html>",
        '{"id": "not-sse"}',
    ],
)
def test_malformed_lines_raise(line):
    with pytest.raises(MalformedStream):
        ChatStreamDecoder().feed(line)


def test_error_event_in_the_stream_raises():
    with pytest.raises(StreamErrorEvent, match="overloaded"):
        ChatStreamDecoder().feed(data({"error": {"message": "model overloaded"}}))
