"""Audit entries name the HMAC key that made their MAC (key rotation, issue 16).

`key_id` is NULL on entries written before rotation existed: verify checks those against every key it holds.

Revision ID: 0002_entry_key_id
Revises: 0001_audit_trail
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_entry_key_id"
down_revision: str | None = "0001_audit_trail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entry") as batch:
        batch.add_column(sa.Column("key_id", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_entry") as batch:
        batch.drop_column("key_id")
