"""PostgreSQL: the full-text index holds each id's epoch of 16,384, not its block of
1,024, and a bounded search asks for its floor by equality on epochs.

A bounded search reads only the matches from an id floor up (``store.search._span``).
Migration 0008 put ``id / 1024`` into the GIN index so that ``id / 1024 >= floor /
1024`` was answered there. But to GIN a range on that key is a *partial match*: it
gathers every id of the range into a bitmap (700,000 at a million documents for a
floor at 30%: about 30 ms), and the rows it returns are marked for recheck, so each
candidate's tsvector was read back from TOAST and the query tested again (three
buffers a row instead of one). Asked as ``id / 16384 = ANY(epochs)``, each epoch is an
exact key whose posting tree GIN skips through beside the words', and a query without
phrases or weights needs no recheck; the exact floor (``id + 0 >= floor``) is then
tested on the rows let through, at most one epoch more than before.

Measured on the million-document bench set (the newest 10,001 matches, alternating
the two forms, median of 5, shared_buffers 128 MB, load 1.0-1.3): ``oil prices`` 104
-> 28 ms, ``refugees OR migrants`` 101 -> 26, ``Obama`` 109 -> 94, ``lang:it governo``
28 -> 11; phrases, which are rechecked either way, ``"World Cup"`` 260 -> 235,
``"prime minister"`` 124 -> 130. Building the index took 128 s at a million documents.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

POSTGRES_TSV_INDEX = (
    "CREATE INDEX ix_documents_tsv ON documents USING GIN (tsv, (id / 16384), tlp, language)"
)
_BEFORE = "CREATE INDEX ix_documents_tsv ON documents USING GIN (tsv, (id / 1024), tlp, language)"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_documents_tsv")
    op.execute(POSTGRES_TSV_INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_documents_tsv")
    op.execute(_BEFORE)
