"""Streaming verification of the chain: one ordered pass, constant memory, stops at the first bad record.

Each entry's MAC is checked with the key its `key_id` names (entries from before key rotation carry none and
are checked with each key held); checkpoints and anchors with the signing key of any key held. With a journal
(journal.py), the chain must also still hold every checkpoint and the newest head the journal noted."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Connection, Engine, select
from sqlmodel import col

from compliance.audit.chain import (
    GENESIS,
    Signer,
    anchor_statement,
    checkpoint_statement,
    entry_message,
    mac_of,
    signature_valid,
    timestamp,
)
from compliance.audit.db import read_snapshot
from compliance.audit.journal import ChainJournal
from compliance.audit.models import AuditAnchor, AuditHead
from compliance.audit.query import EntryFilter, StoredEntry, entry_query, stream
from compliance.keys import KeyRing

ProblemKind = Literal[
    "edited", "deleted", "out_of_place", "bad_checkpoint", "bad_anchor", "tail_missing", "journal_mismatch"
]


class Problem(BaseModel):
    seq: int
    audit_id: str | None = None
    kind: ProblemKind
    detail: str

    def describe(self) -> str:
        who = f"seq {self.seq}" + (f" (audit_id {self.audit_id})" if self.audit_id else "")
        return f"first bad record: {who}: {self.kind}: {self.detail}"


class VerifyReport(BaseModel):
    ok: bool
    checked: int
    first_seq: int | None = None
    last_seq: int | None = None
    head_seq: int
    checkpoints: int = 0
    anchored_at: int | None = None
    journal_checked: int = 0
    """Journal lines whose signature held and that were compared with the chain (0: no journal)."""
    journal_ignored: int = 0
    """Journal lines left out: torn, or not signed by a key this trail holds."""
    problem: Problem | None = None


class _Keys:
    """The HMAC key per key id; entries without one (written before rotation) are tried against every key."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring
        self.legacy: bytes | None = None

    def mac_ok(self, entry_key_id: str | None, message: bytes, mac: str) -> bool:
        if entry_key_id is not None:
            key = self.ring.get(entry_key_id)
            return key is not None and mac_of(key, message) == mac
        if self.legacy is not None and mac_of(self.legacy, message) == mac:
            return True
        for key in self.ring.keys():
            if mac_of(key, message) == mac:
                self.legacy = key
                return True
        return False


def verify_chain(
    engine: Engine, keys: KeyRing | bytes, signers: dict[str, Signer] | Signer, journal: ChainJournal | None = None
) -> VerifyReport:
    ring = KeyRing.of(keys)
    if isinstance(signers, Signer):
        signers = {signers.key_id: signers}
    with read_snapshot(engine) as conn:
        return _verify(conn, _Keys(ring), signers, journal)


def _anchor_signed(signers: dict[str, Signer], statement: str, signature: str) -> bool:
    return any(signature_valid(s.public_key, statement, signature) for s in signers.values())


