"""Exactly one audit record per message, whatever ends the turn (issue 17): the runner is the record's one owner.

The real graph and runner over a real SQLite audit trail, plain and behind the spool that keeps `received`
markers. Each turn is stopped at the start of one node in turn, in its answer's stream, or while its conversation
is saved, by cancelling it, failing there or letting its deadline pass. Every way leaves one record, with the
status that ending gives it and what the turn had reached, and no marker that a restart would record a second
time. The tests wait on events, never on the clock.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from langgraph.checkpoint.memory import InMemorySaver

import agents.graph
from agents.deps import AgentDeps
from agents.engines.local import emergency_script, local_engine
from agents.engines.router import Router
from agents.graph import NODES, build_graph
from agents.runner import ClientGone, TriageAgent
from agents.state import TurnTrace
from compliance.audit import AccessEvent, AuditTrail, ErrorEvent, TurnRecord, flat_turn
from compliance.audit.spool import SpoolingTrail
from compliance.phi import Redactor

MILD = "I have had a runny nose and a mild sore throat since yesterday"
CHEST = "My father has crushing chest pain spreading to his left arm and he is sweating"
#: A bound on every wait, so that a broken turn fails the test instead of hanging it.
PATIENCE_S = 60

#: Each node, with a message whose turn runs through it (and whether a clinician has the conversation).
STOPS = [
    ("redact", MILD, False),
    ("assess", MILD, False),
    ("route", MILD, False),
    ("emergency_script", CHEST, False),
    ("generate", MILD, False),
    ("clinician_hold", MILD, True),
    ("reply", MILD, False),
]
STOP_IDS = [stop for stop, _, _ in STOPS]


class NodeFailed(Exception):
    """The failure planted in a node (or in saving the conversation)."""


class Stop:
    """Where a turn stops: it says it got there, then fails, or waits until it is cancelled."""

    def __init__(self, *, fail: bool) -> None:
        self.fail = fail
        self.reached = asyncio.Event()

    async def __call__(self) -> None:
        self.reached.set()
        if self.fail:
            raise NodeFailed
        await asyncio.Event().wait()  # until the turn is cancelled

    async def wait(self) -> None:
        async with asyncio.timeout(PATIENCE_S):
            await self.reached.wait()


class StoppingSaver(InMemorySaver):
    """A checkpointer that stops the turn when its conversation is saved (the graph's end)."""

    def __init__(self, stop: Stop) -> None:
        super().__init__()
        self.stop = stop

    async def aput(self, *args: Any, **kwargs: Any) -> Any:
        await self.stop()
        return await super().aput(*args, **kwargs)


class HeldRecords:
    """An audit sink whose turn records wait for `release` (a slow audit database); markers it keeps none."""

    markers = None

    def __init__(self, trail: AuditTrail) -> None:
        self.trail = trail
        self.release = threading.Event()

    def record_turn(self, record: TurnRecord) -> str:
        return self.record_turns([record])[0]

    def record_turns(self, records: list[TurnRecord]) -> list[str]:
        if not self.release.wait(PATIENCE_S):  # in the group commit's worker thread
            raise TimeoutError("the test never released the record")
        return self.trail.record_turns(records)

    def record_access(self, event: AccessEvent) -> str:
        return self.trail.record_access(event)

    def record_error(self, event: ErrorEvent) -> str:
        return self.trail.record_error(event)

    def append(self, kind: str, body: dict[str, Any], **where: Any) -> str:
        return self.trail.append(kind, body, **where)


@pytest.fixture(params=["plain", "spooled"])
def sink(request: pytest.FixtureRequest, trail: AuditTrail, tmp_path: Path) -> Iterator[AuditTrail | SpoolingTrail]:
    """The plain trail, or the spooling trail that also keeps a `received` marker per message (app/main.py)."""
    if request.param == "plain":
        yield trail
        return
    spool = SpoolingTrail(trail, tmp_path / "spool")
    yield spool
    spool.close()


def make_agent(sink: Any, redactor: Redactor, graph: agents.graph.TriageGraph) -> TriageAgent:
    router = Router([local_engine()], emergency_script(), first_token_timeout_s=5, total_timeout_s=10)
    return TriageAgent(graph, AgentDeps(redactor=redactor, router=router, trail=sink, vault_key=Fernet.generate_key()))


def stopped_at(monkeypatch: pytest.MonkeyPatch, node: str, stop: Stop) -> agents.graph.TriageGraph:
    """The real graph, its `node` stopping before it runs."""
    real = dict(NODES)[node]

    async def stopping(state: Any, runtime: Any) -> Any:
        await stop()
        return await real(state, runtime)

    monkeypatch.setattr(agents.graph, "NODES", tuple((n, stopping if n == node else f) for n, f in NODES))
    return build_graph(InMemorySaver())


def turn(
    agent: TriageAgent,
    text: str,
    frames: list[dict[str, Any]],
    *,
    clinician: bool = False,
    emit: Callable[[dict[str, Any]], Any] | None = None,
    on_answered: Callable[[TurnTrace], None] | None = None,
) -> Coroutine[Any, Any, TurnTrace]:
    """One message of session `s-1`; its frames collected in `frames` unless `emit` is given."""

    async def collect(frame: dict[str, Any]) -> None:
        frames.append(frame)

    return agent.handle_message(
        "s-1", text, emit or collect, client_msg_id="c-1", clinician_in_charge=clinician, on_answered=on_answered
    )


def the_one_record(sink: Any, trail: AuditTrail, tmp_path: Path) -> dict[str, Any]:
    """The message's one turn entry; a restart would not record it again (its marker, if any, is settled)."""
    entries = [entry for entry in trail.entries() if entry.kind == "turn"]
    assert len(entries) == 1, [flat_turn(e.content)["status"] for e in entries]
    if isinstance(sink, SpoolingTrail):
        restarted = SpoolingTrail(trail, tmp_path / "spool")
        try:
            assert restarted.recover() == [], "a settled marker would be recorded again after a restart"
        finally:
            restarted.close()
        assert len([entry for entry in trail.entries() if entry.kind == "turn"]) == 1
    record = flat_turn(entries[0].content)
    assert record["session_id"] == "s-1" and record["client_msg_id"] == "c-1"
    return {**record, "audit_id": entries[0].audit_id}


def tokens(frames: list[dict[str, Any]]) -> str:
    return "".join(frame["text"] for frame in frames if frame["type"] == "token")


def assert_reached(record: dict[str, Any], stop: str, frames: list[dict[str, Any]]) -> None:
    """The record holds what the turn had done before it stopped at `stop`, and what went out is what it says."""
    redacted = stop != "redact"
    assessed = redacted and stop != "assess"
    routed = assessed and stop != "route"
    assert bool(record["redacted_text"]) == redacted
    assert (record["level"] is not None) == assessed
    assert (record["route"] is not None) == routed
    assert [frame["type"] for frame in frames if frame["type"] != "token"] == (["triage"] if assessed else [])
    assert record["output_redacted"] == tokens(frames)
    assert bool(record["output_redacted"]) == (stop == "reply")  # only `reply` comes after an answer


def test_every_node_is_a_stop() -> None:
    assert [name for name, _ in NODES] == STOP_IDS


@pytest.mark.parametrize(("stop_at", "text", "clinician"), STOPS, ids=STOP_IDS)
async def test_a_turn_cancelled_at_a_node_leaves_one_interrupted_record(
    monkeypatch, redactor, sink, trail, tmp_path, stop_at, text, clinician
):
    stop = Stop(fail=False)
    agent = make_agent(sink, redactor, stopped_at(monkeypatch, stop_at, stop))
    frames: list[dict[str, Any]] = []
    running = asyncio.create_task(turn(agent, text, frames, clinician=clinician))
    await stop.wait()
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    record = the_one_record(sink, trail, tmp_path)
    assert record["status"] == "interrupted" and record["error"] is None
    assert_reached(record, stop_at, frames)


@pytest.mark.parametrize(("stop_at", "text", "clinician"), STOPS, ids=STOP_IDS)
async def test_a_turn_failing_at_a_node_leaves_one_error_record(
    monkeypatch, redactor, sink, trail, tmp_path, stop_at, text, clinician
):
    stop = Stop(fail=True)
    agent = make_agent(sink, redactor, stopped_at(monkeypatch, stop_at, stop))
    frames: list[dict[str, Any]] = []
    with pytest.raises(NodeFailed):
        await turn(agent, text, frames, clinician=clinician)
    record = the_one_record(sink, trail, tmp_path)
    assert record["status"] == "error" and record["error"] == "NodeFailed"
    assert_reached(record, stop_at, frames)


@pytest.mark.parametrize(("stop_at", "text", "clinician"), STOPS, ids=STOP_IDS)
async def test_a_turn_past_its_deadline_at_a_node_leaves_one_interrupted_record(
    monkeypatch, redactor, sink, trail, tmp_path, stop_at, text, clinician
):
    # A deadline around the turn (the caller's `asyncio.timeout`) cancels it: recorded as interrupted, as a
    # client gone is; the caller sees the TimeoutError.
    stop = Stop(fail=False)
    agent = make_agent(sink, redactor, stopped_at(monkeypatch, stop_at, stop))
    frames: list[dict[str, Any]] = []
    deadline = asyncio.timeout(None)

    async def within_deadline() -> TurnTrace:
        async with deadline:
            return await turn(agent, text, frames, clinician=clinician)

    running = asyncio.create_task(within_deadline())
    await stop.wait()
    deadline.reschedule(asyncio.get_running_loop().time())  # the deadline passes now
    with pytest.raises(TimeoutError):
        await running
    record = the_one_record(sink, trail, tmp_path)
    assert record["status"] == "interrupted"
    assert_reached(record, stop_at, frames)


@pytest.mark.parametrize("text", [MILD, CHEST], ids=["generate", "emergency_script"])
@pytest.mark.parametrize("how", ["cancelled", "client_gone"])
async def test_a_turn_stopped_in_its_answer_stream_records_what_went_out(redactor, sink, trail, tmp_path, text, how):
    agent = make_agent(sink, redactor, build_graph(InMemorySaver()))
    frames: list[dict[str, Any]] = []
    first_token = asyncio.Event()

    async def emit(frame: dict[str, Any]) -> None:
        frames.append(frame)
        if frame["type"] == "token":
            first_token.set()
            if how == "client_gone":
                raise ClientGone
            await asyncio.Event().wait()  # a client that stopped reading

    running = asyncio.create_task(turn(agent, text, frames, emit=emit))
    async with asyncio.timeout(PATIENCE_S):
        await first_token.wait()
    if how == "cancelled":
        running.cancel()
    with pytest.raises(asyncio.CancelledError if how == "cancelled" else ClientGone):
        await running
    record = the_one_record(sink, trail, tmp_path)
    assert record["status"] == "interrupted"
    assert record["output_redacted"] == tokens(frames) != ""
    assert record["route"] == ("engine_chain" if text == MILD else "emergency_script")


@pytest.mark.parametrize("fail", [False, True], ids=["cancelled", "failing"])
async def test_a_turn_stopped_while_its_conversation_is_saved_is_recorded_complete(
    redactor, sink, trail, tmp_path, fail
):
    # The whole answer went out: the record says so, whatever happens to the conversation's state afterwards.
    stop = Stop(fail=fail)
    agent = make_agent(sink, redactor, build_graph(StoppingSaver(stop)))
    frames: list[dict[str, Any]] = []
    running = asyncio.create_task(turn(agent, MILD, frames))
    await stop.wait()
    if not fail:
        running.cancel()
    with pytest.raises(NodeFailed if fail else asyncio.CancelledError):
        await running
    record = the_one_record(sink, trail, tmp_path)
    assert record["status"] == "complete" and record["error"] is None
    assert record["output_redacted"] == tokens(frames) != ""
    assert "done" not in [frame["type"] for frame in frames]


ANSWERS = [(MILD, False), (CHEST, False), (MILD, True)]
ANSWER_IDS = ["generate", "emergency_script", "clinician_hold"]


@pytest.mark.parametrize(("text", "clinician"), ANSWERS, ids=ANSWER_IDS)
async def test_a_complete_turn_is_answered_before_its_record_and_done_carries_the_record(
    redactor, trail, tmp_path, text, clinician
):
    sink = HeldRecords(trail)
    agent = make_agent(sink, redactor, build_graph(InMemorySaver()))
    frames: list[dict[str, Any]] = []
    answered = asyncio.Event()
    running = asyncio.create_task(
        turn(agent, text, frames, clinician=clinician, on_answered=lambda _trace: answered.set())
    )
    async with asyncio.timeout(PATIENCE_S):
        await answered.wait()  # the answer is out and the conversation saved while the record still waits
    assert not running.done() and "done" not in [frame["type"] for frame in frames]
    sink.release.set()
    trace = await running
    record = the_one_record(sink, trail, tmp_path)
    assert record["status"] == "complete" and record["error"] is None
    assert frames[-1] == {
        "type": "done",
        "message_id": trace.message_id,
        "engine": None if clinician else ("local" if text == MILD else "emergency_script"),
        "audit_id": record["audit_id"],
    }
    assert record["output_redacted"] == tokens(frames)
    assert bool(record["output_redacted"]) == (not clinician)
    node = "clinician_hold" if clinician else ("generate" if text == MILD else "emergency_script")
    assert set(record["node_ms"]) >= {"redact", "assess", "route", "reply"}
    assert (node in record["node_ms"]) == (node != "clinician_hold")


async def test_a_turn_cancelled_while_its_record_is_written_still_leaves_it(redactor, trail, tmp_path):
    # The client leaves after the answer, while the audit database is slow: the record is written all the same
    # (shielded), and shutting down waits for it.
    sink = HeldRecords(trail)
    agent = make_agent(sink, redactor, build_graph(InMemorySaver()))
    frames: list[dict[str, Any]] = []
    answered = asyncio.Event()
    running = asyncio.create_task(turn(agent, MILD, frames, on_answered=lambda _trace: answered.set()))
    async with asyncio.timeout(PATIENCE_S):
        await answered.wait()
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    sink.release.set()
    await agent.drain()
    record = the_one_record(sink, trail, tmp_path)
    assert record["status"] == "complete" and record["output_redacted"] == tokens(frames) != ""
    assert "done" not in [frame["type"] for frame in frames]
