"""Any OpenAI-compatible chat-completions server with streaming (vLLM, llama.cpp, Ollama, GroqCloud)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from agents.engines.base import Engine, GenerationRequest
from agents.engines.breaker import parse_retry_after
from agents.engines.errors import EngineError, EngineHTTPError, EngineUnavailable, StreamBroken
from agents.engines.local import advice
from agents.engines.sse import ChatStreamDecoder
from agents.engines.templating import template
from agents.triage import Level

LEVEL_TEXT = {level.value: level.info.instruction for level in Level}

#: The number quoted in the prompt's copy of our first sentence (the patient hears the configured one).
DEFAULT_NUMBERS = {"en": "911", "ja": "119"}
_NO_CONNECTION = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
#: Statuses that say "no such route here": the next health path is tried.
_NO_ROUTE = (404, 405)


def public_url(base_url: str) -> str:
    """The base URL without credentials, query or fragment: safe for metrics labels and the audit."""
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path.rstrip("/"), "", ""))


def health_urls(base_url: str) -> tuple[str, ...]:
    """Where an OpenAI-compatible server says it is alive: `<base>/models` (vLLM, llama.cpp, Ollama, GroqCloud),
    then `/health` at the server's root (vLLM, llama.cpp's own server)."""
    base = base_url.rstrip("/")
    parts = urlsplit(base)
    root = urlunsplit((parts.scheme, parts.netloc, parts.path.removesuffix("/v1"), "", ""))
    return (base + "/models", root.rstrip("/") + "/health")


def build_messages(request: GenerationRequest) -> list[dict[str, str]]:
    """The system prompt (disposition fixed, not the model's to change) and the redacted conversation only.

    A patient is told the disposition in our own sentence before the model's answer (agents/nodes/generate.py):
    the prompt quotes it so that the model explains it rather than restating it."""
    level = request.assessment.level.value
    number = DEFAULT_NUMBERS.get(request.language, DEFAULT_NUMBERS["en"])
    said = advice(level, number, request.language).disposition if request.audience == "patient" else ""
    system = template("system_prompt.j2").render(request=request, level_text=LEVEL_TEXT[level], said=said)
    return [{"role": "system", "content": system}] + [
        {"role": turn.role, "content": turn.content} for turn in request.conversation
    ]


class OpenAICompatibleEngine(Engine):
    def __init__(
        self,
        name: str,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        client: httpx.AsyncClient | None = None,
        max_tokens: int = 256,
        temperature: float = 0.2,
    ) -> None:
        self.name = name
        self.model = model
        self.endpoint = public_url(base_url)
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._health_urls = health_urls(base_url)
        self._headers = {"Accept": "text/event-stream"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        # The router owns the first-token and total budgets; these only bound a dead socket.
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=2.0))
        self._max_tokens = max_tokens
        self._temperature = temperature

    def body(self, request: GenerationRequest) -> dict[str, Any]:
        return {
            "model": self.model,
            "messages": build_messages(request),
            "stream": True,
            "max_tokens": self._max_tokens,
            "temperature": self._temperature,
        }

    async def stream(self, request: GenerationRequest) -> AsyncGenerator[str, None]:
        decoder = ChatStreamDecoder()
        try:
            async with self._client.stream(
                "POST", self._url, json=self.body(request), headers=self._headers
            ) as response:
                if response.status_code >= 400:
                    raise EngineHTTPError(response.status_code, parse_retry_after(response.headers.get("retry-after")))
                async for line in response.aiter_lines():
                    text = decoder.feed(line)
                    if text is not None:
                        yield text
                    elif decoder.done:
                        return
        except _NO_CONNECTION as exc:
            raise EngineUnavailable(type(exc).__name__) from exc
        except httpx.HTTPError as exc:
            if decoder.complete:
                return  # the answer was finished; only the goodbye was lost
            raise StreamBroken(type(exc).__name__) from exc
        if not decoder.complete:
            raise StreamBroken("stream ended without [DONE]")

    async def health(self, timeout_s: float) -> bool | None:
        """GET the first health path that exists: 2xx healthy; an error status, no answer or a timeout not; None
        when the server has none of them (then requests alone probe it, through the breaker)."""
        headers = {k: v for k, v in self._headers.items() if k == "Authorization"}
        for url in self._health_urls:
            try:
                response = await self._client.get(url, headers=headers, timeout=timeout_s)
            except httpx.HTTPError:
                return False
            if response.status_code in _NO_ROUTE:
                continue
            self._health_urls = (url,)  # this server's path, the only one asked from now on
            return response.is_success
        return None

    async def aclose(self) -> None:
        await self._client.aclose()


__all__ = ["LEVEL_TEXT", "EngineError", "OpenAICompatibleEngine", "build_messages"]
