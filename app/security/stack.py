"""The security middleware, outermost first: headers -> access -> limits -> the app."""

from __future__ import annotations

from fastapi import FastAPI

from app.security.access import AccessMiddleware
from app.security.headers import SecurityHeadersMiddleware
from app.security.limits import LimitsMiddleware
from app.security.rates import Limiters
from app.security.unavailable import install as install_unavailable
from app.settings import Settings


def install(app: FastAPI, settings: Settings, limiters: Limiters) -> None:
    # Starlette wraps in reverse order of addition: the last added is the outermost.
    app.add_middleware(LimitsMiddleware, settings=settings, limiters=limiters)
    app.add_middleware(AccessMiddleware, allowed_origins=settings.allowed_origins)
    app.add_middleware(SecurityHeadersMiddleware, frame_origins=settings.allowed_origins)
    install_unavailable(app)  # staff requests answer 503 while the accounts database is down
