"""`triage serve --workers 2` on the embedded defaults (SQLite, no Redis): real processes, real sockets.

Which worker holds a socket is read from the outside (psutil: the worker process holding the connection's
server end); a test that needs a socket on another worker reconnects until the kernel hands it to one.
Checked: the clinician queue is shared (a clinician on one worker sees, takes over and answers a patient on the
other); a conversation continues on whichever worker its reconnect lands (the checkpoint is shared, its turns
in order); the per-address limits and account revocations hold across workers as in one process; every message
has exactly one audit record in one chain that verifies; a worker killed mid-answer is restarted and its
message recorded as interrupted; a SIGKILLed master takes its workers with it and the next start recovers
what every worker left.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from websockets.asyncio.client import connect

from app.checkpoint import open_checkpointer
from tests.security.helpers import make_staff, sign_in
from tests.support.chat_client import ask, audit_turns, next_frame
from tests.support.openai_peer import RecordingPeer
from tests.support.servers import REPO, AppProcess, openai_engine_env, serve_in_thread
from tests.support.workers import connect_on, frame_of_type, holder, start_workers, workers_of

pytestmark = pytest.mark.integration

EMERGENCY = "I have crushing chest pain spreading to my left arm and I am sweating"
MILD = "I have had a sore throat and a mild fever for two days"


async def stored_user_turns(checkpoints: Path, session_id: str) -> list[str]:
    async with open_checkpointer(str(checkpoints)) as saver:
        saved = await saver.aget_tuple({"configurable": {"thread_id": session_id, "checkpoint_ns": ""}})
    turns = saved.checkpoint["channel_values"].get("conversation", []) if saved else []
    return [t["content"] for t in turns if t["role"] == "user"]


def verify(data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "audit", "verify"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "TRIAGE_DATA_DIR": str(data_dir)},
        timeout=120,
    )


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Iterator[AppProcess]:
    data_dir = tmp_path_factory.mktemp("workers")
    make_staff(data_dir, {"dr.a": "clinician", "dr.b": "clinician", "dr.c": "clinician"})
    app = start_workers(data_dir, {"TRIAGE_MAX_CONNECTIONS_PER_ADDR": "4"})
    try:
        yield app
    finally:
        app.stop()


async def test_open_sockets_are_counted_across_workers(service):
    """TRIAGE_MAX_CONNECTIONS_PER_ADDR=4 for the whole service, not 4 per worker. The kernel may hand all four
    sockets of an address to one worker (one time in eight at random, more often under load), which proves
    nothing: then the next address of this test's own is tried (each address has a budget of its own)."""
    for last_octet in range(20, 30):  # addresses no other test here uses
        address = (f"127.0.0.{last_octet}", 0)
        open_ones = []
        try:
            for _ in range(4):
                conn = await connect(service.ws + "/ws/chat", local_addr=address)
                assert json.loads(await conn.recv())["type"] == "session"
                open_ones.append(conn)
            if len({holder(service, c) for c in open_ones}) < 2:
                continue
            refused = await connect(service.ws + "/ws/chat", local_addr=address)
            frame = json.loads(await refused.recv())
            assert frame["type"] == "error" and frame["code"] == "too_many_connections"
            await refused.close()
            return
        finally:
            for conn in open_ones:
                await conn.close()
    raise AssertionError("ten addresses' four sockets each all landed on one worker")


def test_sign_in_attempts_are_throttled_across_workers(service):
    """One budget for the service: a burst of 10 and one more every 6 s, however the attempts are spread over the
    workers (a new connection each, from an address of this test's own: the budget is per address). With a
    budget per worker the first 429 would come after about twice as many."""
    statuses = []
    started = time.monotonic()
    while 429 not in statuses and len(statuses) < 30:
        transport = httpx.HTTPTransport(local_address="127.0.0.4")
        with httpx.Client(timeout=30, transport=transport) as client:  # a new connection: the kernel picks a worker
            reply = client.post(service.http + "/api/login", json={"username": "dr.c", "password": "wrong" * 3})
            statuses.append(reply.status_code)
    refilled = int((time.monotonic() - started) / 6) + 1  # argon2 makes each wrong guess slow: the bucket refills
    assert statuses[-1] == 429 and set(statuses[:-1]) == {401}
    assert 10 <= len(statuses) - 1 <= 10 + refilled


