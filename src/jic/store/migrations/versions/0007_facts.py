"""Facts as rows, the claims ledger, sitreps and web sessions.

Processing keeps each stage's output as one JSON value per document; the analysis
views (filters, facets, the ledger, maps, graphs, timelines) need them as rows they
can join to the sharing policy. ``doc_*`` tables are rewritten from the stage outputs
whenever a document's stages run (``store/facts.py``), in the same transaction.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def _document() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "doc_entities",
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("entity_key", sa.String(300), primary_key=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("country", sa.String(3), nullable=True),
        sa.Column("mentions", sa.Integer, nullable=False),
    )
    op.create_index("ix_doc_entities_key", "doc_entities", ["entity_key"])
    op.create_table(
        "entity_names",
        sa.Column("entity_key", sa.String(300), primary_key=True),
        sa.Column("name", sa.String(500), primary_key=True),
    )
    op.create_index("ix_entity_names_name", "entity_names", ["name"])
    op.create_table(
        "doc_places",
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("place_key", sa.String(300), primary_key=True),
        sa.Column("geonames_id", sa.Integer, nullable=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("lat", sa.Float, nullable=True),
        sa.Column("lon", sa.Float, nullable=True),
        sa.Column("country", sa.String(3), nullable=True),
        sa.Column("admin1", sa.String(100), nullable=True),
        sa.Column("feature_class", sa.String(8), nullable=True),
        sa.Column("mentions", sa.Integer, nullable=False),
    )
    op.create_index("ix_doc_places_key", "doc_places", ["place_key"])
    op.create_index("ix_doc_places_name", "doc_places", ["name"])
    op.create_table(
        "doc_events",
        sa.Column("id", sa.Integer, primary_key=True),
        _document(),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("trigger", sa.Text, nullable=False),
        sa.Column("trigger_start", sa.Integer, nullable=False),
        sa.Column("trigger_end", sa.Integer, nullable=False),
        sa.Column("sentence_start", sa.Integer, nullable=False),
        sa.Column("sentence_end", sa.Integer, nullable=False),
        sa.Column("sources", sa.JSON, nullable=False),
        sa.Column("targets", sa.JSON, nullable=False),
        sa.Column("place_key", sa.String(300), nullable=True),
        sa.Column("place_name", sa.String(500), nullable=True),
        sa.Column("date", _TS, nullable=True),
    )
    op.create_index("ix_doc_events_document", "doc_events", ["document_id"])
    op.create_index("ix_doc_events_type", "doc_events", ["type"])
    op.create_index("ix_doc_events_place", "doc_events", ["place_key"])
    op.create_table(
        "propositions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("signature", sa.JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "doc_claims",
        sa.Column("id", sa.Integer, primary_key=True),
        _document(),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("claimant", sa.Text, nullable=True),
        sa.Column("claimant_kind", sa.String(32), nullable=True),
        sa.Column("claimant_entity", sa.String(300), nullable=True),
        sa.Column("cue", sa.Text, nullable=False),
        sa.Column("cue_lemma", sa.String(64), nullable=False),
        sa.Column("stance", sa.String(16), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("content_start", sa.Integer, nullable=False),
        sa.Column("content_end", sa.Integer, nullable=False),
        sa.Column("sentence_start", sa.Integer, nullable=False),
        sa.Column("sentence_end", sa.Integer, nullable=False),
        sa.Column("channel", sa.Text, nullable=True),
        sa.Column("refers_to", sa.Integer, nullable=True),
        sa.Column("claim_date", _TS, nullable=True),
        sa.Column("proposition_id", sa.Integer, sa.ForeignKey("propositions.id"), nullable=True),
    )
    op.create_index("ix_doc_claims_document", "doc_claims", ["document_id"])
    op.create_index("ix_doc_claims_proposition", "doc_claims", ["proposition_id"])
    op.create_index("ix_doc_claims_claimant", "doc_claims", ["claimant_entity"])
    op.create_table(
        "proposition_grades",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("proposition_id", sa.Integer, sa.ForeignKey("propositions.id"), nullable=False),
        sa.Column("grade", sa.Integer, nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), nullable=False),
        sa.Column("set_at", _TS, nullable=False),
    )
    op.create_index("ix_proposition_grades_proposition", "proposition_grades", ["proposition_id"])
    op.add_column("sources", sa.Column("ownership_group", sa.String(200), nullable=True))
    # The dedup stage's link, as a column the ledger can join (a copy counts once).
    # A plain ADD COLUMN: a batch rebuild of documents would drop its FTS triggers.
    op.add_column("documents", sa.Column("duplicate_of", sa.Integer, nullable=True))
    op.create_table(
        "sitreps",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("since", _TS, nullable=False),
        sa.Column("until", _TS, nullable=False),
        sa.Column("place", sa.String(200), nullable=True),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("tlp", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), nullable=False),
        sa.Column("submitted_at", _TS, nullable=True),
        sa.Column("approved_at", _TS, nullable=True),
        sa.Column("approved_by", sa.String(200), nullable=True),
        sa.Column("approved_member_id", sa.Integer, sa.ForeignKey("members.id"), nullable=True),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("csrf_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("last_seen_at", _TS, nullable=True),
        sa.Column("revoked_at", _TS, nullable=True),
    )
    # A database processed before this revision gets its rows now. This reads the
    # tables as store/facts.py describes them today: a later revision that changes
    # the fact tables must run after this one, which Alembic guarantees.
    from jic.store import facts

    facts.backfill(op.get_bind())


def downgrade() -> None:
    op.drop_table("web_sessions")
    op.drop_table("sitreps")
    # A plain DROP COLUMN (SQLite 3.35+): a batch rebuild of a referenced table would
    # trip the foreign keys that documents and feed items hold on it.
    op.execute("ALTER TABLE sources DROP COLUMN ownership_group")
    op.execute("ALTER TABLE documents DROP COLUMN duplicate_of")
    op.drop_table("proposition_grades")
    op.drop_table("doc_claims")
    op.drop_table("propositions")
    op.drop_table("doc_events")
    op.drop_table("doc_places")
    op.drop_table("entity_names")
    op.drop_table("doc_entities")
