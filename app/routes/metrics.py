"""`/metrics`: Prometheus exposition of the process-wide registry (engines, router, guard); with several worker
processes, all of theirs together.

With `TRIAGE_METRICS_TOKEN` set, only a scraper presenting it (`Authorization: Bearer <token>`) gets it (401
otherwise, audited like every refusal). Without it, production answers 404; development serves it openly.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterable

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Metric, generate_latest, multiprocess
from prometheus_client.registry import Collector

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


class _Workers(Collector):
    """Under `triage serve --workers N` (PROMETHEUS_MULTIPROC_DIR set by the master, app/supervisor.py): the
    counters and histograms of every worker, summed; the gauges (live states: breakers, outstanding requests,
    active turns) of the worker answering."""

    def collect(self) -> Iterable[Metric]:
        own_gauges = [family for family in REGISTRY.collect() if family.type == "gauge"]
        names = {family.name for family in own_gauges}
        yield from (f for f in multiprocess.MultiProcessCollector(None).collect() if f.name not in names)
        yield from own_gauges


def _registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    registry.register(_Workers())
    return registry


@router.get("/metrics")
def metrics(request: Request) -> Response:
    _admit_scraper(request)
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)
