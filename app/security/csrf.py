"""CSRF protection for everything a browser's cookie can authorise.

Tokens are HMACs under the service's token key, so a client cannot choose one:
- the sign-in form's token is bound to a random nonce in the `triage_csrf` cookie (a planted cookie with a
  matching field of the attacker's choosing no longer passes);
- a signed-in page's token is bound to the sign-in (`sid` in the staff token, kept across renewals), and is
  sent back as the `X-CSRF-Token` header (or the `csrf_token` field of the sign-out form).
Every cookie-authenticated state change (any method but GET/HEAD/OPTIONS) needs that token, and is refused as
well when the browser says it came from another origin (`Origin` not this site's own).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from starlette.types import Scope

from app.security.origins import header as scope_header
from app.security.origins import normalize_origin, own_origin

CSRF_COOKIE = "triage_csrf"
#: Pages with a form that posts here: their own origin rides on the POST (`no-referrer`, the site's default,
#: makes browsers send `Origin: null`), and still nothing leaves for another site.
FORM_PAGE_REFERRER_POLICY = "same-origin"
CSRF_HEADER = b"x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


def login_token(key: bytes, nonce: str) -> str:
    return _sign(key, b"login|" + nonce.encode())


def session_token(key: bytes, sid: str) -> str:
    return _sign(key, b"session|" + sid.encode())


def valid_login_token(keys: Iterable[bytes], nonce: str | None, submitted: str | None) -> bool:
    """`keys`: the token key in use, then retired ones (a form loaded before a key rotation still works)."""
    return (
        bool(nonce)
        and bool(submitted)
        and any(hmac.compare_digest(login_token(key, nonce or ""), submitted or "") for key in keys)
    )


def valid_session_token(keys: Iterable[bytes], sid: str | None, submitted: str | None) -> bool:
    return (
        bool(sid)
        and bool(submitted)
        and any(hmac.compare_digest(session_token(key, sid or ""), submitted or "") for key in keys)
    )


def submitted_header(scope: Scope) -> str | None:
    return scope_header(scope, CSRF_HEADER)


def same_origin(scope: Scope) -> bool:
    """False when the browser says the request comes from elsewhere: `Sec-Fetch-Site` other than `same-origin`
    (a sibling subdomain is `same-site`, and refused too), or an `Origin` other than this site's. An opaque
    `Origin: null` (a sandboxed frame, or a form under `Referrer-Policy: no-referrer`) passes only when
    `Sec-Fetch-Site` vouches for it. No such headers at all: not a browser, which holds no ambient cookie."""
    site = scope_header(scope, b"sec-fetch-site")
    if site is not None and site != "same-origin":
        return False
    origin = scope_header(scope, b"origin")
    if origin is None:
        return True
    if origin == "null":
        return site == "same-origin"
    normal = normalize_origin(origin)
    return normal is not None and normal == own_origin(scope)


def mark_refused(scope: Scope) -> None:
    """Note on the request that it is being refused for CSRF: its audit record then says `csrf`, not `forbidden`."""
    scope.setdefault("state", {})[_REFUSED] = True


def refused(scope: Scope) -> bool:
    return bool(scope.get("state", {}).get(_REFUSED))


_REFUSED = "triage.csrf_refused"


def _sign(key: bytes, message: bytes) -> str:
    return hmac.new(key, b"csrf|" + message, hashlib.sha256).hexdigest()
