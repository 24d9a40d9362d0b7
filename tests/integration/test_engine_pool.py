"""An engine pool over two real llama.cpp servers (SmolLM2) through the app: one behind a delaying TCP proxy, so the
pool must learn by measurement to prefer the other; then the preferred one is SIGKILLed mid-run and every turn
is still answered by a model, the survivor, with the failover inside the pool in the audit record.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from agents.engines.openai_compat import OpenAICompatibleEngine
from tests.agents.engines.fakes import request_for
from tests.support.chat_client import ask, audit_turns, next_frame, open_chat
from tests.support.delay_proxy import DelayingProxy
from tests.support.llama import SMOLLM2, RunningLlama, llama_servers
from tests.support.servers import AppProcess

pytestmark = [pytest.mark.integration, pytest.mark.llm_server]

#: Added to everything the slow server sends (a warm SmolLM2 gives its first token in tens of milliseconds).
DELAY_S = 3.0
QUESTION = "I have had a dry cough for a week"
GUARD_REPLACEMENT = "replaces an answer cut by the guard"


@pytest.fixture(scope="module")
def servers(tmp_path_factory) -> list[RunningLlama]:
    with llama_servers(tmp_path_factory.mktemp("llama"), 2) as started:
        asyncio.run(warm_up(started))
        yield started


async def warm_up(servers: list[RunningLlama]) -> None:
    """A fresh server's first answer pays for loading the model into memory and reading the system prompt, seconds
    on a busy machine: ask each once with the app's prompt for this question, so the pool measures each server's
    own pace, not its warm-up."""
    for server in servers:
        engine = OpenAICompatibleEngine("openai", server.url, SMOLLM2, max_tokens=4)
        try:
            assert [chunk async for chunk in engine.stream(request_for("consultation", QUESTION))]
        finally:
            await engine.aclose()


@pytest.fixture(scope="module")
def slow_proxy(servers):
    with DelayingProxy(("127.0.0.1", servers[0].port), delay_s=DELAY_S) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def urls(servers, slow_proxy) -> dict[str, str]:
    return {"slow": f"http://127.0.0.1:{slow_proxy.port}/v1", "fast": servers[1].url}


@pytest.fixture(scope="module")
def app(tmp_path_factory, urls):
    # The slow endpoint is listed first: configuration order alone would choose it. Generous budgets: on two shared
    # cores a loaded machine makes a model slow, not broken.
    env = {
        "TRIAGE_ENGINE": "openai",
        "TRIAGE_OPENAI_BASE_URL": f"{urls['slow']},{urls['fast']}",
        "TRIAGE_OPENAI_MODEL": SMOLLM2,
        "TRIAGE_ENGINE_MAX_TOKENS": "32",
        "TRIAGE_FIRST_TOKEN_TIMEOUT_S": "90",
        "TRIAGE_TOTAL_TIMEOUT_S": "200",
        "TRIAGE_ENGINE_LATENCY_STALE_S": "3600",
    }
    app = AppProcess(tmp_path_factory.mktemp("pool"), env).start(timeout=180)  # two model servers share the cores
    try:
        yield app
    finally:
        app.stop()


def record_of(app, session_id: str) -> list[dict]:
    return [r for r in audit_turns(app.data_dir) if r["session_id"] == session_id]


def answered_by_a_model(record: dict) -> bool:
    """Complete, and no engine failure reached the local template (the guard may still withdraw a small model's
    answer, which our template then replaces: that is a judged answer, not a lost one)."""
    attempts = record["engines_tried"]
    local = [a for a in attempts if a["engine"] == "local"]
    model = [a for a in attempts if a["engine"] == "openai" and a["outcome"] in ("used", "cut")]
    return (
        record["status"] == "complete"
        and len(model) == 1
        and all((a.get("reason") or "").startswith(GUARD_REPLACEMENT) for a in local)
    )


async def one_turn(app) -> dict:
    """One message on a fresh session (the same prompt every time: the servers' pace, not a growing history)."""
    conn, session_id = await open_chat(app.ws)
    async with conn:
        frames = await ask(conn, QUESTION)
    assert frames[0]["type"] == "triage" and frames[-1]["type"] == "done", frames[-3:]
    (record,) = record_of(app, session_id)
    return record


async def test_the_pool_learns_to_prefer_the_fast_server(app, urls):
    records = [await one_turn(app) for _ in range(10)]
    endpoints = [next(a["endpoint"] for a in r["engines_tried"] if a["outcome"] in ("used", "cut")) for r in records]
    assert endpoints[:6] == [urls["slow"]] * 3 + [urls["fast"]] * 3, "each is measured (three times), in order"
    assert endpoints[6:] == [urls["fast"]] * 4, "then the measured faster one answers"
    assert all(answered_by_a_model(r) for r in records)

    ewma = {
        name: metric(app, "triage_engine_endpoint_first_token_ewma_seconds", endpoint=url) for name, url in urls.items()
    }
    assert ewma["slow"] >= DELAY_S > ewma["fast"] > 0, ewma


async def test_a_server_killed_mid_run_loses_no_turn(app, servers, urls):
    fast = servers[1]
    sessions = [await open_chat(app.ws) for _ in range(3)]
    answering = asyncio.Event()

    async def frames_of(conn) -> list[dict]:
        frames = [await next_frame(conn)]
        while frames[-1]["type"] not in ("done", "error"):
            if frames[-1]["type"] == "token":
                answering.set()
            frames.append(await next_frame(conn))
        return frames

    try:
        for conn, _ in sessions:
            await conn.send(json.dumps({"type": "message", "text": QUESTION}))
        turns = [asyncio.create_task(frames_of(conn)) for conn, _ in sessions]
        # The three go to the fast server (its queue of three still costs less than the slow one idle). Kill it
        # the moment the first answer starts streaming: that one is cut mid-stream, the two queued behind it too.
        await asyncio.wait_for(answering.wait(), timeout=200)
        fast.kill()
        first_round = await asyncio.gather(*turns)
        # After the kill: new messages find it refused or its circuit open, and the pool asks the survivor.
        second_round = [await ask(conn, QUESTION) for conn, _ in sessions]
    finally:
        for conn, _ in sessions:
            await conn.close()

    for frames in (*first_round, *second_round):
        assert frames[0]["type"] == "triage" and frames[-1]["type"] == "done", frames[-3:]
    records = [r for _, session_id in sessions for r in record_of(app, session_id)]
    assert len(records) == 6, "one audit record per message, none lost"
    assert all(answered_by_a_model(r) for r in records), [r["engines_tried"] for r in records]
    failed_over = [r for r in records if (urls["fast"], "failed") in endpoint_outcomes(r)]
    assert failed_over, "the killed server's turns show its failure, then the survivor's answer"
    for r in failed_over:
        assert endpoint_outcomes(r)[-1][0] == urls["slow"], r["engines_tried"]
    for r in records[-3:]:
        assert endpoint_outcomes(r)[-1][0] == urls["slow"], r["engines_tried"]

    assert metric(app, "triage_engine_endpoint_failures_total", endpoint=urls["fast"]) >= 3
    assert metric(app, "triage_engine_endpoint_breaker_state", endpoint=urls["fast"]) > 0, "its circuit is open"
    assert metric(app, "triage_engine_endpoint_breaker_state", endpoint=urls["slow"]) == 0
    assert metric(app, "triage_engine_breaker_state", engine="openai") == 0, "the engine is up while one endpoint is"


def endpoint_outcomes(record: dict) -> list[tuple[str, str]]:
    """(endpoint, outcome) of each model endpoint asked, in order."""
    return [(a["endpoint"], a["outcome"]) for a in record["engines_tried"] if a["engine"] == "openai"]


def metric(app, name: str, **labels: str) -> float:
    """The sum of a metric's samples whose labels include `labels`, from the app's /metrics."""
    families = text_string_to_metric_families(httpx.get(app.http + "/metrics").text)
    return sum(
        sample.value
        for family in families
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )
