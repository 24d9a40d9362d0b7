"""A model that talks at length: an OpenAI-compatible server streaming a long, neutral answer at a steady pace.

For `python -m bench.overload --streams`: many answers streaming at once, so that the cost of their tokens (the
output guard judges each) competes with new messages' triage on the service's event loop. The answer explains
and advises nothing, so the output guard lets it through whole.

    python -m bench.peers.stream_model --port 8002      # BENCH_STREAM_TOKENS (200), BENCH_STREAM_DELAY_S (0.01)
"""

from __future__ import annotations

import asyncio
import json
import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from bench.peers import serve

SENTENCES = (
    "The throat is lined with a thin, moist layer of cells.",
    "Tiny hairs in the nose move mucus along all the time.",
    "The lining makes more mucus when it is irritated.",
    "Coughing moves mucus out of the airways.",
    "White blood cells gather where the lining is irritated.",
)
TOKENS = int(os.environ.get("BENCH_STREAM_TOKENS", "200"))
DELAY_S = float(os.environ.get("BENCH_STREAM_DELAY_S", "0.01"))


def words(count: int) -> list[str]:
    pool = " ".join(SENTENCES).split(" ")
    return [pool[i % len(pool)] for i in range(count)]


def chunk(text: str) -> str:
    body = {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}
    return "data: " + json.dumps(body) + "\n\n"


async def completions(request: Request) -> StreamingResponse:
    await request.body()

    async def events():
        for i, word in enumerate(words(TOKENS)):
            yield chunk(word if i == 0 else " " + word)
            await asyncio.sleep(DELAY_S)
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


async def ready(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ready"})


app = Starlette(
    routes=[
        Route("/v1/chat/completions", completions, methods=["POST"]),
        Route("/readyz", ready),
        Route("/v1/models", ready),
    ]
)

if __name__ == "__main__":
    serve(app)