async def test_a_clinician_on_one_worker_sees_takes_over_and_answers_a_patient_on_the_other(service):
    token = await asyncio.to_thread(sign_in, service.http, "dr.a")
    patient, hello, patient_worker = await connect_on(service, "/ws/chat")
    session_id = hello["session_id"]
    clinician, snapshot, _ = await connect_on(service, f"/ws/clinician?token={token}", away_from=patient_worker)
    assert snapshot["type"] == "snapshot"
    try:
        answer = await ask(patient, MILD)
        assert answer[-1]["type"] == "done"
        # The clinician's worker hears the other worker's patient: the triage, the answer's tokens, the done.
        seen: dict[str, list[dict]] = {}
        async with asyncio.timeout(20):
            while "done" not in seen:
                event = await next_frame(clinician)
                if event.get("session_id") == session_id:
                    seen.setdefault(event["type"], []).append(event)
        assert seen["triage"][0]["urgency"] == answer[0]["urgency"]
        streamed = "".join(e["text"] for e in seen.get("token", []))
        assert streamed and streamed == "".join(f["text"] for f in answer if f["type"] == "token")
        # the patient's worker assembled the whole answer for `done`, though its copy keeps no transcript
        assert seen["done"][0]["text"] == streamed

        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(headers=headers, timeout=30) as staff:
            for _ in range(4):  # either worker shows the whole transcript (the master's)
                shown = (await staff.get(f"{service.http}/api/clinician/sessions/{session_id}")).json()
                assert [(e["kind"], e["text"]) for e in shown["transcript"]] == [
                    ("patient", MILD),
                    ("assistant", streamed),
                ]
            taken = await staff.post(f"{service.http}/api/clinician/sessions/{session_id}/takeover")
            assert taken.status_code == 200, taken.text
            assert await frame_of_type(patient, "handoff") == {"type": "handoff", "to": "clinician"}
            other = sign_in(service.http, "dr.b")
            for _ in range(4):  # on either worker: the session is dr.a's
                clash = await staff.post(
                    f"{service.http}/api/clinician/sessions/{session_id}/takeover",
                    headers={"Authorization": f"Bearer {other}"},
                )
                assert clash.status_code == 409, clash.text
            reply = await staff.post(
                f"{service.http}/api/clinician/sessions/{session_id}/reply", json={"text": "A nurse here: any rash?"}
            )
            assert reply.status_code == 200 and reply.json()["delivered"] is True
            assert (await frame_of_type(patient, "clinician"))["text"] == "A nurse here: any rash?"
            for _ in range(3):  # every worker's copy of the queue says who is in charge
                listed = (await staff.get(f"{service.http}/api/clinician/sessions")).json()["sessions"]
                assert next(s for s in listed if s["session_id"] == session_id)["clinician"] == "dr.a"
            released = await staff.post(f"{service.http}/api/clinician/sessions/{session_id}/release")
            assert released.status_code == 200, released.text
            assert await frame_of_type(patient, "handoff") == {"type": "handoff", "to": "agent"}
    finally:
        await patient.close()
        await clinician.close()


async def test_a_conversation_keeps_its_turns_in_order_whichever_worker_its_reconnect_lands_on(service):
    conn, hello, worker = await connect_on(service, "/ws/chat")
    session_id, resume = hello["session_id"], hello["token"]
    texts = [EMERGENCY, "what should I do while I wait", "it is getting worse now", "should I take an aspirin"]
    workers, answers = [], []
    for n, text in enumerate(texts):
        if n:  # a reconnect that lands on the other worker than the last turn's
            await conn.close()
            conn, hello, worker = await connect_on(
                service, f"/ws/chat?session_id={session_id}&resume={resume}", away_from=worker
            )
            assert hello["session_id"] == session_id and hello["resumed"] is True
        workers.append(worker)
        answers.append(await ask(conn, text))
    await conn.close()
    assert len(set(workers)) == 2 and all(a != b for a, b in itertools.pairwise(workers))
    for frames in answers:  # the first turn's emergency is remembered by the other worker's turns
        assert frames[0]["type"] == "triage" and frames[0]["urgency"] == "em" and frames[-1]["type"] == "done"
    assert await stored_user_turns(service.data_dir / "checkpoints.db", session_id) == texts
    records = [r for r in audit_turns(service.data_dir) if r["session_id"] == session_id]
    assert [r["message_id"] for r in records] == [a[-1]["message_id"] for a in answers]
    assert [r["route"] for r in records][1:] == ["emergency_follow_up"] * 3
    result = verify(service.data_dir)
    assert result.returncode == 0, result.stdout + result.stderr


