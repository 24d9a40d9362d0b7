"""Staff sign-in and accounts.

- `GET /login`, `POST /login`: the sign-in form. Its CSRF token is an HMAC of a random nonce kept in the
  `triage_csrf` cookie (app/security/csrf.py), and a foreign `Origin` is refused. Success sets `triage_token`:
  a short-lived staff token (app/staff_session.py) in a cookie that is HttpOnly, SameSite=Strict, and Secure
  when the request came over HTTPS.
- `POST /logout` (the page's CSRF token), `POST /api/logout`: revoke every token of the account (its token
  version is bumped) and clear the cookie.
- `POST /api/login` (JSON): the same sign-in for programs; returns a bearer token and sets no cookie.
- `POST /api/session/renew`: a fresh token for the same sign-in (cookie, or the bearer in the body), until the
  sign-in's maximum length.
- `GET /api/me`: who the caller is. Staff accounts (admin only): app/routes/users.py.
Sign-in attempts are throttled per client address (429; shared by the replicas over Redis when configured) and,
like every 401/403, recorded as audit events.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, StringConstraints

from app.auth import Principal, accounts_for, check_csrf, token_keys
from app.deps import CurrentPrincipal, LimitersDep, SettingsDep, SignedIn, UsersDep
from app.page_rendering import signed_in, templates
from app.security import csrf
from app.security.access import client_address
from app.security.rates import Limiters
from app.settings import Settings
from app.staff_session import (
    SessionOver,
    clear_token_cookie,
    renewed_token,
    secure_request,
    set_token_cookie,
    sign_in_token,
)
from app.users import StaffUser, UserStore
from frontend.i18n import N_

router = APIRouter(tags=["auth"])

HOME = {"clinician": "/clinician", "admin": "/clinician", "compliance": "/compliance"}

Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class Credentials(BaseModel):
    username: Username
    password: Password


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    role: str


class Renewed(BaseModel):
    expires_at: float
    expires_in: int
    access_token: str | None = None
    """Only for a bearer caller: a cookie caller gets the new token as its cookie."""


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no `//` or backslash tricks."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target and len(target) < 512:
        return target
    return None


async def _throttle(request: Request, limiters: Limiters) -> None:
    decision = await limiters.sign_in.take(client_address(request.scope))
    if not decision.allowed:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many sign-in attempts; wait a minute",
            headers={"Retry-After": str(int(decision.retry_after_s) + 1)},
        )


async def _authenticate(users: UserStore, username: str, password: str) -> StaffUser | None:
    return await asyncio.to_thread(users.authenticate, username, password)


def _page(
    request: Request,
    settings: Settings,
    *,
    status_code: int = 200,
    next_path: str | None = None,
    error: str | None = None,
) -> HTMLResponse:
    nonce = request.cookies.get(csrf.CSRF_COOKIE) or ""
    if len(nonce) < 32:
        nonce = csrf.new_nonce()
    form_token = csrf.login_token(settings.token_key_bytes, nonce)
    context = {"form_token": form_token, "next_path": next_path, "error": error}
    response = templates.TemplateResponse(request, "login.html", context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = csrf.FORM_PAGE_REFERRER_POLICY
    response.set_cookie(
        csrf.CSRF_COOKIE, nonce, httponly=True, samesite="strict", secure=secure_request(request), path="/"
    )
    return response


def _check_login_csrf(request: Request, settings: Settings, submitted: str) -> None:
    keys = token_keys(settings)
    if not csrf.same_origin(request.scope) or not csrf.valid_login_token(
        keys, request.cookies.get(csrf.CSRF_COOKIE), submitted
    ):
        csrf.mark_refused(request.scope)
        raise HTTPException(status.HTTP_403_FORBIDDEN, "invalid or missing CSRF token; reload the form")


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
async def login_form(request: Request, settings: SettingsDep, next: str | None = None) -> HTMLResponse:  # noqa: A002
    return _page(request, settings, next_path=_safe_next(next))


@router.post("/login", include_in_schema=False)
async def login_submit(
    request: Request,
    settings: SettingsDep,
    limiters: LimitersDep,
    users: UsersDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str | None, Form(max_length=512)] = None,  # noqa: A002
) -> Response:
    _check_login_csrf(request, settings, csrf_token)
    await _throttle(request, limiters)
    user = await _authenticate(users, username, password) if username and password else None
    if user is None:
        return _page(
            request,
            settings,
            status_code=status.HTTP_401_UNAUTHORIZED,
            next_path=_safe_next(next),
            error=N_("Unknown username or wrong password."),
        )
    response = RedirectResponse(_safe_next(next) or HOME.get(user.role, "/"), status_code=status.HTTP_303_SEE_OTHER)
    set_token_cookie(response, request, *sign_in_token(settings, user))
    return response


async def _sign_out(settings: Settings, principal: Principal) -> None:
    """Every token of the account stops working: this sign-in's, and any other device's."""
    await accounts_for(settings).revoke(principal.subject)


@router.post("/logout", include_in_schema=False)
async def logout(
    request: Request, settings: SettingsDep, csrf_token: Annotated[str, Form(max_length=128)] = ""
) -> Response:
    found = await signed_in(request)
    if found is not None:  # a stale or revoked cookie has nothing left to revoke: it is only cleared
        check_csrf(request.scope, found, csrf_token or csrf.submitted_header(request.scope))
        await _sign_out(settings, found.principal)
    response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    clear_token_cookie(response, request)
    return response


@router.post("/api/logout", status_code=status.HTTP_204_NO_CONTENT)
async def api_logout(request: Request, settings: SettingsDep, principal: CurrentPrincipal) -> Response:
    """Revoke every token of the caller's account (bearer, or the cookie with its CSRF token)."""
    await _sign_out(settings, principal)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_token_cookie(response, request)
    return response


@router.post("/api/login")
async def api_login(
    request: Request, settings: SettingsDep, limiters: LimitersDep, body: Credentials, users: UsersDep
) -> TokenOut:
    """A bearer token for a staff account (no cookie: programs send `Authorization: Bearer ...`)."""
    await _throttle(request, limiters)
    user = await _authenticate(users, body.username, body.password)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "unknown username or wrong password", headers={"WWW-Authenticate": "Bearer"}
        )
    token, _ = sign_in_token(settings, user)
    return TokenOut(access_token=token, expires_in=settings.staff_token_ttl_s, role=user.role)


@router.post("/api/session/renew", response_model_exclude_none=True)
async def renew(request: Request, response: Response, settings: SettingsDep, found: SignedIn) -> Renewed:
    """The same sign-in, a fresh lifetime: what a staff page calls while it is in use."""
    if not found.principal.is_staff:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only staff sign-ins are renewed")
    try:
        token, expires_at = renewed_token(settings, found.principal)
    except SessionOver as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc), headers={"WWW-Authenticate": "Bearer"}) from None
    expires_in = max(0, int(expires_at - time.time()))
    if found.credential.ambient:
        set_token_cookie(response, request, token, expires_at)
        return Renewed(expires_at=expires_at, expires_in=expires_in)
    return Renewed(expires_at=expires_at, expires_in=expires_in, access_token=token)


@router.get("/api/me")
async def me(principal: CurrentPrincipal) -> dict[str, Any]:
    return {"subject": principal.subject, "role": principal.role, "expires_at": principal.expires_at}
