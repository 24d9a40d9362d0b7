"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from agents.runner import TriageAgent
from app.admission import Admission
from compliance.audit.spool import SpoolingTrail

router = APIRouter(tags=["health"])

#: How long the readiness probe lets the audit database take its write lock (a probe writes nothing).
PROBE_WAIT_S = 0.5
#: The whole readiness check never takes longer than this (the Kubernetes probe's timeout is 3 s).
READY_TIMEOUT_S = 2.0


@router.get("/healthz")
async def healthz() -> dict:
    """The process is alive and serving."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Ready when the graph is built and the audit trail takes writes: its spool is empty, its last write reached
    the database, its chain is where this process left it, and a write could start now (a probe that takes the
    chain's write lock and writes nothing). A database that only answers reads is not ready (issue 16).

    Not ready either while the process is saturated (app/admission.py, issue 20): every turn slot taken, a message
    waiting for one, or a message refused as busy within the last `busy_retry_after_s`. Then the body says
    `"reason": "saturated"` and `admission` gives the numbers, so a load balancer steers new sockets elsewhere;
    sockets already open keep being served. `/healthz` (liveness) never looks at load."""
    state = request.app.state
    # None until the lifespan has built them (uvicorn serves nothing before, but a probe must never fail).
    agent: TriageAgent | None = getattr(state, "agent", None)
    trail: SpoolingTrail | None = getattr(state, "trail", None)
    checks: dict[str, bool] = {"graph": agent is not None}
    detail: dict[str, Any] = {}
    if trail is None:
        checks["database"] = False
    else:
        detail = trail.health()
        checks["audit_spool_empty"] = detail["spool_pending"] == 0
        checks["audit_chain"] = detail["chain_diverged"] is None
        if checks["audit_spool_empty"] and checks["audit_chain"]:
            checks["database"] = await _probe(trail)
        else:
            checks["database"] = False  # writes are going to the spool: not probed again
        detail = trail.health()
        checks["audit_writes"] = detail["write_failure"] is None
    admission: Admission | None = getattr(state, "admission", None)
    load = admission.state() if admission is not None else None
    if load is not None:
        checks["capacity"] = not load.saturated
    ready = all(checks.values())
    body: dict[str, Any] = {"status": "ready" if ready else "not_ready", "checks": checks}
    if load is not None:
        body["admission"] = load.model_dump()
        if load.saturated:
            body["reason"] = "saturated"
    if detail:  # counts and flags only: the reasons (paths, driver messages) go to the log, not to a public probe
        body["audit"] = {
            "spool_pending": detail["spool_pending"],
            "writes_failing": detail["write_failure"] is not None,
            "chain_diverged": detail["chain_diverged"] is not None,
        }
    return JSONResponse(body, status_code=200 if ready else 503)


async def _probe(trail: SpoolingTrail) -> bool:
    """Could an audit write start now (the chain's write lock taken, nothing written), within the probe's time."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(trail.probe, PROBE_WAIT_S), READY_TIMEOUT_S)
    except Exception:  # noqa: BLE001 - whatever the probe raised, the database is not ready
        return False
