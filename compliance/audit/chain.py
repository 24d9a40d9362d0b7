"""Hash chaining and signatures.

Each entry's MAC is HMAC-SHA256 over its seq, the previous entry's MAC, its filter columns and its canonical
content. Checkpoints and purge anchors are signed with Ed25519, the key derived from the same secret, so an
auditor can check them with the public key alone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

GENESIS = "0" * 64


def canonical(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def timestamp(moment: datetime) -> str:
    """One text form for an instant whatever the database hands back (aware on PostgreSQL, naive UTC on SQLite)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds") + "Z"


def entry_message(
    seq: int,
    prev_mac: str,
    audit_id: str,
    kind: str,
    recorded_at: str,
    session_id: str | None,
    message_id: str | None,
    urgency: str | None,
    level: str | None,
    actor: str | None,
    content: str,
) -> bytes:
    head = "|".join(
        (
            str(seq),
            prev_mac,
            audit_id,
            kind,
            recorded_at,
            session_id or "",
            message_id or "",
            urgency or "",
            level or "",
            actor or "",
        )
    )
    return head.encode() + b"|" + content.encode()


def mac_of(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class Signer:
    """Ed25519 key pair derived from the audit secret: signs checkpoints and anchors."""

    def __init__(self, key: bytes) -> None:
        seed = hmac.new(key, b"triage-audit-checkpoint-ed25519", hashlib.sha256).digest()
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key = self._private.public_key()
        raw = self.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.public_hex = raw.hex()
        self.key_id = hashlib.sha256(raw).hexdigest()[:16]

    def sign(self, statement: str) -> str:
        return self._private.sign(statement.encode()).hex()


def signature_valid(public_key: Ed25519PublicKey, statement: str, signature: str) -> bool:
    try:
        public_key.verify(bytes.fromhex(signature), statement.encode())
    except (InvalidSignature, ValueError):  # ValueError: a signature that is not hex
        return False
    return True


def checkpoint_statement(through_seq: int, through_mac: str) -> str:
    return f"triage-audit-checkpoint|{through_seq}|{through_mac}"


def anchor_statement(through_seq: int, through_mac: str, purged: int) -> str:
    return f"triage-audit-anchor|{through_seq}|{through_mac}|{purged}"
