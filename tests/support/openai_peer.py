"""A small OpenAI-compatible chat-completions server that records what it received and streams a canned answer."""

from __future__ import annotations

import asyncio
import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route


def sse_chunk(text: str) -> str:
    """One streamed chat-completions chunk carrying `text`, as an SSE event."""
    return (
        "data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}) + "\n\n"
    )


SSE_DONE = "data: [DONE]\n\n"


class RecordingPeer:
    def __init__(
        self, answer: str = "Please rest, drink fluids and see a doctor if it gets worse.", delay_s: float = 0.0
    ) -> None:
        self.answer = answer
        self.chunks: list[str] | None = None  # when set, streamed as they are instead of the answer word by word
        self.delay_s = delay_s
        self.cancelled = 0
        self.requests: list[dict] = []
        self.app = Starlette(routes=[Route("/v1/chat/completions", self.chat, methods=["POST"])])

    def received_text(self) -> str:
        return json.dumps(self.requests)

    async def chat(self, request: Request) -> StreamingResponse:
        self.requests.append(await request.json())

        async def events():
            try:
                for text in self.chunks if self.chunks is not None else [w + " " for w in self.answer.split(" ")]:
                    yield sse_chunk(text)
                    await asyncio.sleep(self.delay_s)
                yield SSE_DONE
            except asyncio.CancelledError:
                self.cancelled += 1
                raise

        return StreamingResponse(events(), media_type="text/event-stream")
