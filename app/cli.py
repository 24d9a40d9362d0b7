"""The `triage` command line (docs/contracts.md)."""

from __future__ import annotations

import argparse
import logging
import math
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.cli_audit import add_audit_commands
from app.cli_keys import add_key_commands
from app.cli_users import add_user_commands

#: How `serve` runs uvicorn (the benchmark's peers use the same settings). uvloop, httptools and the sans-I/O
#: websockets protocol, named rather than left to "auto". No permessage-deflate: our frames are a few dozen bytes,
#: so compressing each one costs CPU for nothing, and each connection's zlib state costs memory (issue 9).
UVICORN_OPTIONS: dict[str, object] = {
    "loop": "uvloop",
    "http": "httptools",
    "ws": "websockets-sansio",
    "ws_max_size": 64 * 1024,
    "ws_per_message_deflate": False,
    "backlog": 4096,
}


def _serve(args: argparse.Namespace) -> int:
    from app.logging import configure_logging
    from app.settings import Settings

    settings = Settings()
    host = args.host or settings.host
    port = args.port or settings.port
    configure_logging(settings.log_level, settings.log_format)
    workers = args.workers or settings.workers or default_workers()
    if workers > 1:  # a master and its workers (app/supervisor.py)
        from app.supervisor import serve as serve_workers

        return serve_workers(
            settings,
            host,
            port,
            workers,
            on_ready=lambda: _announce(ready_notice(settings, host, port), settings.log_format),
        )
    # only a process that serves imports the app (seconds of models and knowledge): a master's workers do their own
    from app.main import create_app
    from app.shutdown import serve
    from app.telemetry import configure_tracing

    configure_tracing(trace_file=settings.trace_file)
    serve(
        create_app(settings),
        on_ready=lambda: _announce(ready_notice(settings, host, port), settings.log_format),
        host=host,
        port=port,
        log_level=settings.log_level,
        log_config=None,
        **UVICORN_OPTIONS,
    )
    return 0


def default_workers() -> int:
    """The cores this process may run on, and no more than its CPU quota (a container's `--cpus`) allows."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    quota = cpu_quota()
    return max(1, min(cores, math.ceil(quota))) if quota else cores


def cpu_quota() -> float | None:
    """Cores' worth of CPU time the cgroup allows (v2 `cpu.max`, v1 `cpu.cfs_quota_us`); None when unlimited."""
    for quota_file, period_file in (
        ("/sys/fs/cgroup/cpu.max", None),
        ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us"),
    ):
        try:
            fields = Path(quota_file).read_text().split()
            if period_file is not None:
                fields.append(Path(period_file).read_text().strip())
            quota, period = fields[0], fields[1]
            if quota in ("max", "-1"):
                return None
            return int(quota) / int(period)
        except (OSError, ValueError, IndexError):
            continue
    return None


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _announce(notice: str, log_format: str) -> None:
    """A person at a terminal reads the notice as text; a log collector (JSON logs, no terminal) gets one record."""
    if log_format == "text" or sys.stdout.isatty():
        print(notice, flush=True)
    else:
        logging.getLogger("triage.ready").info(notice.replace("-" * 72 + "\n", "").replace("\n" + "-" * 72, ""))


def ready_notice(settings: Any, host: str, port: int) -> str:
    """What a newcomer needs once the server is up (printed after the start-up logs, not among them): where it
    is, where its data is, and, while there is no staff account, the command that makes the first one."""
    from app.users import user_store

    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"  # noqa: S104 - a comparison, not a bind
    data_dir = settings.data_dir.resolve()
    relative = (
        ""
        if settings.data_dir.is_absolute()
        else (f"  (TRIAGE_DATA_DIR={settings.data_dir}: relative to the directory the server started in)")
    )
    lines = [f"Triage is ready: {url}/", f"Data directory: {data_dir}{relative}"]
    try:
        has_account = bool(user_store(settings.resolved_database_url).list())
    except Exception:  # noqa: BLE001 - only a hint: never stop the server for it
        has_account = True
    if not has_account:
        triage = Path(sys.executable).with_name("triage")
        where = "" if settings.database_url else f"TRIAGE_DATA_DIR={shlex.quote(str(data_dir))} "
        command = shlex.quote(str(triage)) if triage.exists() else "triage"
        lines += [
            "No staff account yet. Make the first one (from any directory; it asks for a password):",
            f"    {where}{command} users create --username admin --role admin",
            f"then sign in at {url}/login (accounts: {url}/admin/accounts, widget set-up: {url}/admin/widget).",
        ]
    rule = "-" * 72
    return "\n".join([rule, *lines, rule])


def _assess(_args: argparse.Namespace) -> int:
    from agents.triage import assess
    from app.jsonl import AssessLine, process_lines
    from compliance.language import detect

    def handle(line: AssessLine) -> dict:
        language = detect(line.text, line.lang)
        result = assess(line.text, age=line.age, sex=line.sex, lang=language)
        return {
            "language": language,
            "level": result.level.value,
            "urgency": result.urgency.value,
            "red_flags": list(result.red_flags),
            "rationale": result.rationale,
            "missing_info": list(result.missing_info),
            "needs_clinician": result.needs_clinician,
            "conditions": [c.id for c in result.conditions],
        }

    return process_lines(sys.stdin, AssessLine, handle)


def _redact(_args: argparse.Namespace) -> int:
    from app.jsonl import TextLine, process_lines
    from app.settings import Settings
    from compliance.phi import Redactor

    redactor = Redactor(Settings().spacy_model)

    def handle(line: TextLine) -> dict:
        result = redactor.redact(line.text)
        return {"redacted": result.redacted, "spans": [s.model_dump() for s in result.spans]}

    return process_lines(sys.stdin, TextLine, handle)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="triage", description="Streaming healthcare triage service")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the service")
    serve.add_argument("--host", default=None, help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8000)")
    serve.add_argument(
        "--workers",
        type=_positive,
        default=None,
        help="worker processes (default TRIAGE_WORKERS, else the number of cores); 1 serves in this process",
    )
    serve.set_defaults(func=_serve)

    commands.add_parser("assess", help="JSONL on stdin -> clinical assessment per line").set_defaults(func=_assess)
    commands.add_parser("redact", help="JSONL on stdin -> PHI-redacted text and spans per line").set_defaults(
        func=_redact
    )
    add_audit_commands(commands)
    add_key_commands(commands)
    add_user_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
