"""Streaming verification of the chain: one ordered pass, constant memory, stops at the first bad record."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import Connection, Engine, select

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
from compliance.audit.models import AuditAnchor, AuditHead
from compliance.audit.query import EntryFilter, StoredEntry, entry_query, stream

ProblemKind = Literal["edited", "deleted", "out_of_place", "bad_checkpoint", "bad_anchor", "tail_missing"]


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
    problem: Problem | None = None


def verify_chain(engine: Engine, key: bytes, signer: Signer) -> VerifyReport:
    with read_snapshot(engine) as conn:
        return _verify(conn, key, signer)


def _verify(conn: Connection, key: bytes, signer: Signer) -> VerifyReport:
    head_seq, head_mac = conn.execute(select(AuditHead.last_seq, AuditHead.last_mac).where(AuditHead.id == 1)).one()
    anchor = conn.execute(select(AuditAnchor).order_by(AuditAnchor.through_seq.desc()).limit(1)).first()
    expected, prev = 1, GENESIS
    report = VerifyReport(ok=True, checked=0, head_seq=head_seq)
    if anchor is not None:
        statement = anchor_statement(anchor.through_seq, anchor.through_mac, anchor.purged)
        if not signature_valid(signer.public_key, statement, anchor.signature):
            return _fail(report, Problem(seq=anchor.through_seq, kind="bad_anchor", detail="the purge anchor's signature is invalid"))
        expected, prev = anchor.through_seq + 1, anchor.through_mac
        report.anchored_at = anchor.through_seq
    anchor_seen = anchor is None
    problem: Problem | None = None
    checked = checkpoints = 0
    first_seq = None
    for entry in stream(conn, entry_query(EntryFilter(after_seq=expected - 1))):
        problem = _check(entry, expected, prev, key)
        if problem is None and entry.kind == "checkpoint":
            problem, body = _check_checkpoint(entry, signer)
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
    if not anchor_seen:
        return _fail(report, Problem(seq=anchor.through_seq, kind="bad_anchor", detail="no purge checkpoint in the chain for this anchor"))
    if head_seq != expected - 1 or head_mac != prev:
        return _fail(report, Problem(
            seq=expected, kind="tail_missing",
            detail=f"the chain ends at seq {expected - 1} but its head records seq {head_seq}: records at the end were deleted",
        ))
    return report


def _check(entry: StoredEntry, expected: int, prev: str, key: bytes) -> Problem | None:
    if entry.seq != expected:
        return Problem(seq=expected, kind="deleted",
                       detail=f"missing; the next record present is seq {entry.seq} (audit_id {entry.audit_id})")
    message = entry_message(entry.seq, entry.prev_mac, entry.audit_id, entry.kind, timestamp(entry.recorded_at),
                            entry.session_id, entry.message_id, entry.urgency, entry.level, entry.actor, entry.raw_content)
    mac_ok = mac_of(key, message) == entry.mac
    link_ok = entry.prev_mac == prev
    if mac_ok and link_ok:
        return None
    if link_ok:
        detail = "its content or columns no longer match its MAC"
        return Problem(seq=entry.seq, audit_id=entry.audit_id, kind="edited", detail=detail)
    detail = ("it does not follow the previous record (records reordered, inserted, or one before it removed)"
              if mac_ok else "neither its MAC nor its link to the previous record holds (inserted, reordered or renumbered)")
    return Problem(seq=entry.seq, audit_id=entry.audit_id, kind="out_of_place", detail=detail)


def _check_checkpoint(entry: StoredEntry, signer: Signer) -> tuple[Problem | None, dict]:
    body: dict = {}
    try:
        body = json.loads(entry.raw_content)["checkpoint"]
        statement = checkpoint_statement(body["through_seq"], body["through_mac"])
        good = body["through_seq"] == entry.seq - 1 and body["through_mac"] == entry.prev_mac
        good = good and signature_valid(signer.public_key, statement, body["signature"])
    except (KeyError, TypeError, ValueError):
        good = False
    if good:
        return None, body
    return Problem(seq=entry.seq, audit_id=entry.audit_id, kind="bad_checkpoint", detail="signature or position does not hold"), body


def _fail(report: VerifyReport, problem: Problem) -> VerifyReport:
    report.ok = False
    report.problem = problem
    return report
