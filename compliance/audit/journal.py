"""A second, append-only record of where the chain has been: tail truncation becomes detectable (issue 16).

Someone with write access to the database can delete the newest entries and roll `audit_head` back; the chain
alone then still verifies. So every writer also appends, after its commit, to a JSON Lines file outside the
database:

- every signed checkpoint it wrote (`{"kind": "checkpoint", "seq", "through_seq", "through_mac", "key_id",
  "signature"}`), fsync'd;
- the chain head it committed (`{"kind": "head", "seq", "mac", "key_id", "sig"}`), at most once a second per
  process (page cache only: a power cut may lose the last few, never add a wrong one).

`verify` reads it and fails when the database no longer holds what the journal saw (an entry at a noted seq
missing or with another MAC, or the chain ending before a noted seq). A line only counts when its signature
checks against a key the trail holds, so an appended forgery cannot fake an alarm or hide one.

Put the file where the database's writers cannot rewrite it: another volume, `chattr +a` (the writer opens it
O_APPEND only and never truncates or rewrites it), or ship it on to write-once storage. With several hosts, each
keeps its own journal; each one checks the shared chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from compliance.audit.chain import Signer, checkpoint_statement, signature_valid
from compliance.keys import KeyRing, key_id

log = logging.getLogger(__name__)

HEAD_EVERY_S = 1.0


def head_statement(seq: int, mac: str) -> bytes:
    return f"triage-audit-head|{seq}|{mac}".encode()


class ChainJournal:
    def __init__(self, path: Path, keys: KeyRing, *, head_every_s: float = HEAD_EVERY_S) -> None:
        self.path = Path(path)
        self._keys = keys
        self._head_every_s = head_every_s
        self._last_head_at = 0.0
        self._unnoted: tuple[int, str] | None = None  # the newest head committed but not yet in the file
        self._lock = threading.Lock()
        self.failed = False
        """The last append failed (logged as an error): the journal is behind."""

    # --- writing (after each commit) -----------------------------------------------------------------------
    def committed(self, rows: list[dict[str, Any]]) -> None:
        """Note a committed write: its checkpoints always, the head when a second has passed. Never raises."""
        lines = []
        for row in rows:
            if row["kind"] == "checkpoint":
                body = json.loads(row["content"])["checkpoint"]
                lines.append(
                    {
                        "kind": "checkpoint",
                        "seq": row["seq"],
                        "through_seq": body["through_seq"],
                        "through_mac": body["through_mac"],
                        "key_id": body["key_id"],
                        "signature": body["signature"],
                        "at": _now(),
                    }
                )
        now = time.monotonic()
        last = rows[-1]
        due = lines or now - self._last_head_at >= self._head_every_s
        if not due:
            self._unnoted = (last["seq"], last["mac"])
            return
        lines.append(self._head_line(last["seq"], last["mac"]))
        self._last_head_at = now
        self._unnoted = None
        self._append(lines, sync=any(line["kind"] == "checkpoint" for line in lines))

    def close(self) -> None:
        """Note the newest committed head if the once-a-second rule held it back (a clean shutdown)."""
        unnoted, self._unnoted = self._unnoted, None
        if unnoted is not None:
            self._append([self._head_line(*unnoted)], sync=True)

    def _head_line(self, seq: int, mac: str) -> dict[str, Any]:
        key = self._keys.current
        return {
            "kind": "head",
            "seq": seq,
            "mac": mac,
            "key_id": key_id(key),
            "sig": hmac.new(key, head_statement(seq, mac), hashlib.sha256).hexdigest(),
            "at": _now(),
        }

    def _append(self, lines: list[dict[str, Any]], *, sync: bool) -> None:
        data = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines).encode()
        try:
            with self._lock:
                new = not self.path.exists()
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                try:
                    os.write(fd, data)
                    if sync:
                        os.fsync(fd)
                finally:
                    os.close(fd)
                if new:
                    dir_fd = os.open(self.path.parent, os.O_RDONLY)
                    try:
                        os.fsync(dir_fd)
                    finally:
                        os.close(dir_fd)
            self.failed = False
        except OSError:
            self.failed = True
            log.exception("could not append to the audit chain journal %s", self.path.name)

    # --- reading (verify) ----------------------------------------------------------------------------------
    def expectations(self, signers: dict[str, Signer]) -> tuple[dict[int, str], int, int]:
        """What the chain must still hold: {seq: mac} (each checkpoint's through point, and the newest head),
        the number of trusted lines, and the number of lines ignored (torn, unsigned or signed by an unknown key)."""
        expected: dict[int, str] = {}
        newest: tuple[int, str] | None = None
        trusted = ignored = 0
        for line in self._lines():
            point = self._trusted_point(line, signers)
            if point is None:
                ignored += 1
                continue
            trusted += 1
            seq, mac, is_head = point
            if is_head:
                if newest is None or seq > newest[0]:
                    newest = (seq, mac)
            else:
                expected[seq] = mac
        if newest is not None:
            expected[newest[0]] = newest[1]
        return expected, trusted, ignored

    def _trusted_point(self, line: Any, signers: dict[str, Signer]) -> tuple[int, str, bool] | None:
        try:
            if line["kind"] == "checkpoint":
                signer = signers.get(line["key_id"])
                statement = checkpoint_statement(int(line["through_seq"]), line["through_mac"])
                if signer is None or not signature_valid(signer.public_key, statement, line["signature"]):
                    return None
                return int(line["through_seq"]), line["through_mac"], False
            if line["kind"] == "head":
                key = self._keys.get(line["key_id"])
                if key is None:
                    return None
                sig = hmac.new(key, head_statement(int(line["seq"]), line["mac"]), hashlib.sha256).hexdigest()
                if not hmac.compare_digest(sig, line["sig"]):
                    return None
                return int(line["seq"]), line["mac"], True
        except (KeyError, TypeError, ValueError):
            return None
        return None

    def _lines(self) -> Iterator[Any]:
        if not self.path.exists():
            return
        with self.path.open("rb") as fh:
            for raw in fh:
                try:
                    yield json.loads(raw)
                except ValueError:
                    yield None  # a torn last line: counted as ignored

    def exists(self) -> bool:
        return self.path.exists()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
