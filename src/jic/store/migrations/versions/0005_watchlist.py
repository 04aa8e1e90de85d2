"""The center's shared watchlist: what the members agree to follow.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watchlist",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(500), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(200), nullable=True),
        sa.UniqueConstraint("kind", "value", name="uq_watchlist_kind_value"),
    )


def downgrade() -> None:
    op.drop_table("watchlist")
