"""Document counts kept by triggers, so that what a reader may see is counted without
a pass over every document.

``store.overview.tally`` (the overview, `jic status`, the TLP banner of every page that
aggregates over the center) counted the documents a reader may see per source,
language and TLP in one pass over the policy index: about 60 ms at 100,000 documents,
ten times that at a million. ``document_counts`` holds the same counts grouped by every
column the sharing policy reads, so the policy clause runs over a few hundred groups
instead of every document, and the answer is exact.

The triggers only ever *insert* a row of +1 (a document stored, or the new values of an
updated one) or -1 (a document deleted, or the old values): no row is updated, so on
PostgreSQL two transactions storing documents of the same source never wait for each
other's counter or deadlock over two of them. ``store.overview.fold_counts`` folds the
rows back into one per group where documents are written (ingest, processing, a TLP
change), and a fold that runs beside another is safe (each deletes only the rows it
sees, and sums only what it deleted).

Rows group by source, language and TLP, and by the policy's own columns only where the
policy reads them: the owning member and the audience for AMBER, AMBER+STRICT and RED,
the submitter for RED only. Plain CREATE statements, never a batch migration: rebuilding
``documents`` would drop these triggers and the FTS5 ones.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = "source_id, language, tlp, member_id, audience, submitted_by, n"
COLUMNS_WATCHED = "source_id, language, tlp, member_id, audience, submitted_by"
RESTRICTED = "('AMBER', 'AMBER+STRICT', 'RED')"


def _group(row: str, audience: str = "") -> list[str]:
    """The group of ``row`` (``NEW``, ``OLD`` or ``documents``): the columns the policy
    reads, each only for the levels whose rule reads it; ``audience`` casts the
    audience (PostgreSQL groups it as ``::text``, json having no equality)."""
    return [
        f"{row}.source_id",
        f"{row}.language",
        f"{row}.tlp",
        f"CASE WHEN {row}.tlp IN {RESTRICTED} THEN {row}.member_id END",
        f"CASE WHEN {row}.tlp IN {RESTRICTED} THEN {row}.audience{audience} END",
        f"CASE WHEN {row}.tlp = 'RED' THEN {row}.submitted_by END",
    ]


def _insert(row: str, n: int) -> str:
    """The trigger statement adding ``n`` (+1 or -1) to ``row``'s group."""
    return f"INSERT INTO document_counts ({COLUMNS}) VALUES ({', '.join(_group(row))}, {n})"


def _changed(postgres: bool) -> str:
    """The WHEN of the update trigger: a watched column changed (NULL-safe; PostgreSQL
    compares the audience as text, json having no equality)."""
    differ = "IS DISTINCT FROM" if postgres else "IS NOT"
    text = "::text" if postgres else ""
    return " OR ".join(
        f"OLD.{c}{text if c == 'audience' else ''} {differ} NEW.{c}{text if c == 'audience' else ''}"
        for c in COLUMNS_WATCHED.split(", ")
    )


def upgrade() -> None:
    op.create_table(
        "document_counts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, nullable=True),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("tlp", sa.String(16), nullable=False),
        sa.Column("member_id", sa.Integer, nullable=True),
        sa.Column("audience", sa.JSON, nullable=True),
        sa.Column("submitted_by", sa.Integer, nullable=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    if not postgres:
        op.execute(
            "CREATE TRIGGER documents_count_ai AFTER INSERT ON documents BEGIN "
            f"{_insert('new', 1)}; END"
        )
        op.execute(
            "CREATE TRIGGER documents_count_ad AFTER DELETE ON documents BEGIN "
            f"{_insert('old', -1)}; END"
        )
        op.execute(
            f"CREATE TRIGGER documents_count_au AFTER UPDATE OF {COLUMNS_WATCHED} ON documents "
            f"WHEN {_changed(False)} BEGIN "
            f"{_insert('old', -1)}; {_insert('new', 1)}; END"
        )
    else:
        # SET search_path FROM CURRENT: the body names document_counts in the schema the
        # function was made in, whatever the session's search_path when it fires.
        op.execute(
            "CREATE FUNCTION jic_count_documents() RETURNS trigger LANGUAGE plpgsql "
            "SET search_path FROM CURRENT AS $$ BEGIN "
            f"IF TG_OP <> 'INSERT' THEN {_insert('OLD', -1)}; END IF; "
            f"IF TG_OP <> 'DELETE' THEN {_insert('NEW', 1)}; END IF; "
            "RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER documents_count_aid AFTER INSERT OR DELETE ON documents "
            "FOR EACH ROW EXECUTE FUNCTION jic_count_documents()"
        )
        op.execute(
            f"CREATE TRIGGER documents_count_au AFTER UPDATE OF {COLUMNS_WATCHED} ON documents "
            f"FOR EACH ROW WHEN ({_changed(True)}) EXECUTE FUNCTION jic_count_documents()"
        )
    # The counts of the documents already stored, one row per group.
    group = _group("documents", "::text" if postgres else "")
    selected = list(group)
    if postgres:  # grouped as text, stored as json
        selected[4] = f"({group[4]})::json"
    op.execute(
        f"INSERT INTO document_counts ({COLUMNS}) "
        f"SELECT {', '.join(selected)}, count(*) FROM documents GROUP BY {', '.join(group)}"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("documents_count_ai", "documents_count_ad", "documents_count_au"):
            op.execute(f"DROP TRIGGER {name}")
    else:
        op.execute("DROP TRIGGER documents_count_aid ON documents")
        op.execute("DROP TRIGGER documents_count_au ON documents")
        op.execute("DROP FUNCTION jic_count_documents()")
    op.drop_table("document_counts")
