"""`triage keys list|rotate`: rotate the audit HMAC key, the vault key and the token key (issue 16).

A rotation puts a new key in use and keeps the old one as retired: audit entries name the key of their MAC
(`key_id`), vaults the key they were encrypted with, so older entries keep verifying and older vaults keep
opening. Restart the service (every replica) to start using the new keys.

Keys kept in the data directory's `secrets.json` (a laptop; generated on first start) are rotated in place.
Keys given in the environment (production) are rotated there: set the new key in `TRIAGE_<NAME>` and append
the old one to `TRIAGE_<NAME>_RETIRED_KEYS`; this command refuses to pretend it changed them.

Light at import time (argparse only). Never prints a key: only key ids.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

#: key -> (its name in secrets.json and Settings, its environment variable)
KEYS: dict[str, tuple[str, str]] = {
    "audit": ("audit_hmac_key", "TRIAGE_AUDIT_HMAC_KEY"),
    "vault": ("vault_key", "TRIAGE_VAULT_KEY"),
    "token": ("token_key", "TRIAGE_TOKEN_KEY"),
}


def new_key(name: str) -> str:
    if name == "vault":  # a Fernet key
        return base64.urlsafe_b64encode(os.urandom(32)).decode()
    return secrets.token_urlsafe(32)


def add_key_commands(subparsers: Any) -> None:
    keys = subparsers.add_parser("keys", help="list or rotate the audit, vault and token keys (ids only, never keys)")
    commands = keys.add_subparsers(dest="keys_command", required=True)
    commands.add_parser("list", help="the id of each key in use and of the retired ones").set_defaults(func=_list)
    rotate = commands.add_parser("rotate", help="put new keys in use, keeping the old ones for checking older records")
    rotate.add_argument(
        "--key", action="append", choices=sorted(KEYS), help="which key (repeatable; default all three)"
    )
    rotate.set_defaults(func=_rotate)


def _rings() -> dict[str, Any]:
    from app.settings import Settings, ensure_local_keys

    settings = Settings()
    ensure_local_keys(settings)  # a laptop's first command may be this one: its keys are made as at start-up
    return {"audit": settings.audit_keyring, "vault": settings.vault_keyring, "token": settings.token_keyring}


def _describe(rings: dict[str, Any]) -> dict[str, Any]:
    return {
        name: {
            "current": ring.current_id,
            "retired": ring.ids()[1:],
            "source": "environment" if os.environ.get(KEYS[name][1]) else "secrets.json",
        }
        for name, ring in rings.items()
    }


def _list(_args: argparse.Namespace) -> int:
    print(json.dumps(_describe(_rings())))
    return 0


def _rotate(args: argparse.Namespace) -> int:
    from app.settings import RETIRED_SUFFIX, SECRETS_FILE, Settings, ensure_local_keys

    chosen = args.key or sorted(KEYS)
    in_env = [KEYS[name][1] for name in chosen if os.environ.get(KEYS[name][1])]
    if in_env:
        print(
            f"triage keys rotate: {', '.join(in_env)} set in the environment: rotate there (the new key in the "
            "variable, the old one appended to its _RETIRED_KEYS variable), then restart every replica",
            file=sys.stderr,
        )
        return 2
    settings = Settings()
    ensure_local_keys(settings)  # makes the laptop's secrets.json when there is none yet
    path: Path = settings.data_dir / SECRETS_FILE
    stored = json.loads(path.read_text())
    for name in chosen:
        field = KEYS[name][0]
        retired = [k for k in stored.get(field + RETIRED_SUFFIX, []) if k != stored[field]]
        stored[field + RETIRED_SUFFIX] = [*retired, stored[field]]
        stored[field] = new_key(name)
    _write_secrets(path, stored)
    print(json.dumps({"rotated": chosen, "keys": _describe(_rings())}))
    print("restart the service to use the new keys", file=sys.stderr)
    return 0


def _write_secrets(path: Path, stored: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(stored, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
