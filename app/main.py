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
from app import japanese_dictionary
from app.admission import Admission
from app.auth import accounts_for
from app.checkpoint import open_checkpointer
from app.heap import settled
from app.hub_backend import open_hub
from app.resilient_checkpoint import resilient
from app.routes import admin_pages, audit, chat, clinician, compliance_ui, health, login, metrics, pages, users
from app.security.rates import build_limiters
from app.security.stack import install as install_security
from app.settings import Settings, ensure_local_keys
from app.shutdown import OpenSockets
from app.worker_role import WorkerRole, spool_dir
from app.worker_shared import share_account_changes, shared_limiters
from compliance.audit import AuditTrail
from compliance.audit.spool import spooling
from compliance.phi import Redactor
from frontend import STATIC_DIR

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, worker: WorkerRole | None = None) -> FastAPI:
    """The service; `worker` when this process is one of `triage serve --workers N`'s (app/supervisor.py)."""
    settings = settings or Settings()
    limiters = build_limiters(settings)  # in Redis when configured: shared by the replicas
    link = worker.link() if worker is not None else None  # to the master: what the workers share
    if link is not None:
        limiters = shared_limiters(settings, link, limiters)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        ensure_local_keys(settings)  # a laptop's first start generates its keys (app/settings.py)
        async with AsyncExitStack() as stack:
            if link is not None:
                await link.open()
                stack.push_async_callback(link.close)
                share_account_changes(link, accounts_for(settings))
            chain = AuditTrail(
                settings.resolved_database_url,
                settings.audit_keyring,
                checkpoint_every=settings.audit_checkpoint_every,
                journal=settings.resolved_audit_journal,
            )
            chain.create_schema()
            trail = await stack.enter_async_context(  # the chain behind its outage spool: what the service writes to
                spooling(chain, spool_dir(settings, worker, chain, stack), write_wait_s=settings.audit_write_wait_s)
            )
            stack.callback(trail.dispose)
            stack.push_async_callback(limiters.aclose)
            redactor = Redactor(settings.spacy_model)
            japanese_dictionary.share(redactor)
            deps = AgentDeps(
                redactor=redactor,
                router=build_router(settings),
                trail=trail,
                vault_key=settings.vault_keyring,
                history_turns=settings.history_turns,
            )
            stack.push_async_callback(deps.router.aclose)
            saver = await stack.enter_async_context(open_checkpointer(settings.resolved_checkpoint_url))
            checkpointer = resilient(saver, settings.resolved_checkpoint_url)  # outages degrade, not fail (issue 8)
            agent = TriageAgent(build_graph(checkpointer), deps)
            app.state.settings = settings
            app.state.trail = trail
            app.state.redactor = redactor
            app.state.agent = agent
            hub = await stack.enter_async_context(
                open_hub(
                    settings.redis_url,
                    settings.vault_keyring,
                    settings.redis_prefix,
                    settings.resolved_database_url,
                    link=link,
                )
            )
            app.state.hub, app.state.checkpointer = hub, checkpointer
            stack.enter_context(settled())  # last: everything start-up built is frozen (app/heap.py)
            log.info("triage service ready", extra={"engines": settings.engine_chain})
            try:
                yield
            finally:
                await agent.drain()

    docs = settings.docs_enabled  # off in production (app/settings.py)
    app = FastAPI(
        title="Triage",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.settings = settings
    app.state.limiters = limiters
    app.state.open_sockets = OpenSockets()  # told to reconnect on shutdown
    app.state.admission = Admission.of(settings)  # turn slots, busy refusals, saturation (issue 20)
    app.include_router(health.router)
    app.include_router(audit.router)
    app.include_router(metrics.router)
    app.include_router(chat.router)
    app.include_router(pages.router)
    app.include_router(login.router)
    app.include_router(clinician.router)
    app.include_router(compliance_ui.router)
    app.include_router(users.router)
    app.include_router(admin_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_security(app, settings, limiters)
    return app
