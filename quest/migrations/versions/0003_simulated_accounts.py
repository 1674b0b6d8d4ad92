"""Simulated accounts: rehearsal players are marked, so they never reach recruiters.

Revision ID: 0003
Revises: 0002
Create Date: 2026-02-02

Every existing account is a real one (`simulated` false).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.add_column(
            sa.Column("simulated", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.drop_column("simulated")
