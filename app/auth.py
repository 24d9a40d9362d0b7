"""Who is calling: signed bearer tokens carrying a role, checked by FastAPI dependencies.

Tokens are `base64url(json payload).hex(hmac-sha256)` signed with the service's secret key. Staff sign-in
(passwords, OIDC) issues them; patients get one bound to their session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request, status
from pydantic import BaseModel, ValidationError

Role = Literal["patient", "clinician", "compliance", "admin"]


class Principal(BaseModel):
    subject: str
    role: Role
    session_id: str | None = None
    expires_at: float


class TokenError(Exception):
    pass


def issue_token(key: bytes, subject: str, role: Role, *, ttl_s: float = 900, session_id: str | None = None) -> str:
    payload = Principal(subject=subject, role=role, session_id=session_id, expires_at=time.time() + ttl_s)
    body = base64.urlsafe_b64encode(payload.model_dump_json().encode()).decode().rstrip("=")
    return f"{body}.{_sign(key, body)}"


def read_token(key: bytes, token: str) -> Principal:
    body, _, signature = token.partition(".")
    if not body or not hmac.compare_digest(signature, _sign(key, body)):
        raise TokenError("bad signature")
    try:
        principal = Principal.model_validate(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))
    except (ValueError, ValidationError) as exc:
        raise TokenError("bad payload") from exc
    if principal.expires_at < time.time():
        raise TokenError("expired")
    return principal


def _sign(key: bytes, body: str) -> str:
    return hmac.new(key, b"token|" + body.encode(), hashlib.sha256).hexdigest()


def request_principal(request: Request) -> Principal:
    """The signed-in principal of a request (bearer header or cookie); 401 when there is none."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token if scheme.lower() == "bearer" else request.cookies.get("triage_token", "")
    if not token:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "authentication required", headers={"WWW-Authenticate": "Bearer"})
    try:
        return read_token(request.app.state.settings.token_key_bytes, token)
    except TokenError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid or expired token", headers={"WWW-Authenticate": "Bearer"}) from None


async def current_principal(request: Request) -> Principal:
    """The dependency form of `request_principal` (async: no worker-thread hop per request)."""
    return request_principal(request)


def require_role(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"requires role: {', '.join(roles)}")
        return principal

    return dependency


CompliancePrincipal = Annotated[Principal, Depends(require_role("compliance", "admin"))]
ClinicianPrincipal = Annotated[Principal, Depends(require_role("clinician", "admin"))]
