"""Indexes for bounded search: the newest matches, found without reading every one.

SQLite: a narrow index over the columns search checks for every match. A full-text
search checks each match against the sharing policy and the field filters and groups
the matches by source, language and TLP: one lookup of the match's row in
``documents`` per match, and a documents row holds the text, so each lookup reads a
page holding one or two rows. ``ix_documents_policy`` holds the id and the columns
those checks read, a hundred entries to a page, and search reads it instead of the
table (``store/search.py`` names it with ``INDEXED BY``, so no statistics are needed
for SQLite to choose it). ``ix_documents_published_policy`` holds the same columns
by publication time first, for queries of filters alone, which list newest first.
Plain CREATE INDEX, never a batch migration: rebuilding ``documents`` would drop the
FTS5 triggers.

PostgreSQL: the full-text index also holds each id's block of 1,024 (``id /
1024``; a GIN index over both, with the ``btree_gin`` extension, which PostgreSQL
ships and trusts, so the database owner may create it). A bounded search asks for
the matches from a block on (``id / 1024 >= floor / 1024``); the index answers that
alone, so only the rows of the newest matches are visited, where the tsvector-only
index listed every match of a broad word in the table (600,000 rows in a million
documents). Blocks, not ids: a range of 300,000 ids is 300,000 keys to read in the
index (80 ms), 300 blocks are 300. On the bare ``id`` the planner would walk the
primary key instead and read every row's tsvector back from TOAST storage to test
it, ten times slower. The index keeps its name and serves the word-only searches as
before.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

POLICY_INDEX = "ix_documents_policy"
COLUMNS = "id, tlp, member_id, submitted_by, source_id, language, published_at, audience"
TIME_INDEX = "ix_documents_published_policy"
TIME_COLUMNS = "published_at, tlp, member_id, submitted_by, source_id, language, audience"
# The full-text index, as this revision builds it (bench/search_scale.py rebuilds it
# with this statement after a bulk load).
POSTGRES_TSV_INDEX = "CREATE INDEX ix_documents_tsv ON documents USING GIN (tsv, (id / 1024))"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE INDEX {POLICY_INDEX} ON documents ({COLUMNS})")
        op.execute(f"CREATE INDEX {TIME_INDEX} ON documents ({TIME_COLUMNS})")
        return
    _create_btree_gin()
    op.execute("DROP INDEX ix_documents_tsv")
    op.execute(POSTGRES_TSV_INDEX)


def _create_btree_gin() -> None:
    """btree_gin, once per database: in ``public`` where that schema exists, so that
    dropping a center's own schema (as the tests do with theirs) does not drop the
    extension and every index that uses it in other schemas; under a transaction-level
    lock, so that two centers migrating at once do not both try to create it."""
    bind = op.get_bind()
    bind.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('jic btree_gin'))")
    if bind.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'btree_gin'").first():
        return
    public = bind.exec_driver_sql("SELECT 1 FROM pg_namespace WHERE nspname = 'public'").first()
    op.execute("CREATE EXTENSION btree_gin" + (" SCHEMA public" if public else ""))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP INDEX {TIME_INDEX}")
        op.execute(f"DROP INDEX {POLICY_INDEX}")
        return
    op.execute("DROP INDEX ix_documents_tsv")
    op.execute("CREATE INDEX ix_documents_tsv ON documents USING GIN (tsv)")
