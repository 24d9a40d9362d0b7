"""Staff sign-ins: the tokens they are given, silent renewal while they are in use, and the cookie.

A staff token lives `staff_token_ttl_s` (default 10 min). While a staff page is in use it is renewed before it
runs out (the page calls `POST /api/session/renew`; visiting a staff page renews a cookie past half its life);
renewals keep the sign-in (`sid`, hence its CSRF token) and stop `staff_session_max_s` (default 12 h) after
sign-in: then one signs in again. Renewal checks the account like any request, so a revoked sign-in cannot
renew itself.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.auth import Principal, issue_token, token_ring
from app.security.credentials import TOKEN_COOKIE
from app.users import StaffUser


class SessionOver(Exception):
    """The sign-in reached its maximum length: sign in again."""


def sign_in_token(settings: Any, user: StaffUser) -> tuple[str, float]:
    """A token for a fresh sign-in, and when it expires."""
    now = time.time()
    expires_at = now + settings.staff_token_ttl_s
    token = issue_token(
        token_ring(settings),
        user.username,
        user.role,  # type: ignore[arg-type]
        version=user.token_version,
        sid=secrets.token_urlsafe(16),
        signed_in_at=now,
        expires_at=expires_at,
    )
    return token, expires_at


def session_ends_at(settings: Any, principal: Principal) -> float:
    started = principal.signed_in_at if principal.signed_in_at is not None else principal.expires_at
    return started + settings.staff_session_max_s


def renewed_token(settings: Any, principal: Principal) -> tuple[str, float]:
    """The same sign-in with a fresh lifetime (never past the sign-in's end); SessionOver when it has ended."""
    now = time.time()
    ends_at = session_ends_at(settings, principal)
    if now >= ends_at - 1:
        raise SessionOver("the sign-in has reached its maximum length; sign in again")
    expires_at = min(now + settings.staff_token_ttl_s, ends_at)
    token = issue_token(
        token_ring(settings),
        principal.subject,
        principal.role,
        version=principal.version,
        sid=principal.sid,
        signed_in_at=principal.signed_in_at,
        expires_at=expires_at,
    )
    return token, expires_at


def due_for_renewal(settings: Any, principal: Principal) -> bool:
    """Past half its life (and the sign-in not over): a page visit renews the cookie."""
    remaining = principal.expires_at - time.time()
    return remaining < settings.staff_token_ttl_s / 2 and time.time() < session_ends_at(settings, principal) - 1


def secure_request(request: Request) -> bool:
    return request.url.scheme == "https"


def set_token_cookie(response: Response, request: Request, token: str, expires_at: float) -> None:
    response.set_cookie(
        TOKEN_COOKIE,
        token,
        max_age=max(1, int(expires_at - time.time())),
        httponly=True,
        samesite="strict",
        secure=secure_request(request),
        path="/",
    )


def clear_token_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="strict", secure=secure_request(request))
