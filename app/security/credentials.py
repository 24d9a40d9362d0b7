"""Where a caller's token comes from: the one parser for HTTP routes, staff pages, the access middleware and
the staff socket, so that they can never disagree about which credential a request presented.

Order: an `Authorization: Bearer` header (programs), else the `triage_token` cookie (the browser after
`/login`), else, for WebSockets only, the `token` query parameter (programs that cannot set headers). The first
one present is the credential; a later one never rescues a bad earlier one, nor spoils a good one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs

from starlette.requests import cookie_parser
from starlette.types import Scope

from app.security.origins import header as scope_header

TOKEN_COOKIE = "triage_token"
CredentialSource = Literal["bearer", "cookie", "query"]


@dataclass(frozen=True)
class Credential:
    token: str
    source: CredentialSource

    @property
    def ambient(self) -> bool:
        """Sent by the browser on its own (a cookie): state changes need a CSRF token as well (app/security/csrf.py)."""
        return self.source == "cookie"


def scope_cookie(scope: Scope, name: str) -> str | None:
    """A cookie as the routes see it (Starlette's lenient parser: one bad cookie does not hide the others)."""
    return cookie_parser(scope_header(scope, b"cookie") or "").get(name)


def presented_credential(scope: Scope) -> Credential | None:
    """The caller's credential (see the module docstring), or None when it presented none."""
    scheme, _, token = (scope_header(scope, b"authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return Credential(token.strip(), "bearer")
    cookie = scope_cookie(scope, TOKEN_COOKIE)
    if cookie:
        return Credential(cookie, "cookie")
    if scope.get("type") == "websocket":
        values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
        if values and values[0]:
            return Credential(values[0], "query")
    return None
