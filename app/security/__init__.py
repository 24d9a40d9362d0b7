"""Transport security for the app: security headers, WebSocket origin and role checks, denial auditing, limits.

`install(app, settings)` adds the middleware, outermost first: headers -> access -> limits -> the app.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from app.security.access import AccessMiddleware, record_scope_denial
from app.security.headers import SecurityHeadersMiddleware
from app.security.limits import LimitsMiddleware, SlowClient

__all__ = ["AccessMiddleware", "LimitsMiddleware", "SecurityHeadersMiddleware", "SlowClient", "install",
           "record_scope_denial"]


def install(app: FastAPI, settings: Any) -> None:
    # Starlette wraps in reverse order of addition: the last added is the outermost.
    app.add_middleware(LimitsMiddleware, settings=settings)
    app.add_middleware(AccessMiddleware, allowed_origins=settings.origin_list)
    app.add_middleware(SecurityHeadersMiddleware, frame_origins=settings.origin_list)
