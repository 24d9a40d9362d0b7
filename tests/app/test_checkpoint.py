"""The SQLite checkpointer keeps a conversation's latest state only, and the conversation carries on whole."""

from __future__ import annotations

import sqlite3

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


def rows(path, table: str, thread: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table} WHERE thread_id = ?", (thread,)).fetchone()[0])  # noqa: S608


async def test_each_turn_replaces_the_conversations_checkpoint_and_the_history_is_kept(tmp_path):
    trail = AuditTrail(f"sqlite:///{tmp_path / 'audit.db'}", b"test-audit-key-not-for-production")
    trail.create_schema()
    router = Router([local_engine()], emergency_script(), first_token_timeout_s=5, total_timeout_s=10)
    path = tmp_path / "checkpoints.db"
    async with open_checkpointer(f"sqlite:///{path}") as saver:
        graph = build_graph(saver)
        deps = AgentDeps(redactor=Redactor(), router=router, trail=trail, vault_key=Fernet.generate_key())
        agent = TriageAgent(graph, deps)
        for text in MESSAGES:
            await agent.handle_message("kept", text, discard)
        await agent.handle_message("other", "I have a cough", discard)
        state = await graph.aget_state({"configurable": {"thread_id": "kept"}})
    trail.dispose()
    conversation = state.values["conversation"]
    assert [turn["role"] for turn in conversation] == ["user", "assistant"] * len(MESSAGES)
    assert "John Smith" not in conversation[0]["content"] and "sore throat" in conversation[0]["content"]
    assert state.values["vault"]  # the name's placeholder is still resolvable for the next answer
    assert rows(path, "checkpoints", "kept") == 1
    assert rows(path, "checkpoints", "other") == 1
    with sqlite3.connect(path) as conn:
        latest = conn.execute("SELECT max(checkpoint_id) FROM checkpoints WHERE thread_id = 'kept'").fetchone()[0]
        older_writes = conn.execute(
            "SELECT count(*) FROM writes WHERE thread_id = 'kept' AND checkpoint_id < ?", (latest,)
        ).fetchone()[0]
    assert older_writes == 0
