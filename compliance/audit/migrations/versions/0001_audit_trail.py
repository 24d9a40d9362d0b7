"""Audit trail: HMAC-chained entries, the chain head (the writers' lock row) and purge anchors.

Revision ID: 0001_audit_trail
Revises:
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_audit_trail"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64


def upgrade() -> None:
    tables = sa.inspect(op.get_bind()).get_table_names()
    if "audit_entry" in tables and "audit_head" not in tables:
        # The unversioned first draft (MACs over another message form): kept aside, not verifiable by this chain.
        op.rename_table("audit_entry", "audit_entry_v0")
        for name in ("audit_id", "kind", "recorded_at", "session_id", "message_id", "urgency"):
            op.execute(f"DROP INDEX IF EXISTS ix_audit_entry_{name}")
    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("audit_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("session_id", sa.String(64)),
        sa.Column("message_id", sa.String(64)),
        sa.Column("urgency", sa.String(4)),
        sa.Column("level", sa.String(32)),
        sa.Column("actor", sa.String(128)),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("prev_mac", sa.String(64), nullable=False),
        sa.Column("mac", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_entry_audit_id", "audit_entry", ["audit_id"], unique=True)
    op.create_index("ix_audit_entry_kind", "audit_entry", ["kind"])
    op.create_index("ix_audit_entry_recorded_at", "audit_entry", ["recorded_at"])
    op.create_index("ix_audit_entry_session_id", "audit_entry", ["session_id"])
    op.create_index("ix_audit_entry_urgency", "audit_entry", ["urgency"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_mac", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "last_seq": 0, "last_mac": GENESIS}])
    op.create_table(
        "audit_anchor",
        sa.Column("through_seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("through_mac", sa.String(64), nullable=False),
        sa.Column("purged", sa.Integer(), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checkpoint_audit_id", sa.String(36), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_anchor")
    op.drop_table("audit_head")
    op.drop_index("ix_audit_entry_urgency", "audit_entry")
    op.drop_index("ix_audit_entry_session_id", "audit_entry")
    op.drop_index("ix_audit_entry_recorded_at", "audit_entry")
    op.drop_index("ix_audit_entry_kind", "audit_entry")
    op.drop_index("ix_audit_entry_audit_id", "audit_entry")
    op.drop_table("audit_entry")
