"""Sharing and accountability: who submitted a document, and the audit log's head.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both backends: SQLite's batch mode would rebuild the
    # documents table and lose the triggers that keep its FTS5 index in step.
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("documents")}
    if "submitted_by" not in columns:  # a SQLite downgrade leaves it in place
        op.execute("ALTER TABLE documents ADD COLUMN submitted_by INTEGER REFERENCES users(id)")
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("last_id", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("entries", sa.Integer, nullable=False),
    )
    # Anchor the chain as it stands, so that deleting its last entry shows from now on.
    bind = op.get_bind()
    row = bind.execute(sa.text("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")).first()
    if row is not None:
        count = bind.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one()
        bind.execute(
            sa.text(
                "INSERT INTO audit_head (id, last_id, last_hash, entries) "
                "VALUES (1, :id, :hash, :n)"
            ),
            {"id": row.id, "hash": row.hash, "n": count},
        )


def downgrade() -> None:
    op.drop_table("audit_head")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot drop a column that holds a foreign key; leaving it is harmless
        # to revision 0003, which never reads it.
        return
    op.drop_column("documents", "submitted_by")
