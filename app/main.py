"""App factory and lifespan: everything heavy (spaCy, database, graph) is built once here."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from agents.deps import AgentDeps
from agents.engines.factory import build_router
from agents.graph import build_graph
from agents.runner import TriageAgent
from app.checkpoint import open_checkpointer
from app.hub import InProcessHub
from app.routes import chat, clinician, compliance_ui, health, pages
from app.settings import Settings
from compliance.audit import AuditTrail
from compliance.phi import Redactor
from frontend import STATIC_DIR

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        async with AsyncExitStack() as stack:
            trail = AuditTrail(settings.resolved_database_url, settings.audit_key_bytes)
            trail.create_schema()
            stack.callback(trail.dispose)
            redactor = Redactor(settings.spacy_model)
            deps = AgentDeps(
                redactor=redactor,
                router=build_router(settings),
                trail=trail,
                vault_key=settings.vault_key_bytes,
                history_turns=settings.history_turns,
            )
            checkpointer = await stack.enter_async_context(open_checkpointer(settings.resolved_checkpoint_url))
            agent = TriageAgent(build_graph(checkpointer), deps)
            app.state.settings = settings
            app.state.trail = trail
            app.state.redactor = redactor
            app.state.agent = agent
            app.state.hub, app.state.checkpointer = InProcessHub(), checkpointer
            log.info("triage service ready", extra={"engines": settings.engine_chain})
            try:
                yield
            finally:
                await agent.drain()

    app = FastAPI(title="Triage", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.include_router(health.router)
    app.include_router(chat.router)
    app.include_router(pages.router)
    app.include_router(clinician.router)
    app.include_router(compliance_ui.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
