"""Does a turn cost more as its conversation grows? CPU per turn by turn number, in one process.

    python -m bench.turn_growth [--sessions 12] [--turns 16] [--output bench/results/turn_growth.md]

The soak (bench/soak.py) saw throughput halve as conversations grew to 15 turns. This measures the agent's own part
of a turn at each position in a conversation, with the parts that could grow with it: the real graph and runner,
redaction with the conversation's vault, the clinical engine over the conversation's earlier messages, the
embedded engine, the conversation checkpointed in SQLite and the turn's audit record in SQLite; and, beside it, the
clinician queue's write-behind copy of a session (app/hub.py, app/hub_store.py), whose transcript grows with every
turn. CPU time is the process's (`time.process_time`), the median over the sessions at each turn number; the first
two sessions warm up and are not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from agents.deps import AgentDeps
from agents.engines.local import emergency_script, local_engine
from agents.engines.router import Router
from agents.graph import build_graph
from agents.runner import TriageAgent
from agents.state import discard
from app.hub import InProcessHub, record_json
from app.hub_events import HubEvent
from app.hub_store import SqlQueueStore
from compliance.audit import AuditTrail
from compliance.phi import Redactor

OUTPUT = Path(__file__).parent / "results" / "turn_growth.md"
MESSAGES = (
    "I have had a runny nose and a sore throat since yesterday, my name is John Smith",
    "now I also have a mild headache and feel tired",
    "my temperature was 37.9 this morning",
    "I took paracetamol 1g, is that ok?",
    "the cough is dry and worse at night",
)
ANSWER_WORDS = ("Rest, drink plenty of fluids and take paracetamol if you need it. " * 8).split()
WARM_UP = 2


async def agent_turns(folder: Path, sessions: int, turns: int) -> list[list[tuple[float, dict[str, float]]]]:
    trail = AuditTrail(f"sqlite:///{folder / 'audit.db'}", Fernet.generate_key())
    trail.create_schema()
    router = Router([local_engine()], emergency_script(), first_token_timeout_s=5, total_timeout_s=10)
    by_turn: list[list[tuple[float, dict[str, float]]]] = [[] for _ in range(turns)]
    async with AsyncSqliteSaver.from_conn_string(str(folder / "checkpoints.db")) as saver:
        deps = AgentDeps(redactor=Redactor(), router=router, trail=trail, vault_key=Fernet.generate_key())
        agent = TriageAgent(build_graph(saver), deps)
        for session in range(sessions):
            for turn in range(turns):
                started = time.process_time()
                trace = await agent.handle_message(f"s{session}", MESSAGES[turn % len(MESSAGES)], discard)
                if session >= WARM_UP:
                    by_turn[turn].append(((time.process_time() - started) * 1000, dict(trace.response.node_ms)))
    trail.dispose()
    return by_turn


def one_turn(session_id: str, message_id: str) -> list[HubEvent]:
    """The hub events of one answered message, as a chat socket publishes them."""
    return [
        {"type": "patient_message", "session_id": session_id, "message_id": message_id, "text": MESSAGES[0]},
        {
            "type": "triage",
            "session_id": session_id,
            "message_id": message_id,
            "level": "self_care",
            "urgency": "sc",
            "red_flags": [],
            "rationale": "r",
            "needs_clinician": False,
            "conditions": [],
            "red_flag_labels": [],
            "findings": [],
        },
        *(
            {"type": "token", "session_id": session_id, "message_id": message_id, "text": word + " "}
            for word in ANSWER_WORDS
        ),
        {"type": "done", "session_id": session_id, "message_id": message_id, "engine": "local", "audit_id": "a"},
    ]


async def hub_turns(folder: Path, sessions: int, turns: int) -> list[tuple[float, float, int]]:
    """Per turn number: CPU ms per session to publish one turn, to write the session behind, and its size."""
    hub = InProcessHub(max_sessions=sessions * 2, store=SqlQueueStore(f"sqlite:///{folder / 'queue.db'}"))
    await hub.start()
    rows = []
    for turn in range(turns):
        started = time.process_time()
        for session in range(sessions):
            for event in one_turn(f"s{session}", f"m{session}-{turn}"):
                await hub.publish(event)
        published = time.process_time()
        await hub.close()  # writes every changed session now, as the write-behind does each second
        written = time.process_time()
        await hub.start()
        rows.append(
            (
                (published - started) * 1000 / sessions,
                (written - published) * 1000 / sessions,
                len(record_json(hub.session("s0"))),
            )
        )
    await hub.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=12)
    parser.add_argument("--turns", type=int, default=16)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        by_turn = asyncio.run(agent_turns(Path(folder), args.sessions, args.turns))
        hub = asyncio.run(hub_turns(Path(folder), 200, args.turns))
    nodes = sorted({node for turn in by_turn for _, timings in turn for node in timings})
    lines = [
        "# CPU per turn as a conversation grows (`python -m bench.turn_growth`)",
        "",
        f"{args.sessions - WARM_UP} sessions of {args.turns} turns (median per turn number); the clinician queue "
        "with 200 sessions.",
        "",
        "| turn | agent CPU ms | " + " | ".join(f"{n} ms" for n in nodes) + " | queue publish ms | queue write ms | "
        "queue record bytes |",
        "|--:|--:|" + "--:|" * len(nodes) + "--:|--:|--:|",
    ]
    for turn, (samples, (publish_ms, write_ms, size)) in enumerate(zip(by_turn, hub, strict=True), start=1):
        cpu = statistics.median(cpu for cpu, _ in samples)
        per_node = [statistics.median(timings.get(n, 0.0) for _, timings in samples) for n in nodes]
        lines.append(
            f"| {turn} | {cpu:.2f} | "
            + " | ".join(f"{v:.2f}" for v in per_node)
            + f" | {publish_ms:.2f} | {write_ms:.2f} | {size} |"
        )
    page = "\n".join(lines) + "\n"
    print(page)
    args.output.write_text(page, encoding="utf-8")


if __name__ == "__main__":
    main()
