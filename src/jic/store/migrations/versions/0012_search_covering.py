"""PostgreSQL: search reads the policy and filter columns from its indexes.

A query of filters alone (``lang:en tlp:amber from:2026-11-01``) lists the newest
documents by publication time; ``ix_documents_newest`` gave that order, but every row
in the date range was then read from the table to test the language, the TLP and the
sharing policy, one heap page each (publication times are not in id order): 56,000
pages for the newest 10,001 of 82,000 rows at a million documents. The index now also
holds those columns (``INCLUDE``), as SQLite's ``ix_documents_published_policy`` does,
so the scan is index-only where the visibility map allows (VACUUM; autovacuum in
service).

The full-text index also holds ``tlp`` and ``language`` (``btree_gin``, created by
0008), so ``tlp:`` and ``lang:`` are answered inside the index with the words and only
the rows that pass them are visited.

Measured at a million documents (paired runs of the 50 bench queries, load 0.8-1.8):
jic's p95 333.6 -> 238.2 ms, ``lang:en tlp:amber from:2026-11-01`` 478 -> 101 ms,
``tlp:green attack`` 438 -> 196 ms; one query slower (``source:"Wire EN 03"
from:2026-09-01`` 50-63 -> 89-99 ms without facets: the planner takes a parallel
index-only scan). The index-only scans need pages marked all-visible: autovacuum keeps
them so in service; after a bulk load run VACUUM (``jic status`` warns when autovacuum
is off). Upgrading a million documents rebuilds the full-text index: about 10 minutes
on a busy 2-core machine.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

NEWEST = (
    "CREATE INDEX ix_documents_newest ON documents (published_at DESC NULLS LAST, id DESC) "
    "INCLUDE (tlp, language, member_id, submitted_by, source_id, audience)"
)
POSTGRES_TSV_INDEX = (
    "CREATE INDEX ix_documents_tsv ON documents USING GIN (tsv, (id / 1024), tlp, language)"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_documents_newest")
    op.execute(NEWEST)
    op.execute("DROP INDEX ix_documents_tsv")
    op.execute(POSTGRES_TSV_INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_documents_tsv")
    op.execute("CREATE INDEX ix_documents_tsv ON documents USING GIN (tsv, (id / 1024))")
    op.execute("DROP INDEX ix_documents_newest")
    op.execute(
        "CREATE INDEX ix_documents_newest ON documents (published_at DESC NULLS LAST, id DESC)"
    )
