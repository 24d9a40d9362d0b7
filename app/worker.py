"""One worker process of `triage serve --workers N`, started by its master (app/supervisor.py), never by hand.

It serves the master's listening socket (`--fd`) with the app built for worker `--index`, tells the master it
accepts connections by writing one byte to `--ready-fd`, and dies with the master (Linux: PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import socket
import sys
from collections.abc import Sequence

PR_SET_PDEATHSIG = 1


def die_with(parent: int) -> None:
    """SIGKILL this process when the master dies (its markers are recovered by the next start)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the master died before the request above
        os._exit(1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.worker")
    parser.add_argument("--index", type=int, required=True)
    parser.add_argument("--link", required=True, help="the master's Unix socket")
    parser.add_argument("--fd", type=int, required=True, help="the listening socket, inherited")
    parser.add_argument("--ready-fd", type=int, required=True)
    parser.add_argument("--parent", type=int, required=True)
    args = parser.parse_args(argv)
    die_with(args.parent)

    import uvicorn

    from app.cli import UVICORN_OPTIONS
    from app.logging import configure_logging
    from app.main import create_app
    from app.settings import Settings
    from app.shutdown import GracefulServer
    from app.telemetry import configure_tracing
    from app.worker_role import WorkerRole

    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    configure_tracing(trace_file=settings.trace_file)
    listening = socket.socket(fileno=args.fd)
    app = create_app(settings, worker=WorkerRole(args.index, args.link))

    def ready() -> None:
        os.write(args.ready_fd, b"1")
        os.close(args.ready_fd)

    config = uvicorn.Config(
        app,
        log_level=settings.log_level,
        log_config=None,
        timeout_graceful_shutdown=20,
        **UVICORN_OPTIONS,  # type: ignore[arg-type]
    )
    GracefulServer(config, on_ready=ready).run(sockets=[listening])
    return 0


if __name__ == "__main__":
    sys.exit(main())
