"""Access control at the edge, and the audit record of every refusal.

- Every HTTP 401 or 403 the app answers, from any route, is recorded as an `access_denied` audit event before
  the response leaves (the route's own `require_role` dependencies decide; this only observes). A 403 for a
  missing or wrong CSRF token is recorded with the reason `csrf`.
- WebSocket handshakes from a foreign `Origin` are refused before accept (close code 1008; the server answers
  the handshake with 403), and staff sockets refuse callers without the role: the socket is accepted only to
  say why in an error frame, then closed with 1008. The caller is found exactly as the route finds it
  (`app.auth.authenticate`: one credential parser, the account checked), so the two cannot disagree.
"""

from __future__ import annotations

import asyncio
import json
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.accounts import AccountsUnavailable
from app.auth import Principal, TokenError, authenticate, claimed_principal
from app.protocol import error_frame
from app.security import csrf
from app.security.origins import origin_allowed
from compliance.audit.denials import AccessDenied, DenialReason, record_denial

log = logging.getLogger(__name__)

#: Staff sockets and the roles they need; everything else under /ws is open to patients.
WS_ROLES: dict[str, tuple[str, ...]] = {"/ws/clinician": ("clinician", "admin")}
POLICY_VIOLATION = 1008
TRY_AGAIN_LATER = 1013


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else ""


async def socket_principal(scope: Scope, roles: tuple[str, ...]) -> tuple[Principal | None, DenialReason | None]:
    """(the caller, None) when it may open this staff socket; (whom it claimed to be, why not) otherwise."""
    try:
        found = await authenticate(scope)
    except TokenError:
        found = None
    if found is None:
        return claimed_principal(scope), "unauthenticated"
    if found.principal.role not in roles:
        return found.principal, "forbidden"
    return found.principal, None


async def refuse_staff_socket(
    scope: Scope,
    receive: Receive,
    send: Send,
    principal: Principal | None,
    reason: DenialReason,
    roles: tuple[str, ...],
) -> None:
    """Audited first, then said in an error frame, then closed with 1008."""
    await record_scope_denial(scope, POLICY_VIOLATION, reason, principal)
    signed_in = reason != "unauthenticated"
    await refuse_socket(
        receive,
        send,
        "forbidden" if signed_in else "unauthorized",
        f"requires role: {', '.join(roles)}" if signed_in else "sign-in required",
    )


async def record_scope_denial(
    scope: Scope,
    status: int,
    reason: DenialReason,
    principal: Principal | None = None,
    *,
    session_id: str | None = None,
) -> None:
    """Best effort by design: a refusal stands even when it cannot be recorded (and that failure is logged)."""
    trail = getattr(getattr(scope.get("app"), "state", None), "trail", None)
    if trail is None:
        return
    event = AccessDenied(
        actor=principal.subject if principal else "anonymous",
        role=principal.role if principal else None,
        channel="websocket" if scope["type"] == "websocket" else "http",
        method=scope.get("method"),
        target=scope.get("path", "")[:256],
        status=status,
        reason=reason,
        source=client_address(scope),
        session_id=session_id or (principal.session_id if principal else None),
    )
    try:
        await asyncio.to_thread(record_denial, trail, event)
    except Exception:
        log.exception("could not record an access denial", extra={"path": event.target, "reason": reason})


class AccessMiddleware:
    def __init__(self, app: ASGIApp, allowed_origins: list[str]) -> None:
        self.app = app
        self.allowed_origins = allowed_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.app(scope, receive, self._observing(scope, send))
        elif scope["type"] == "websocket":
            await self._socket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _observing(self, scope: Scope, send: Send) -> Send:
        async def observe(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (401, 403):
                reason: DenialReason = "unauthenticated" if message["status"] == 401 else "forbidden"
                if message["status"] == 403 and csrf.refused(scope):
                    reason = "csrf"
                await record_scope_denial(scope, message["status"], reason, claimed_principal(scope))
            await send(message)

        return observe

    async def _socket(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not origin_allowed(scope, self.allowed_origins):
            await receive()  # websocket.connect
            await record_scope_denial(scope, POLICY_VIOLATION, "origin")
            await send({"type": "websocket.close", "code": POLICY_VIOLATION, "reason": "origin not allowed"})
            return
        roles = WS_ROLES.get(scope.get("path", ""))
        if roles is not None:
            try:
                principal, refusal = await socket_principal(scope, roles)
            except AccountsUnavailable:  # fail closed, and say so: not a denial, so not audited as one
                await refuse_socket(
                    receive,
                    send,
                    "unavailable",
                    "staff accounts cannot be checked right now; try again shortly",
                    close_code=TRY_AGAIN_LATER,
                )
                return
            if refusal is not None:
                await refuse_staff_socket(scope, receive, send, principal, refusal, roles)
                return
        await self.app(scope, receive, send)


async def refuse_socket(
    receive: Receive, send: Send, code: str, detail: str, close_code: int = POLICY_VIOLATION
) -> None:
    """Accept only to say why in an error frame, then close."""
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": json.dumps(error_frame(code, detail, closing=True))})
    await send({"type": "websocket.close", "code": close_code, "reason": code})
