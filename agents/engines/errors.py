"""Why an engine could not give (the rest of) an answer: a small hierarchy the router turns into failover decisions.

Each class carries a stable `kind` that goes into the audit record and the failover metric.
"""

from __future__ import annotations


class EngineError(Exception):
    """An engine could not produce (the rest of) an answer; the router fails over."""

    kind = "engine_error"


class EngineUnavailable(EngineError):
    """No connection: refused, reset before a response, DNS, TLS, connect timeout."""

    kind = "connect"


class EngineHTTPError(EngineError):
    """The server answered with an HTTP error status."""

    kind = "http"

    def __init__(self, status_code: int, retry_after_s: float | None = None) -> None:
        super().__init__(
            f"HTTP {status_code}" + (f", Retry-After {retry_after_s:g}s" if retry_after_s is not None else "")
        )
        self.status_code = status_code
        self.retry_after_s = retry_after_s
        self.kind = f"http_{status_code}"


class StreamBroken(EngineError):
    """The stream stopped before its end marker (connection cut, read timeout, server gave up)."""

    kind = "stream_broken"


class MalformedStream(EngineError):
    """The stream is not the OpenAI chat-completions SSE format."""

    kind = "malformed_sse"


class StreamErrorEvent(EngineError):
    """The server reported an error inside the stream (`data: {"error": ...}`)."""

    kind = "stream_error"


class EmptyAnswer(EngineError):
    """The stream ended properly but held no text."""

    kind = "empty_answer"


class FirstTokenTimeout(EngineError):
    kind = "first_token_timeout"


class TotalTimeout(EngineError):
    kind = "total_timeout"
