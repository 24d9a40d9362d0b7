"""The WebSocket `Origin` check: same-origin, or one of the configured origins (the widget's embedding sites).

Browsers always send `Origin` on a WebSocket handshake, and a page on another site cannot forge it, so this is
what stops cross-site WebSocket hijacking (a foreign page riding a staff member's cookie). Clients that are not
browsers send no `Origin`; they hold no ambient cookie to abuse and are let through to the normal auth checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import Scope

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def normalize_origin(origin: str) -> str | None:
    """`scheme://host[:port]`, lower case, default ports dropped; None when it is not an origin at all."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    keep = port is not None and port != DEFAULT_PORTS[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if keep else "")


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def own_origin(scope: Scope) -> str | None:
    """The origin this request was addressed to (its Host header, its scheme seen through TLS)."""
    host = header(scope, b"host")
    if not host:
        return None
    scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
    return normalize_origin(f"{scheme}://{host}")


def origin_allowed(scope: Scope, allowed: Iterable[str]) -> bool:
    origin = header(scope, b"origin")
    if origin is None:
        return True
    normal = normalize_origin(origin)
    if normal is None:
        return False
    return normal == own_origin(scope) or normal in {normalize_origin(o) for o in allowed}
