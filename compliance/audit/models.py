"""The audit tables. Only `audit_entry` holds events; the other two are bookkeeping for the chain.

- `audit_entry`: append-only, one row per event, HMAC-chained by `seq`. `content` is the canonical JSON the MAC
  covers; the other columns are what filters and pagination need, and the MAC covers them too (chain.py).
  `key_id` names the HMAC key of the MAC (compliance/keys.py), so keys can be rotated and old entries still verify.
- `audit_head`: one row (id 1) with the chain's last seq and MAC. Writers lock it (PostgreSQL `FOR UPDATE`,
  SQLite `BEGIN IMMEDIATE`), so every worker and replica appends to one chain in one order.
- `audit_anchor`: one row per purge: where the remaining chain now starts, signed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, DateTime, Table, Text
from sqlmodel import Field, SQLModel


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    audit_id: str = Field(max_length=36, index=True, unique=True)
    kind: str = Field(max_length=16, index=True)
    recorded_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))
    session_id: str | None = Field(default=None, max_length=64, index=True)
    message_id: str | None = Field(default=None, max_length=64)
    urgency: str | None = Field(default=None, max_length=4, index=True)
    level: str | None = Field(default=None, max_length=32)
    actor: str | None = Field(default=None, max_length=128)
    content: str = Field(sa_column=Column(Text, nullable=False))
    prev_mac: str = Field(max_length=64)
    mac: str = Field(max_length=64)
    key_id: str | None = Field(default=None, max_length=16)  # which HMAC key made `mac`; NULL before rotation (0002)


class AuditHead(SQLModel, table=True):
    __tablename__ = "audit_head"

    id: int = Field(primary_key=True)
    last_seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    last_mac: str = Field(max_length=64)


class AuditAnchor(SQLModel, table=True):
    __tablename__ = "audit_anchor"

    through_seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    through_mac: str = Field(max_length=64)
    purged: int
    purged_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    checkpoint_audit_id: str = Field(max_length=36)
    signature: str = Field(max_length=128)


# The Core tables behind the models, typed (SQLModel does not declare `__table__` to type checkers).
ENTRY_TABLE: Table = SQLModel.metadata.tables["audit_entry"]
HEAD_TABLE: Table = SQLModel.metadata.tables["audit_head"]
ANCHOR_TABLE: Table = SQLModel.metadata.tables["audit_anchor"]
TABLES = [ENTRY_TABLE, HEAD_TABLE, ANCHOR_TABLE]
