"""`/metrics`: Prometheus exposition of the process-wide registry (engines, router, guard).

With `TRIAGE_METRICS_TOKEN` set, only a scraper presenting it (`Authorization: Bearer <token>`) gets it (401
otherwise, audited like every refusal). Without it, production answers 404; development serves it openly.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

router = APIRouter(tags=["metrics"], include_in_schema=False)


def _admit_scraper(request: Request) -> None:
    settings = request.app.state.settings
    expected = settings.metrics_token.get_secret_value().strip() if settings.metrics_token else ""
    if not expected:  # unset (an empty value, as a blank Secret gives, is unset too)
        if settings.is_production:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Not Found")
        return
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), expected.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "metrics token required", headers={"WWW-Authenticate": "Bearer"}
        )


@router.get("/metrics")
def metrics(request: Request) -> Response:
    _admit_scraper(request)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
