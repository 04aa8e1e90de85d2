"""Feed items: each entry a source has listed, and what became of it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "feed_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("entry_key", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=True),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("first_seen_at", TZ, nullable=False),
        sa.Column("last_tried_at", TZ, nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=True),
        sa.UniqueConstraint("source_id", "entry_key", name="uq_feed_items_source_entry"),
    )
    op.create_index("ix_feed_items_state", "feed_items", ["source_id", "state"])
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("last_success_at", TZ, nullable=True))
        batch.add_column(sa.Column("removed_at", TZ, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("removed_at")
        batch.drop_column("last_success_at")
    op.drop_index("ix_feed_items_state", "feed_items")
    op.drop_table("feed_items")
