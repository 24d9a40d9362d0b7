"""A misbehaving OpenAI-compatible server for fault-injection tests: each request takes the next scripted fault.

    peer = FaultPeer()
    with serve_in_thread(peer.app) as url:
        peer.script("http_500")        # the next request gets a 500; later ones the default (a good answer)

Faults: ok, slow_first (sleeps `slow_s` before the first chunk), http_500, http_429 (Retry-After `retry_after`),
cut (a few chunks, then the connection is dropped mid-body), malformed (a good chunk, then a broken SSE line),
contradict (a fluent answer that tells the patient it is nothing serious).
"""

from __future__ import annotations

import asyncio
from collections import deque

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.support.openai_peer import SSE_DONE, sse_chunk

GOOD_ANSWER = "Please see a doctor as advised, and seek help sooner if you feel worse."
CONTRADICTING_ANSWER = "Good news: this is nothing serious, so there is no need to see a doctor. Just rest."
FAULTS = ("ok", "slow_first", "http_500", "http_429", "cut", "malformed", "contradict")


class PeerDropped(Exception):
    """Raised inside the response body so the server drops the connection mid-stream."""


class FaultPeer:
    def __init__(self, *, slow_s: float = 4.0, retry_after: int = 1, delay_s: float = 0.005) -> None:
        self.slow_s = slow_s
        self.retry_after = retry_after
        self.delay_s = delay_s
        self.requests: list[dict] = []
        self.served: list[str] = []
        self.cancelled = 0
        self._script: deque[str] = deque()
        self.app = Starlette(routes=[Route("/v1/chat/completions", self.chat, methods=["POST"])])

    def script(self, *faults: str) -> None:
        for fault in faults:
            if fault not in FAULTS:
                raise ValueError(f"unknown fault {fault!r}")
        self._script.extend(faults)

    async def chat(self, request: Request) -> Response:
        self.requests.append(await request.json())
        fault = self._script.popleft() if self._script else "ok"
        self.served.append(fault)
        if fault == "http_500":
            return JSONResponse({"error": {"message": "internal error"}}, status_code=500)
        if fault == "http_429":
            return JSONResponse(
                {"error": {"message": "rate limited"}}, status_code=429, headers={"Retry-After": str(self.retry_after)}
            )
        return StreamingResponse(self._events(fault), media_type="text/event-stream")

    async def _events(self, fault: str):
        words = (CONTRADICTING_ANSWER if fault == "contradict" else GOOD_ANSWER).split(" ")
        try:
            if fault == "slow_first":
                await asyncio.sleep(self.slow_s)
            for i, word in enumerate(words):
                if fault == "cut" and i == 4:
                    raise PeerDropped("dropping the connection mid-stream")
                if fault == "malformed" and i == 2:
                    yield 'data: {"choices": [{"delta": {"content": "oops"\n\n'
                yield sse_chunk(word if i == 0 else " " + word)
                await asyncio.sleep(self.delay_s)
            yield SSE_DONE
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
