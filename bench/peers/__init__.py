"""The benchmark's peers: the floor (a bare WebSocket echo) and the naive pipeline a team would write first.

Both speak enough of the chat protocol (docs/contracts.md) for the same load client to drive them, and both run
under uvicorn with the service's own settings (`app.cli.UVICORN_OPTIONS`).
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.types import ASGIApp


def uvicorn_options() -> dict[str, object]:
    try:
        from app.cli import UVICORN_OPTIONS
    except ImportError:  # pragma: no cover - the service's CLI must import; this keeps the floor measurable
        return {"ws_max_size": 64 * 1024}
    return dict(UVICORN_OPTIONS)


def serve(app: ASGIApp, argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", **uvicorn_options())
