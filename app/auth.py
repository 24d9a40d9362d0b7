"""Who is calling: signed tokens carrying a role, checked by FastAPI dependencies and by the staff socket.

Tokens are `<key id>.base64url(json payload).hex(hmac-sha256)`: signed with the token key in use, named by its key
id (compliance/keys.py) and checked with the key of that id, current or retired (`Settings.token_keyring`), so
`triage keys rotate --key token` signs nobody out: tokens issued before it keep working until they expire. A token
from before key ids (`payload.signature`) is checked with every key held. Patients get one bound to their session.
Staff tokens (app/staff_session.py) also carry the account's token version, the sign-in they belong to (`sid`)
and when it began; one is honoured only while its account exists, is enabled, has the token's role and is still at
that version (app/accounts.py: disable, sign-out and a new password revoke). A state change authorised by the
cookie also needs the sign-in's CSRF token (app/security/csrf.py). Where the token is read from is decided in one
place (app/security/credentials.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request, status
from pydantic import BaseModel, ValidationError
from starlette.types import Scope

from app.accounts import StaffAccounts, staff_accounts
from app.security import csrf
from app.security.credentials import Credential, presented_credential
from app.settings import Settings
from compliance.keys import KeyRing, key_id

Role = Literal["patient", "clinician", "compliance", "admin"]
STAFF = frozenset({"clinician", "compliance", "admin"})
UNAUTHENTICATED = {"WWW-Authenticate": "Bearer"}


class Principal(BaseModel):
    subject: str
    role: Role
    session_id: str | None = None
    expires_at: float
    version: int | None = None
    """Staff: the account's token version when the token was issued."""
    sid: str | None = None
    """Staff: the sign-in this token belongs to (kept by renewals); CSRF tokens are bound to it."""
    signed_in_at: float | None = None
    """Staff: when that sign-in happened; renewals stop `staff_session_max_s` after it."""

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF


class TokenError(Exception):
    pass


class BadSignature(TokenError):
    """Not signed with any key held (a forgery, or a key since dropped from the ring)."""


def issue_token(
    key: bytes | KeyRing,
    subject: str,
    role: Role,
    *,
    ttl_s: float = 900,
    session_id: str | None = None,
    version: int | None = None,
    sid: str | None = None,
    signed_in_at: float | None = None,
    expires_at: float | None = None,
) -> str:
    """Signed with `key` (a ring's current key), whose id heads the token."""
    signing = KeyRing.of(key).current
    payload = Principal(
        subject=subject,
        role=role,
        session_id=session_id,
        version=version,
        sid=sid,
        signed_in_at=signed_in_at,
        expires_at=expires_at if expires_at is not None else time.time() + ttl_s,
    )
    body = base64.urlsafe_b64encode(payload.model_dump_json(exclude_none=True).encode()).decode().rstrip("=")
    signed = f"{key_id(signing)}.{body}"
    return f"{signed}.{_sign(signing, signed)}"


def read_token(key: bytes | KeyRing, token: str) -> Principal:
    """The token's principal when it is signed with the key its id names (any key of the ring) and has not
    expired (nothing about accounts)."""
    ring = KeyRing.of(key)
    parts = token.split(".")
    if len(parts) == 3 and all(parts):
        kid, body, signature = parts
        signing = ring.get(kid)
        if signing is None or not hmac.compare_digest(signature, _sign(signing, f"{kid}.{body}")):
            raise BadSignature("bad signature, or a key this service does not hold")
    elif len(parts) == 2 and all(parts):  # issued before key ids: any key held
        body, signature = parts
        if not any(hmac.compare_digest(signature, _sign(held, body)) for held in ring.keys()):
            raise BadSignature("bad signature")
    else:
        raise BadSignature("malformed token")
    try:
        principal = Principal.model_validate(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))
    except (ValueError, ValidationError) as exc:
        raise TokenError("bad payload") from exc
    if principal.expires_at < time.time():
        raise TokenError("expired")
    return principal


def _sign(key: bytes, body: str) -> str:
    return hmac.new(key, b"token|" + body.encode(), hashlib.sha256).hexdigest()


def token_ring(settings: Settings) -> KeyRing:
    """The token key in use and the retired ones (`triage keys rotate`): tokens are signed with the first and
    checked with whichever their key id names."""
    return settings.token_keyring


def token_keys(settings: Settings) -> list[bytes]:
    """Every token key held, the one in use first (CSRF tokens are checked with each)."""
    return list(token_ring(settings).keys())


@dataclass(frozen=True)
class Authenticated:
    principal: Principal
    credential: Credential


def settings_of(scope: Scope) -> Settings:
    settings: Settings = scope["app"].state.settings
    return settings


def accounts_for(settings: Settings) -> StaffAccounts:
    return staff_accounts(settings.resolved_database_url, settings.staff_account_cache_s)


async def authenticate(scope: Scope) -> Authenticated | None:
    """The caller, its token checked in full (signature, expiry, and for staff the account: no thread hop while
    the account's cached state is fresh); None when it presented no credential; TokenError when it is bad."""
    settings, credential = settings_of(scope), presented_credential(scope)
    if credential is None:
        return None
    principal = read_token(token_ring(settings), credential.token)
    if principal.is_staff and not await still_admitted(settings, principal):
        raise TokenError("revoked")
    return Authenticated(principal, credential)


async def still_admitted(settings: Settings, principal: Principal) -> bool:
    """The account still honours this staff principal (an open socket asks again every few seconds)."""
    return await accounts_for(settings).admits(principal.subject, principal.role, principal.version)


def claimed_principal(scope: Scope) -> Principal | None:
    """Whom a request claims to be (signature and expiry checked, accounts not): for attributing refusals."""
    credential = presented_credential(scope)
    if credential is None:
        return None
    try:
        return read_token(token_ring(settings_of(scope)), credential.token)
    except (TokenError, AttributeError, KeyError):
        return None


def check_csrf(scope: Scope, found: Authenticated, submitted: str | None) -> None:
    """403 unless a cookie-authorised state change carries its sign-in's CSRF token and no foreign `Origin`."""
    if not found.credential.ambient or scope.get("method", "GET") in csrf.SAFE_METHODS:
        return
    keys = token_keys(settings_of(scope))
    if not csrf.same_origin(scope) or not csrf.valid_session_token(keys, found.principal.sid, submitted):
        csrf.mark_refused(scope)
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "missing or invalid CSRF token (X-CSRF-Token), or a foreign origin"
        )


async def current_sign_in(request: Request) -> Authenticated:
    """The signed-in caller and how it proved it (bearer header or cookie); 401 when there is none or its
    token is bad, expired or revoked; 403 for a cookie-authorised state change without its CSRF token."""
    try:
        found = await authenticate(request.scope)
    except TokenError:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "invalid, expired or revoked token", headers=UNAUTHENTICATED
        ) from None
    if found is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "authentication required", headers=UNAUTHENTICATED)
    check_csrf(request.scope, found, csrf.submitted_header(request.scope))
    return found


async def current_principal(found: Annotated[Authenticated, Depends(current_sign_in)]) -> Principal:
    return found.principal


def require_role(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"requires role: {', '.join(roles)}")
        return principal

    return dependency
