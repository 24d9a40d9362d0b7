"""Security headers on every HTTP response: a strict Content-Security-Policy and the usual companions.

The policy allows only this origin's own scripts, styles and connections: no inline script, no eval, no
plugins, no foreign frames. `frame-ancestors` lets the configured widget origins embed the pages. HSTS is sent
only on HTTPS (directly, or behind a proxy uvicorn trusts for X-Forwarded-Proto). The interactive API docs load
Swagger UI from its CDN with an inline bootstrap script, so `/docs` and `/redoc` get a looser policy of their own.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.security.origins import normalize_origin

DOCS_PATHS = ("/docs", "/redoc")
HSTS = "max-age=31536000; includeSubDomains"
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


def content_security_policy(frame_origins: Iterable[str], *, docs: bool = False) -> str:
    ancestors = " ".join(["'self'", *sorted({o for o in map(normalize_origin, frame_origins) if o})])
    cdn = " https://cdn.jsdelivr.net" if docs else ""
    directives = [
        "default-src 'self'",
        f"script-src 'self'{cdn}" + (" 'unsafe-inline'" if docs else ""),
        f"style-src 'self'{cdn}",
        "img-src 'self' data:" + (" https://fastapi.tiangolo.com" if docs else ""),
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        f"frame-ancestors {ancestors}",
    ]
    return "; ".join(directives)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, frame_origins: Iterable[str] = ()) -> None:
        self.app = app
        origins = list(frame_origins)
        self.policy = content_security_policy(origins)
        self.docs_policy = content_security_policy(origins, docs=True)
        self.frame_options = None if origins else "SAMEORIGIN"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        docs = path.startswith(DOCS_PATHS)
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", self.docs_policy if docs else self.policy)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Permissions-Policy", PERMISSIONS)
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                if self.frame_options:
                    headers.setdefault("X-Frame-Options", self.frame_options)
                if https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                if path.startswith("/api/"):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)
