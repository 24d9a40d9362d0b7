"""`triage audit verify|export|purge`: the audit trail from the command line (docs/contracts.md).

Light at import time (argparse only); the database is opened when a command runs.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import socket
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from compliance.audit import AccessAction, AccessEvent, AuditTrail

FORMATS = ("csv", "jsonl", "fhir")
URGENCIES = ("em", "ne", "sc")


def iso_datetime(text: str) -> datetime:
    """argparse type: ISO 8601 date or date-time; naive means UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date or date-time: {text!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def add_audit_commands(subparsers: Any) -> None:
    audit = subparsers.add_parser("audit", help="verify, export or purge the audit trail")
    commands = audit.add_subparsers(dest="audit_command", required=True)

    commands.add_parser(
        "verify", help="check the chain; exit 0 when intact, 1 naming the first bad record"
    ).set_defaults(func=_verify)

    export = commands.add_parser(
        "export", help="write the trail (or a filtered part) as CSV, JSONL or a FHIR R4 Bundle"
    )
    export.add_argument("--format", required=True, choices=FORMATS)
    export.add_argument("--since", type=iso_datetime, help="ISO 8601, inclusive (naive means UTC)")
    export.add_argument("--until", type=iso_datetime, help="ISO 8601, exclusive (naive means UTC)")
    export.add_argument("--session", help="only this session id")
    export.add_argument("--urgency", choices=URGENCIES, help="only turns of this urgency")
    export.add_argument("-o", "--output", type=Path, help="file to write (default stdout); written whole or not at all")
    export.set_defaults(func=_export)

    purge = commands.add_parser("purge", help="delete entries older than the retention period, anchoring the rest")
    purge.add_argument("--before", type=iso_datetime, help="cut-off (default: now minus TRIAGE_AUDIT_RETENTION_DAYS)")
    purge.set_defaults(func=_purge)


class NoDatabase(Exception):
    """There is no audit database to work on: the commands never create one (issue 16)."""


def _open_trail() -> AuditTrail:
    """The service's audit trail (its key ring and journal), on a database that must already exist: a missing
    database (moved away, wrong data directory) is an error, never a fresh empty chain that verifies."""
    from app.settings import Settings, ensure_local_keys
    from compliance.audit import AuditTrail, MissingDatabase
    from compliance.audit.db import sqlite_path

    settings = Settings()
    path = sqlite_path(settings.resolved_database_url)
    if path is not None and not path.exists():  # before anything else: not even keys are made for nothing
        raise NoDatabase(
            f"no audit database at {path}; refusing to create one (check TRIAGE_DATA_DIR / TRIAGE_DATABASE_URL)"
        )
    ensure_local_keys(settings)
    trail = AuditTrail(
        settings.resolved_database_url,
        settings.audit_keyring,
        checkpoint_every=settings.audit_checkpoint_every,
        journal=settings.resolved_audit_journal,
    )
    try:
        trail.upgrade_schema()
    except MissingDatabase as exc:
        trail.dispose()
        raise NoDatabase(f"{exc}; refusing to create one (check TRIAGE_DATA_DIR / TRIAGE_DATABASE_URL)") from None
    return trail


def _cli_actor(action: AccessAction, target: str, **detail: Any) -> AccessEvent:
    from compliance.audit import AccessEvent

    return AccessEvent(
        actor=getpass.getuser(),
        role="cli",
        action=action,
        target=target,
        source=f"cli@{socket.gethostname()}",
        detail=detail,
    )


def _fail(command: str, message: str, code: int = 2) -> int:
    print(f"triage audit {command}: {message}", file=sys.stderr)
    return code


def _verify(_args: argparse.Namespace) -> int:
    try:
        trail = _open_trail()
    except NoDatabase as exc:
        return _fail("verify", str(exc))
    try:
        report = trail.verify()
    finally:
        trail.dispose()
    print(report.model_dump_json())
    if report.ok:
        return 0
    assert report.problem is not None  # noqa: S101 - a failed report names its problem
    return _fail("verify", report.problem.describe(), code=1)


def _export(args: argparse.Namespace) -> int:
    from compliance.audit import EntryFilter, InvalidFilter
    from compliance.export import export_stream

    try:
        where = EntryFilter.parse(since=args.since, until=args.until, session_id=args.session, urgency=args.urgency)
    except InvalidFilter as exc:
        return _fail("export", str(exc))
    try:
        trail = _open_trail()
    except NoDatabase as exc:
        return _fail("export", str(exc))
    try:
        _, chunks = export_stream(trail, args.format, where, _cli_actor("export", "audit_trail"))
        if args.output is None:
            for chunk in chunks:
                sys.stdout.write(chunk)
            sys.stdout.flush()
        else:
            _write_whole(args.output, chunks)
    except OSError as exc:
        return _fail("export", f"cannot write {args.output}: {exc.strerror or exc}")
    finally:
        trail.dispose()
    return 0


def _write_whole(path: Path, chunks: Any) -> None:
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            for chunk in chunks:
                out.write(chunk)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _purge(args: argparse.Namespace) -> int:
    from app.settings import Settings
    from compliance.audit import PurgeError

    before = args.before or datetime.now(UTC) - timedelta(days=Settings().audit_retention_days)
    try:
        trail = _open_trail()
    except NoDatabase as exc:
        return _fail("purge", str(exc))
    try:
        report = trail.purge(before)
        trail.record_access(_cli_actor("purge", "audit_trail", before=before.isoformat(), purged=report.purged))
    except PurgeError as exc:
        return _fail("purge", str(exc))
    finally:
        trail.dispose()
    print(json.dumps(report.model_dump(mode="json")))
    return 0
