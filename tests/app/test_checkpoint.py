"""The checkpointer keeps a conversation's latest state only (SQLite at once, PostgreSQL at its sweeps), and the
conversation carries on whole."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from cryptography.fernet import Fernet

from agents.deps import AgentDeps
from agents.engines.local import emergency_script, local_engine
from agents.engines.router import Router
from agents.graph import build_graph
from agents.runner import TriageAgent
from agents.state import discard
from app.checkpoint import open_checkpointer
from compliance.audit import AuditTrail
from compliance.phi import Redactor

MESSAGES = ("I have had a sore throat since yesterday, I am John Smith", "now a mild headache", "it is 37.9 now")


async def counts(url: str, saver: Any) -> dict[str, int]:
    """Checkpoint rows per thread, and writes older than their thread's latest checkpoint."""
    writes = "writes" if url.startswith("sqlite") else "checkpoint_writes"  # the savers' own table names
    query = (
        "SELECT thread_id, count(*) FROM checkpoints GROUP BY thread_id",
        f"SELECT count(*) FROM {writes} w WHERE checkpoint_id < "
        "(SELECT max(checkpoint_id) FROM checkpoints c WHERE c.thread_id = w.thread_id)",
    )
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            found = dict(conn.execute(query[0]).fetchall())
            found["older writes"] = conn.execute(query[1]).fetchone()[0]
        return found
    async with saver.conn.connection() as conn, conn.cursor() as cur:
        await cur.execute(query[0])
        found = {row["thread_id"]: row["count"] for row in await cur.fetchall()}
        await cur.execute(query[1])
        found["older writes"] = (await cur.fetchone())["count"]
    return found


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.integration])])
def checkpoint_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'checkpoints.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


async def test_each_turn_replaces_the_conversations_checkpoint_and_the_history_is_kept(tmp_path, checkpoint_url):
    trail = AuditTrail(f"sqlite:///{tmp_path / 'audit.db'}", b"test-audit-key-not-for-production")
    trail.create_schema()
    router = Router([local_engine()], emergency_script(), first_token_timeout_s=5, total_timeout_s=10)
    async with open_checkpointer(checkpoint_url) as saver:
        graph = build_graph(saver)
        deps = AgentDeps(redactor=Redactor(), router=router, trail=trail, vault_key=Fernet.generate_key())
        agent = TriageAgent(graph, deps)
        for text in MESSAGES:
            await agent.handle_message("kept", text, discard)
        await agent.handle_message("other", "I have a cough", discard)
        if not checkpoint_url.startswith("sqlite"):
            assert await saver.prune_saved() == 2  # the sweep that runs every PRUNE_EVERY_S, now
        state = await graph.aget_state({"configurable": {"thread_id": "kept"}})
        found = await counts(checkpoint_url, saver)
    trail.dispose()
    conversation = state.values["conversation"]
    assert [turn["role"] for turn in conversation] == ["user", "assistant"] * len(MESSAGES)
    assert "John Smith" not in conversation[0]["content"] and "sore throat" in conversation[0]["content"]
    assert state.values["vault"]  # the name's placeholder is still resolvable for the next answer
    assert found == {"kept": 1, "other": 1, "older writes": 0}


@pytest.mark.postgres
@pytest.mark.integration
async def test_a_locked_checkpoint_table_does_not_hold_up_a_stopping_service(
    tmp_path, postgres_schema_url, monkeypatch
):
    import asyncio
    import time

    import psycopg

    from app import checkpoint_postgres

    monkeypatch.setattr(checkpoint_postgres, "PRUNE_AT_STOP_S", 0.5)
    trail = AuditTrail(f"sqlite:///{tmp_path / 'audit.db'}", b"test-audit-key-not-for-production")
    trail.create_schema()
    router = Router([local_engine()], emergency_script(), first_token_timeout_s=5, total_timeout_s=10)
    locker = psycopg.connect(postgres_schema_url)  # a second process's connection: holds the lock until closed
    try:
        context = open_checkpointer(postgres_schema_url)
        saver = await context.__aenter__()
        agent = TriageAgent(
            build_graph(saver),
            AgentDeps(redactor=Redactor(), router=router, trail=trail, vault_key=Fernet.generate_key()),
        )
        for text in MESSAGES[:2]:
            await agent.handle_message("kept", text, discard)
        assert saver.saved_threads == {"kept"}
        locker.execute("LOCK TABLE checkpoints IN ACCESS EXCLUSIVE MODE")  # the sweep's DELETE now waits
        started = time.monotonic()
        await asyncio.wait_for(context.__aexit__(None, None, None), timeout=20)
        assert time.monotonic() - started < 10, "the stop waited for the lock"
    finally:
        locker.close()
        trail.dispose()