async def test_a_sign_out_on_one_worker_is_honoured_by_the_other_at_once(service):
    token = await asyncio.to_thread(sign_in, service.http, "dr.b")
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(6):  # both workers read (and cache) the account
        with httpx.Client(timeout=30) as client:
            assert client.get(service.http + "/api/clinician/sessions", headers=headers).status_code == 200
    with httpx.Client(timeout=30) as client:
        assert client.post(service.http + "/api/logout", headers=headers).status_code in (200, 204)
    for _ in range(6):  # a new connection each: whichever worker answers, the token is dead
        with httpx.Client(timeout=30) as client:
            assert client.get(service.http + "/api/clinician/sessions", headers=headers).status_code == 401


async def test_metrics_are_every_workers(service):
    """Counters are summed over the workers: each scrape, whichever worker answers it, counts both answers."""
    name = "triage_engine_attempts_total"
    before = _counter(httpx.get(service.http + "/metrics").text, name)
    first, _, one = await connect_on(service, "/ws/chat")
    second, _, _ = await connect_on(service, "/ws/chat", away_from=one)
    for conn in (first, second):
        assert (await ask(conn, MILD))[-1]["type"] == "done"
        await conn.close()
    for _ in range(4):  # a new connection each: either worker answers
        assert _counter(httpx.get(service.http + "/metrics").text, name) == before + 2


def _counter(exposition: str, name: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in exposition.splitlines()
        if line.startswith(name) and not line.startswith("#")
    )


async def test_a_worker_killed_mid_answer_is_replaced_and_its_message_recorded_as_interrupted(tmp_path):
    peer = RecordingPeer(answer=" ".join(["Rest and drink plenty of fluids."] * 40), delay_s=0.03)
    with serve_in_thread(peer.app) as peer_url:
        app = start_workers(tmp_path, openai_engine_env(peer_url, "peer"))
        try:
            conn, hello, victim = await connect_on(app, "/ws/chat")
            await conn.send(json.dumps({"type": "message", "text": MILD, "client_msg_id": "cut-short"}))
            message_id = (await frame_of_type(conn, "token"))["message_id"]
            os.kill(victim, signal.SIGKILL)
            deadline = time.monotonic() + 120
            while not any(r["message_id"] == message_id for r in audit_turns(tmp_path)):
                assert time.monotonic() < deadline, "the replacement never recovered the killed worker's marker"
                await asyncio.sleep(0.2)
            assert victim not in workers_of(app) and len(workers_of(app)) == 2
            cut = next(r for r in audit_turns(tmp_path) if r["message_id"] == message_id)
            assert cut["status"] == "interrupted" and cut["error"] == "process_restarted"
            assert cut["client_msg_id"] == "cut-short" and cut["session_id"] == hello["session_id"]
            # the service kept answering meanwhile, and the patient can go on (on any worker)
            again, _, _ = await connect_on(
                app, f"/ws/chat?session_id={hello['session_id']}&resume={hello['token']}", away_from=victim
            )
            assert (await ask(again, "it is a bit better now"))[-1]["type"] == "done"
            await again.close()
        finally:
            app.stop()
    result = verify(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


async def test_a_sigkilled_master_takes_its_workers_and_the_next_start_recovers_every_workers_markers(tmp_path):
    peer = RecordingPeer(answer=" ".join(["Rest and drink plenty of fluids."] * 40), delay_s=0.03)
    with serve_in_thread(peer.app) as peer_url:
        env = openai_engine_env(peer_url, "peer")
        app = start_workers(tmp_path, env)
        workers = workers_of(app)
        try:
            first, _, one = await connect_on(app, "/ws/chat")
            second, _, _ = await connect_on(app, "/ws/chat", away_from=one)
            in_flight = []
            for conn in (first, second):
                await conn.send(json.dumps({"type": "message", "text": MILD}))
                in_flight.append((await frame_of_type(conn, "token"))["message_id"])
            app.proc.send_signal(signal.SIGKILL)
            app.proc.wait(timeout=10)
            deadline = time.monotonic() + 10
            while any(psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie" for pid in workers):
                assert time.monotonic() < deadline, "the workers outlived their master"
                await asyncio.sleep(0.05)
        finally:
            app.stop()
        assert not any(r["message_id"] in in_flight for r in audit_turns(tmp_path))
        restarted = start_workers(tmp_path, env, port=app.port)
        restarted.stop()
    records = {r["message_id"]: r for r in audit_turns(tmp_path)}
    assert all(records[m]["status"] == "interrupted" for m in in_flight)
    result = verify(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
