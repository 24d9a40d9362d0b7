"""The security middleware, outermost first: headers -> access -> limits -> the app."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from app.security.access import AccessMiddleware
from app.security.headers import SecurityHeadersMiddleware
from app.security.limits import LimitsMiddleware
from app.security.rates import Limiters
from app.security.unavailable import install as install_unavailable


def install(app: FastAPI, settings: Any, limiters: Limiters) -> None:
    # Starlette wraps in reverse order of addition: the last added is the outermost.
    app.add_middleware(LimitsMiddleware, settings=settings, limiters=limiters)
    app.add_middleware(AccessMiddleware, allowed_origins=settings.origin_list)
    app.add_middleware(SecurityHeadersMiddleware, frame_origins=settings.origin_list)
    install_unavailable(app)  # staff requests answer 503 while the accounts database is down
