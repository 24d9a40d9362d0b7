"""Staff sign-in and accounts.

- `GET /login`, `POST /login`: the sign-in form, protected against CSRF by a double-submit token (a random
  value in the `triage_csrf` cookie that the form must echo). Success sets `triage_token`: a short-lived
  signed token in a cookie that is HttpOnly, SameSite=Strict, and Secure when the request came over HTTPS.
- `POST /logout` (same CSRF check): clears the cookie.
- `POST /api/login` (JSON): the same sign-in for programs; returns a bearer token and sets no cookie.
- `GET /api/me`: who the caller is. `GET|POST /api/users`: list or create staff accounts (admin only).
Failed sign-ins are throttled per client address (429) and, like every 401/403, recorded as audit events.
"""

from __future__ import annotations

import asyncio
import html
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, StringConstraints

from app.auth import Principal, current_principal, issue_token, require_role
from app.security.buckets import KeyedBuckets
from app.settings import Settings
from app.users import STAFF_ROLES, StaffRole, StaffUser, UserError, UserStore, user_store

router = APIRouter(tags=["auth"])

CSRF_COOKIE = "triage_csrf"
TOKEN_COOKIE = "triage_token"
HOME = {"clinician": "/clinician", "admin": "/clinician", "compliance": "/compliance"}
#: Sign-in attempts per client address: a burst of 10, then one every 6 seconds.
_attempts = KeyedBuckets(rate_per_s=1 / 6, burst=10)

Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class Credentials(BaseModel):
    username: Username
    password: Password


class NewUser(Credentials):
    role: StaffRole


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    role: str


def get_users(request: Request) -> UserStore:
    return user_store(request.app.state.settings.resolved_database_url)


UsersDep = Annotated[UserStore, Depends(get_users)]
AdminPrincipal = Annotated[Principal, Depends(require_role("admin"))]


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no `//` or backslash tricks."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target and len(target) < 512:
        return target
    return None


def _throttle(request: Request) -> None:
    bucket = _attempts.bucket(request.client.host if request.client else "")
    if not bucket.take():
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "too many sign-in attempts; wait a minute",
                            headers={"Retry-After": str(int(bucket.retry_after()) + 1)})


async def _authenticate(users: UserStore, username: str, password: str) -> StaffUser | None:
    return await asyncio.to_thread(users.authenticate, username, password)


def _token_for(request: Request, user: StaffUser) -> str:
    settings = _settings(request)
    return issue_token(settings.token_key_bytes, user.username, user.role, ttl_s=settings.staff_token_ttl_s)


def login_page(csrf: str, *, next_path: str | None = None, error: str | None = None) -> str:
    e = html.escape
    notice = f'<p class="error" role="alert">{e(error)}</p>' if error else ""
    hidden_next = f'<input type="hidden" name="next" value="{e(next_path)}">' if next_path else ""
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Sign in · Triage</title>
  <link rel="stylesheet" href="/static/staff.css">
</head>
<body>
  <main id="main">
    <section class="card narrow">
      <h1>Staff sign-in</h1>
      {notice}
      <form method="post" action="/login" autocomplete="on">
        <input type="hidden" name="csrf_token" value="{e(csrf)}">
        {hidden_next}
        <p><label for="username">Username</label><br>
          <input id="username" name="username" autocomplete="username" required maxlength="64"></p>
        <p><label for="password">Password</label><br>
          <input id="password" name="password" type="password" autocomplete="current-password" required></p>
        <p><button type="submit">Sign in</button></p>
      </form>
    </section>
  </main>
</body>
</html>
"""


def _page(request: Request, *, status_code: int = 200, next_path: str | None = None, error: str | None = None) -> HTMLResponse:
    csrf = request.cookies.get(CSRF_COOKIE) or ""
    if len(csrf) < 32:
        csrf = secrets.token_urlsafe(32)
    response = HTMLResponse(login_page(csrf, next_path=next_path, error=error), status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=_secure(request), path="/")
    return response


def _check_csrf(request: Request, submitted: str) -> None:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not submitted or not secrets.compare_digest(cookie.encode(), submitted.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "invalid or missing CSRF token; reload the form")


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
async def login_form(request: Request, next: str | None = None) -> HTMLResponse:  # noqa: A002
    return _page(request, next_path=_safe_next(next))


@router.post("/login", include_in_schema=False)
async def login_submit(
    request: Request, users: UsersDep,
    username: Annotated[str, Form(max_length=64)] = "", password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "", next: Annotated[str | None, Form(max_length=512)] = None,  # noqa: A002
) -> Response:
    _check_csrf(request, csrf_token)
    _throttle(request)
    user = await _authenticate(users, username, password) if username and password else None
    if user is None:
        return _page(request, status_code=status.HTTP_401_UNAUTHORIZED, next_path=_safe_next(next),
                     error="Unknown username or wrong password.")
    response = RedirectResponse(_safe_next(next) or HOME.get(user.role, "/"), status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(TOKEN_COOKIE, _token_for(request, user), max_age=_settings(request).staff_token_ttl_s,
                        httponly=True, samesite="strict", secure=_secure(request), path="/")
    return response


@router.post("/logout", include_in_schema=False)
async def logout(request: Request, csrf_token: Annotated[str, Form(max_length=128)] = "") -> Response:
    _check_csrf(request, csrf_token)
    response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request))
    return response


@router.post("/api/login")
async def api_login(request: Request, body: Credentials, users: UsersDep) -> TokenOut:
    """A bearer token for a staff account (no cookie: programs send `Authorization: Bearer ...`)."""
    _throttle(request)
    user = await _authenticate(users, body.username, body.password)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown username or wrong password",
                            headers={"WWW-Authenticate": "Bearer"})
    return TokenOut(access_token=_token_for(request, user), expires_in=_settings(request).staff_token_ttl_s, role=user.role)


@router.get("/api/me")
async def me(principal: Annotated[Principal, Depends(current_principal)]) -> dict[str, Any]:
    return {"subject": principal.subject, "role": principal.role, "expires_at": principal.expires_at}


def _user_out(user: StaffUser) -> dict[str, Any]:
    return {"username": user.username, "role": user.role, "disabled": user.disabled,
            "created_at": user.created_at.isoformat()}


@router.get("/api/users")
async def list_users(_: AdminPrincipal, users: UsersDep) -> dict[str, Any]:
    return {"users": [_user_out(u) for u in await asyncio.to_thread(users.list)], "roles": list(STAFF_ROLES)}


@router.post("/api/users", status_code=status.HTTP_201_CREATED)
async def create_user(_: AdminPrincipal, body: NewUser, users: UsersDep) -> dict[str, Any]:
    try:
        user = await asyncio.to_thread(users.create, body.username, body.role, body.password)
    except UserError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(exc)) from None
    return _user_out(user)
