"""Structured logs: one JSON object per line on stderr, with no PHI.

What keeps PHI out:
- exceptions are logged as their type and stack frames, not their message (messages can quote input), unless
  the exception class says `safe_to_log = True`;
- `extra=` fields pass only when they are numbers or booleans, or their key is in SAFE_EXTRA_KEYS;
- query strings are cut from request lines (uvicorn's access and WebSocket lines): they carry resume tokens;
- uvicorn.error's debug lines (the websockets library's frame traces, message text included) are dropped.
Log messages themselves must not interpolate patient or clinician text; tests/app/test_observability.py
sends PHI through the running service and scans every line.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any, Literal

from opentelemetry import trace

SAFE_EXTRA_KEYS = frozenset(
    {
        "audit_id",
        "code",
        "engine",
        "engines",
        "message_id",
        "session_id",
        "status",
        "node",
        "route",
        "replica",
        "worker",
        "level",
        "urgency",
        "reason",
        "outcome",
        "event",
        "channel",
    }
)
_RECORD_FIELDS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_SAFE_SCALARS = (bool, int, float)
REQUEST_LOGGERS = ("uvicorn.access", "uvicorn.error")
QUIET_LOGGERS = ("httpx", "httpcore", "websockets", "hpack", "psycopg", "sqlalchemy", "aiosqlite", "redis", "asyncio")


def _safe_extra(key: str, value: Any) -> bool:
    if isinstance(value, _SAFE_SCALARS) or value is None:
        return True
    if key not in SAFE_EXTRA_KEYS:
        return False
    if isinstance(value, (list, tuple)):
        return all(isinstance(v, (str, *_SAFE_SCALARS)) for v in value)
    return isinstance(value, str)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            entry["trace_id"], entry["span_id"] = f"{context.trace_id:032x}", f"{context.span_id:016x}"
        for key, value in record.__dict__.items():
            if key not in _RECORD_FIELDS and not key.startswith("_") and _safe_extra(key, value):
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, exc, tb = record.exc_info
            entry["exc_type"] = exc_type.__name__
            if getattr(exc, "safe_to_log", False):  # exceptions that promise a message without input in it
                entry["exc_message"] = str(exc)
            entry["stack"] = "".join(traceback.format_tb(tb))[-4000:]
        return json.dumps(entry, default=str, separators=(",", ":"))


class RequestLineFilter(logging.Filter):
    """Request paths in uvicorn's lines lose their query string (`/ws/chat?resume=...` -> `/ws/chat`), and
    uvicorn.error's debug lines are dropped: there the websockets library traces every frame, text included."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.error" and record.levelno <= logging.DEBUG:
            return False
        if isinstance(record.args, tuple):
            record.args = tuple(_strip_query(a) for a in record.args)
        return True


def _strip_query(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("/") and "?" in value:
        return value.split("?", 1)[0]
    return value


def configure_logging(level: str = "info", fmt: Literal["json", "text"] = "json") -> None:
    """The root logger writes to stderr; uvicorn's loggers propagate to it (run uvicorn with log_config=None)."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RequestLineFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", *REQUEST_LOGGERS):
        named = logging.getLogger(name)
        named.handlers.clear()
        named.propagate = True
        named.setLevel(level.upper())
    # Libraries that log request URLs, headers or frame contents at debug level stay quieter than that.
    for chatty in QUIET_LOGGERS:
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))
    logging.captureWarnings(True)
