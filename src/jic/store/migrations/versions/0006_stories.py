"""Stories: which story each document belongs to, and the clusterer's saved state.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "story_documents",
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("story_id", sa.Integer, nullable=False),
        sa.Column("is_copy", sa.Boolean, nullable=False),
        sa.Column("similarity", sa.Float, nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_story_documents_story", "story_documents", ["story_id"])
    op.create_table(
        "story_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("story_state")
    op.drop_index("ix_story_documents_story", "story_documents")
    op.drop_table("story_documents")
