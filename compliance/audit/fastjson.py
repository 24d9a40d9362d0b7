"""JSON for the bulk paths (verify, export): orjson when present (langgraph already brings it), else the stdlib.

The chain's canonical form is written once by `chain.canonical` (stdlib) and MACed as stored text, so which
parser reads it back never matters to verification.
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson

    HAVE_ORJSON = True
except ImportError:  # pragma: no cover - orjson is a transitive dependency of langgraph
    HAVE_ORJSON = False


def loads(text: str | bytes) -> Any:
    return orjson.loads(text) if HAVE_ORJSON else json.loads(text)


def dumps(value: Any) -> str:
    """Compact, UTF-8 (not ASCII-escaped) JSON text."""
    if HAVE_ORJSON:
        return orjson.dumps(value).decode()
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
