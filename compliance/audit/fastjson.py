"""JSON for the bulk paths (verify, export): orjson when present (langgraph already brings it), else the stdlib.

The chain's canonical form is written once by `chain.canonical` (stdlib) and MACed as stored text, so which
parser reads it back never matters to verification.
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a transitive dependency of langgraph
    orjson = None


def loads(text: str | bytes) -> Any:
    return orjson.loads(text) if orjson is not None else json.loads(text)


def dumps(value: Any) -> str:
    """Compact, UTF-8 (not ASCII-escaped) JSON text."""
    if orjson is not None:
        return orjson.dumps(value).decode()
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
