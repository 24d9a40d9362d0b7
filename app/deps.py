"""FastAPI dependencies: the long-lived objects the lifespan built, as named types.

`async def` although they await nothing: FastAPI runs a plain `def` dependency in a worker thread, a thread hop
(and under load a new thread) per request and per socket for a dictionary look-up (issue 9's profile)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, WebSocket

from agents.runner import TriageAgent
from app.settings import Settings
from compliance.audit import AuditTrail


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_agent_ws(websocket: WebSocket) -> TriageAgent:
    return websocket.app.state.agent


async def get_settings_ws(websocket: WebSocket) -> Settings:
    return websocket.app.state.settings


async def get_trail(request: Request) -> AuditTrail:
    return request.app.state.trail


SettingsDep = Annotated[Settings, Depends(get_settings)]
TrailDep = Annotated[AuditTrail, Depends(get_trail)]
AgentWsDep = Annotated[TriageAgent, Depends(get_agent_ws)]
SettingsWsDep = Annotated[Settings, Depends(get_settings_ws)]
