"""The OpenAI-compatible engine over a mock transport: request shape, error mapping, SSE handling."""

from __future__ import annotations

import json

import httpx
import pytest

from agents.engines.errors import EngineHTTPError, EngineUnavailable, MalformedStream, StreamBroken
from agents.engines.factory import build_engine
from agents.engines.groq import GROQ_BASE_URL, GROQ_MODEL
from agents.engines.openai_compat import OpenAICompatibleEngine
from tests.agents.engines.fakes import request_for


def sse(*contents: str, done: bool = True) -> bytes:
    lines = [f"data: {json.dumps({'choices': [{'delta': {'content': c}}]})}\n\n" for c in contents]
    if done:
        lines.append("data: [DONE]\n\n")
    return "".join(lines).encode()


def engine_with(handler, **kw) -> tuple[OpenAICompatibleEngine, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request):
        seen.append(request)
        return handler(request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(record))
    return OpenAICompatibleEngine("openai", "http://peer/v1/", "m1", "sk-test", client=client, **kw), seen


async def run(engine) -> list[str]:
    return [
        chunk async for chunk in engine.stream(request_for("consultation_24", "Cough for a week, <PERSON_1> says hi"))
    ]


async def test_streams_deltas_and_sends_the_prompt_and_the_redacted_conversation_only():
    engine, seen = engine_with(lambda r: httpx.Response(200, content=sse("Hel", "lo")), max_tokens=64)
    assert await run(engine) == ["Hel", "lo"]
    (request,) = seen
    assert str(request.url) == "http://peer/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test"
    body = json.loads(request.content)
    assert body["model"] == "m1" and body["stream"] is True and body["max_tokens"] == 64
    system, user = body["messages"]
    assert system["role"] == "system" and "NOT yours to change" in system["content"]
    assert "see a doctor within 24 hours" in system["content"]
    assert user == {"role": "user", "content": "Cough for a week, <PERSON_1> says hi"}


async def test_no_api_key_means_no_authorization_header():
    seen = []
    transport = httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200, content=sse("x")))
    engine = OpenAICompatibleEngine(
        "openai", "http://peer/v1", "m", None, client=httpx.AsyncClient(transport=transport)
    )
    assert await run(engine) == ["x"]
    assert "authorization" not in seen[0].headers


async def test_http_errors_carry_status_and_retry_after():
    engine, _ = engine_with(lambda r: httpx.Response(429, headers={"Retry-After": "3"}, json={"error": "slow down"}))
    with pytest.raises(EngineHTTPError) as info:
        await run(engine)
    assert info.value.status_code == 429 and info.value.retry_after_s == 3.0 and info.value.kind == "http_429"
    engine, _ = engine_with(lambda r: httpx.Response(500, text="oops"))
    with pytest.raises(EngineHTTPError, match="HTTP 500"):
        await run(engine)


async def test_connection_errors_are_engine_unavailable():
    def refuse(request):
        raise httpx.ConnectError("refused", request=request)

    engine, _ = engine_with(refuse)
    with pytest.raises(EngineUnavailable):
        await run(engine)


async def test_a_stream_without_end_marker_is_broken():
    engine, _ = engine_with(lambda r: httpx.Response(200, content=sse("partial", done=False)))
    with pytest.raises(StreamBroken, match="without"):
        await run(engine)


async def test_a_read_error_midway_is_broken_but_after_the_finish_it_is_fine():
    class Cut(httpx.AsyncByteStream):
        def __init__(self, head: bytes) -> None:
            self.head = head

        async def __aiter__(self):
            yield self.head
            raise httpx.ReadError("connection reset")

    engine, _ = engine_with(lambda r: httpx.Response(200, stream=Cut(sse("a", "b", done=False))))
    chunks = []
    with pytest.raises(StreamBroken):  # noqa: PT012 - the stream breaks part-way through the loop
        async for chunk in engine.stream(request_for()):
            chunks.append(chunk)
    assert chunks == ["a", "b"]
    finished = b'data: {"choices": [{"delta": {"content": "end"}, "finish_reason": "stop"}]}\n\n'
    engine, _ = engine_with(lambda r: httpx.Response(200, stream=Cut(finished)))
    assert await run(engine) == ["end"]


async def test_malformed_sse_raises():
    engine, _ = engine_with(lambda r: httpx.Response(200, content=sse("ok", done=False) + b"data: {broken\n\n"))
    with pytest.raises(MalformedStream):
        await run(engine)


def test_groq_is_a_preset_of_the_openai_engine():
    class Settings:
        groq_api_key = None
        groq_model = GROQ_MODEL
        groq_base_url = GROQ_BASE_URL
        emergency_number = "911"

    engine = build_engine("groq", Settings())
    assert isinstance(engine, OpenAICompatibleEngine)
    assert engine.name == "groq" and engine.model == "llama-3.1-8b-instant"
    assert engine._url == "https://api.groq.com/openai/v1/chat/completions"  # noqa: SLF001 - the preset's endpoint
    with pytest.raises(ValueError, match="unknown engine"):
        build_engine("gpt", Settings())


@pytest.mark.parametrize(
    "routes, expected, asked",
    [
        ({"/v1/models": 200}, True, ["/v1/models"]),
        ({"/v1/models": 404, "/health": 200}, True, ["/v1/models", "/health"]),
        ({"/v1/models": 503}, False, ["/v1/models"]),
        ({"/v1/models": 401}, False, ["/v1/models"]),
        ({}, None, ["/v1/models", "/health"]),
    ],
)
async def test_health_asks_models_then_the_root_health_path(routes, expected, asked):
    engine, seen = engine_with(lambda r: httpx.Response(routes.get(r.url.path, 404)))
    assert await engine.health(0.5) is expected
    assert [r.url.path for r in seen] == asked
    assert all(r.method == "GET" and r.headers["authorization"] == "Bearer sk-test" for r in seen)


async def test_health_remembers_the_path_that_answered():
    engine, seen = engine_with(lambda r: httpx.Response(200 if r.url.path == "/health" else 404))
    assert await engine.health(0.5) and await engine.health(0.5)
    assert [r.url.path for r in seen] == ["/v1/models", "/health", "/health"]


async def test_health_of_a_server_that_does_not_answer_is_false():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    engine, _ = engine_with(refuse)
    assert await engine.health(0.5) is False


def test_the_endpoint_label_carries_no_credentials():
    engine = OpenAICompatibleEngine("openai", "https://user:pw@vllm.internal:8000/v1/?key=x", "m")
    assert engine.endpoint == "https://vllm.internal:8000/v1"
