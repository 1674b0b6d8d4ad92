"""Quest revisions: every change of a quest's content, with who, when, what and the document.

Revision ID: 0002
Revises: 0001
Create Date: 2026-02-01

Each existing quest gets revision 1: its current document, by "(before revisions)".
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    revisions = op.create_table(
        "quest_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quest_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.String(length=2000), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("document", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["quest_id"], ["quest.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("quest_id", "n"),
    )
    op.create_index("ix_quest_revision_quest_id", "quest_revision", ["quest_id"])
    quest = sa.table(
        "quest",
        sa.column("id", sa.Integer()),
        sa.column("document", sa.JSON()),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    rows = [
        {
            "quest_id": q.id,
            "n": 1,
            "at": q.updated_at,
            "account_id": None,
            "by": "(before revisions)",
            "summary": "the document as it was when revisions began",
            "changes": [],
            "document": q.document,
        }
        for q in bind.execute(sa.select(quest.c.id, quest.c.document, quest.c.updated_at))
    ]
    if rows:
        op.bulk_insert(revisions, rows)


def downgrade() -> None:
    op.drop_index("ix_quest_revision_quest_id", table_name="quest_revision")
    op.drop_table("quest_revision")
