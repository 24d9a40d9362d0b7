"""FastAPI dependencies: the long-lived objects the lifespan built, and who the caller is, as named types.

One family for HTTP requests and WebSockets alike: each dependency takes Starlette's `HTTPConnection` (the base
of both `Request` and `WebSocket`), so a route or a socket handler reads like its signature
(`async def reopen(hub: HubDep, principal: ClinicianPrincipal)`) and no route module declares its own.

`async def` although they await nothing: FastAPI runs a plain `def` dependency in a worker thread, a thread hop
(and under load a new thread) per request and per socket for a dictionary look-up (issue 9's profile)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from langgraph.checkpoint.base import BaseCheckpointSaver
from starlette.requests import HTTPConnection

from agents.runner import TriageAgent
from app.admission import Admission
from app.auth import Authenticated, Principal, current_principal, current_sign_in, require_role
from app.hub import Hub
from app.security.rates import Limiters
from app.settings import Settings
from app.shutdown import OpenSockets
from app.users import UserStore, user_store
from compliance.audit.spool import SpoolingTrail
from compliance.phi import Redactor


async def get_settings(connection: HTTPConnection) -> Settings:
    return connection.app.state.settings


async def get_agent(connection: HTTPConnection) -> TriageAgent:
    return connection.app.state.agent


async def get_trail(connection: HTTPConnection) -> SpoolingTrail:
    """The audit trail the service writes through: the chain behind its outage spool (compliance/audit/spool.py)."""
    return connection.app.state.trail


async def get_hub(connection: HTTPConnection) -> Hub:
    """The live session hub (app/hub.py): in process, or across replicas over Redis."""
    return connection.app.state.hub


async def get_redactor(connection: HTTPConnection) -> Redactor:
    return connection.app.state.redactor


async def get_checkpointer(connection: HTTPConnection) -> BaseCheckpointSaver:
    """The conversations' checkpointer (app/resilient_checkpoint.py: an outage degrades, never fails a turn)."""
    return connection.app.state.checkpointer


async def get_limiters(connection: HTTPConnection) -> Limiters:
    """The rate limiters (app/security/rates.py): in Redis when configured, shared by the replicas."""
    return connection.app.state.limiters


async def get_admission(connection: HTTPConnection) -> Admission:
    """Turn slots and busy refusals (app/admission.py)."""
    return connection.app.state.admission


async def get_open_sockets(connection: HTTPConnection) -> OpenSockets:
    """The sockets told to reconnect when this replica stops (app/shutdown.py)."""
    return connection.app.state.open_sockets


def get_users(connection: HTTPConnection) -> UserStore:
    """The staff accounts. A plain `def` on purpose: the first call in a process opens the database and creates the
    table (app/users.py), which must not block the event loop; later calls are a look-up."""
    return user_store(connection.app.state.settings.resolved_database_url)


SettingsDep = Annotated[Settings, Depends(get_settings)]
AgentDep = Annotated[TriageAgent, Depends(get_agent)]
TrailDep = Annotated[SpoolingTrail, Depends(get_trail)]
HubDep = Annotated[Hub, Depends(get_hub)]
RedactorDep = Annotated[Redactor, Depends(get_redactor)]
CheckpointerDep = Annotated[BaseCheckpointSaver, Depends(get_checkpointer)]
UsersDep = Annotated[UserStore, Depends(get_users)]
LimitersDep = Annotated[Limiters, Depends(get_limiters)]
AdmissionDep = Annotated[Admission, Depends(get_admission)]
OpenSocketsDep = Annotated[OpenSockets, Depends(get_open_sockets)]

#: The signed-in caller and how it proved it (bearer or cookie): 401 without a good credential, 403 for a
#: cookie-authorised state change without its CSRF token (app/auth.py).
SignedIn = Annotated[Authenticated, Depends(current_sign_in)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
#: The signed-in caller with one of the roles (a bearer token, or the cookie with the page's CSRF token on
#: unsafe methods: app/auth.py); 401 without a credential, 403 with another role.
CompliancePrincipal = Annotated[Principal, Depends(require_role("compliance", "admin"))]
ClinicianPrincipal = Annotated[Principal, Depends(require_role("clinician", "admin"))]
AdminPrincipal = Annotated[Principal, Depends(require_role("admin"))]
