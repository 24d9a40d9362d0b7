"""Decoding an OpenAI chat-completions event stream, one SSE line at a time.

Strict on purpose: a line that is not an SSE field, or a `data:` payload that is not a chat-completion chunk,
raises MalformedStream, and the router fails over instead of showing the user garbage.
"""

from __future__ import annotations

import json

from agents.engines.errors import MalformedStream, StreamErrorEvent

_IGNORED_FIELDS = ("event:", "id:", "retry:")


class ChatStreamDecoder:
    """Feed it lines; it returns the text delta of each, and notes the end marker and the finish reason."""

    __slots__ = ("done", "finish_reason")

    def __init__(self) -> None:
        self.done = False
        self.finish_reason: str | None = None

    @property
    def complete(self) -> bool:
        """The server said the answer is over: `[DONE]`, or a finish reason (some servers omit `[DONE]`)."""
        return self.done or self.finish_reason is not None

    def feed(self, line: str) -> str | None:
        """The text in this line, or None (blank line, comment, other field, role-only delta, end marker)."""
        if line.startswith("data:"):
            return self._data(line[5:].strip())
        if not line or line.startswith(":") or line.startswith(_IGNORED_FIELDS):
            return None
        raise MalformedStream(f"not an SSE line: {line[:40]!r}")

    def _data(self, payload: str) -> str | None:
        if payload == "[DONE]":
            self.done = True
            return None
        try:
            chunk = json.loads(payload)
        except json.JSONDecodeError as exc:
            raise MalformedStream("data line is not JSON") from exc
        if not isinstance(chunk, dict):
            raise MalformedStream("data line is not a JSON object")
        if "error" in chunk:
            error = chunk["error"]
            message = error.get("message") if isinstance(error, dict) else error
            raise StreamErrorEvent(f"server error in stream: {str(message)[:120]}")
        choices = chunk.get("choices")
        if not isinstance(choices, list):
            raise MalformedStream("chunk without a choices list")
        if not choices:
            return None  # usage-only chunk
        choice = choices[0]
        if not isinstance(choice, dict):
            raise MalformedStream("choice is not an object")
        if choice.get("finish_reason"):
            self.finish_reason = choice["finish_reason"]
        delta = choice.get("delta")
        if delta is None:
            return None
        if not isinstance(delta, dict):
            raise MalformedStream("delta is not an object")
        content = delta.get("content")
        if content is None or isinstance(content, str):
            return content or None
        raise MalformedStream("delta content is not text")
