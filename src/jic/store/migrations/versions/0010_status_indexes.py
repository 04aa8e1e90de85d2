"""Partial indexes of the few lossy documents and versions.

`jic status` counts what a reader may see in one pass over the policy index
(``store.overview.tally``), which holds neither ``lossy`` nor ``version_of``; the lossy
documents and the versions are counted apart, each from a partial index that lists only
them. The conditions are written as ``store.documents.status`` asks (``lossy = 1`` on
SQLite, ``lossy = true`` on PostgreSQL), so both planners see the index matches.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

LOSSY_INDEX = "ix_documents_lossy"
VERSIONS_INDEX = "ix_documents_versions"


def upgrade() -> None:
    lossy = "lossy = true" if op.get_bind().dialect.name == "postgresql" else "lossy = 1"
    op.execute(f"CREATE INDEX {LOSSY_INDEX} ON documents (id) WHERE {lossy}")
    op.execute(f"CREATE INDEX {VERSIONS_INDEX} ON documents (id) WHERE version_of IS NOT NULL")


def downgrade() -> None:
    op.execute(f"DROP INDEX {VERSIONS_INDEX}")
    op.execute(f"DROP INDEX {LOSSY_INDEX}")