def _verify(conn: Connection, keys: _Keys, signers: dict[str, Signer], journal: ChainJournal | None) -> VerifyReport:
    head = select(col(AuditHead.last_seq), col(AuditHead.last_mac)).where(col(AuditHead.id) == 1)
    head_seq, head_mac = conn.execute(head).one()
    anchor = conn.execute(select(AuditAnchor).order_by(col(AuditAnchor.through_seq).desc()).limit(1)).first()
    expected, prev = 1, GENESIS
    report = VerifyReport(ok=True, checked=0, head_seq=head_seq)
    noted: dict[int, str] = {}
    if journal is not None:
        noted, report.journal_checked, report.journal_ignored = journal.expectations(signers)
    if anchor is not None:
        statement = anchor_statement(anchor.through_seq, anchor.through_mac, anchor.purged)
        if not _anchor_signed(signers, statement, anchor.signature):
            return _fail(
                report,
                Problem(seq=anchor.through_seq, kind="bad_anchor", detail="the purge anchor's signature is invalid"),
            )
        expected, prev = anchor.through_seq + 1, anchor.through_mac
        report.anchored_at = anchor.through_seq
    anchor_seen = anchor is None
    problem: Problem | None = None
    checked = checkpoints = 0
    first_seq = None
    for entry in stream(conn, entry_query(EntryFilter(after_seq=expected - 1))):
        problem = _check(entry, expected, prev, keys)
        if problem is None and entry.seq in noted and noted[entry.seq] != entry.mac:
            problem = Problem(
                seq=entry.seq,
                audit_id=entry.audit_id,
                kind="journal_mismatch",
                detail="the journal noted another record at this seq: the chain was rewritten from here",
            )
        if problem is None and entry.kind == "checkpoint":
            problem, body = _check_checkpoint(entry, signers)
            checkpoints += problem is None
            purge = body.get("purge") or {}
            if anchor is not None and purge.get("through_seq") == anchor.through_seq:
                anchor_seen = purge.get("through_mac") == anchor.through_mac
        if problem is not None:
            break
        first_seq = first_seq or entry.seq
        checked += 1
        expected, prev = entry.seq + 1, entry.mac
    report.checked, report.checkpoints, report.first_seq = checked, checkpoints, first_seq
    report.last_seq = expected - 1 if checked else None
    if problem is not None:
        return _fail(report, problem)
    if not anchor_seen and anchor is not None:
        return _fail(
            report,
            Problem(
                seq=anchor.through_seq, kind="bad_anchor", detail="no purge checkpoint in the chain for this anchor"
            ),
        )
    if head_seq != expected - 1 or head_mac != prev:
        return _fail(
            report,
            Problem(
                seq=expected,
                kind="tail_missing",
                detail=f"the chain ends at seq {expected - 1} but its head records seq {head_seq}: records at the end were deleted",
            ),
        )
    beyond = max((seq for seq in noted if seq > (anchor.through_seq if anchor is not None else 0)), default=0)
    if beyond > expected - 1:
        return _fail(
            report,
            Problem(
                seq=expected,
                kind="tail_missing",
                detail=f"the chain ends at seq {expected - 1} but the journal saw it reach seq {beyond}: records at the "
                "end were deleted and the head rolled back",
            ),
        )
    return report


def _check(entry: StoredEntry, expected: int, prev: str, keys: _Keys) -> Problem | None:
    if entry.seq != expected:
        return Problem(
            seq=expected,
            kind="deleted",
            detail=f"missing; the next record present is seq {entry.seq} (audit_id {entry.audit_id})",
        )
    message = entry_message(
        entry.seq,
        entry.prev_mac,
        entry.audit_id,
        entry.kind,
        timestamp(entry.recorded_at),
        entry.session_id,
        entry.message_id,
        entry.urgency,
        entry.level,
        entry.actor,
        entry.raw_content,
    )
    mac_ok = keys.mac_ok(entry.key_id, message, entry.mac)
    link_ok = entry.prev_mac == prev
    if mac_ok and link_ok:
        return None
    if link_ok:
        detail = "its content or columns no longer match its MAC"
        return Problem(seq=entry.seq, audit_id=entry.audit_id, kind="edited", detail=detail)
    detail = (
        "it does not follow the previous record (records reordered, inserted, or one before it removed)"
        if mac_ok
        else "neither its MAC nor its link to the previous record holds (inserted, reordered or renumbered)"
    )
    return Problem(seq=entry.seq, audit_id=entry.audit_id, kind="out_of_place", detail=detail)


def _check_checkpoint(entry: StoredEntry, signers: dict[str, Signer]) -> tuple[Problem | None, dict[str, Any]]:
    body: dict[str, Any] = {}
    try:
        body = json.loads(entry.raw_content)["checkpoint"]
        statement = checkpoint_statement(body["through_seq"], body["through_mac"])
        good = body["through_seq"] == entry.seq - 1 and body["through_mac"] == entry.prev_mac
        signer = signers.get(body["key_id"])
        good = good and signer is not None and signature_valid(signer.public_key, statement, body["signature"])
    except (KeyError, TypeError, ValueError):
        good = False
    if good:
        return None, body
    return Problem(
        seq=entry.seq, audit_id=entry.audit_id, kind="bad_checkpoint", detail="signature or position does not hold"
    ), body


def _fail(report: VerifyReport, problem: Problem) -> VerifyReport:
    report.ok = False
    report.problem = problem
    return report
