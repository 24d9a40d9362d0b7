"""A transparent recording proxy for an OpenAI-compatible server: it keeps every request body it forwarded and
notices when the caller hangs up mid-stream (so a test can prove cancellation and see what the engine got)."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route


class RecordingProxy:
    def __init__(self, upstream: str, *, delay_s: float = 0.0) -> None:
        self.upstream = upstream.rstrip("/")
        self.delay_s = delay_s  # between forwarded chunks, to make a stream long enough to hang up on
        self.requests: list[dict] = []
        self.cancelled = 0
        self.completed = 0
        self.app = Starlette(routes=[Route("/v1/chat/completions", self.chat, methods=["POST"])])

    async def chat(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        client = httpx.AsyncClient(timeout=httpx.Timeout(120.0, connect=5.0))
        upstream = await client.send(
            client.build_request("POST", self.upstream + "/chat/completions", json=body), stream=True
        )
        if upstream.status_code >= 400:
            content = await upstream.aread()
            await upstream.aclose()
            await client.aclose()
            return Response(content, status_code=upstream.status_code)

        async def relay():
            try:
                async for raw in upstream.aiter_raw():
                    yield raw
                    if self.delay_s:
                        await asyncio.sleep(self.delay_s)
                self.completed += 1
            except asyncio.CancelledError:
                self.cancelled += 1
                raise
            finally:
                await upstream.aclose()
                await client.aclose()

        return StreamingResponse(relay(), media_type="text/event-stream")
