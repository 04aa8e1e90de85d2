"""The tables, as SQLAlchemy Core metadata.

This module describes the schema at the newest migration; the migrations under
``migrations/versions`` are what create and change it in a database. A test checks
that the two agree on both backends.

Full-text search lives outside this metadata because it differs by backend: an FTS5
table kept in step by triggers on SQLite, a generated ``tsv`` column with a GIN index
on PostgreSQL (see ``migrations/versions/0001_initial.py``).

Every time column is a ``UTCDateTime``: SQLite keeps a datetime as text without its
UTC offset, so 10:00+03:00 would come back as 10:00; converting to UTC on the way in
makes both backends store the same instant.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

from jic.store.times import maybe_utc


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and read back as an aware UTC datetime.

    Aware values are converted to UTC before they are written. A naive value is taken
    to be UTC already, as everywhere in jic (``times.as_utc``): code that knows a
    local time must attach its offset first. The column in the database stays
    ``TIMESTAMP WITH TIME ZONE`` on PostgreSQL and text on SQLite.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return maybe_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return maybe_utc(value)


metadata = MetaData()

center = Table(
    "center",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("term_months", Integer, nullable=False),
    Column("rotation_start", UTCDateTime(), nullable=False),
    Column("first_chair_id", Integer, ForeignKey("members.id"), nullable=False),
)

members = Table(
    "members",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("founding", Boolean, nullable=False, default=False),
    Column("rotation_position", Integer, nullable=True),
    Column("default_tlp", String(16), nullable=False),
    Column("admitted_at", UTCDateTime(), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("member_id", Integer, ForeignKey("members.id"), nullable=False),
    Column("name", String(200), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(200), nullable=True),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=True),
    Column("revoked_at", UTCDateTime(), nullable=True),
    Column("last_used_at", UTCDateTime(), nullable=True),
)

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("url", Text, nullable=True),
    Column("owner_member_id", Integer, ForeignKey("members.id"), nullable=False),
    Column("tlp", String(16), nullable=True),
    Column("reliability", String(1), nullable=False, default="F"),
    Column("every_seconds", Integer, nullable=True),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("etag", Text, nullable=True),
    Column("last_modified", Text, nullable=True),
    Column("last_polled_at", UTCDateTime(), nullable=True),
    Column("last_status", String(32), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("last_success_at", UTCDateTime(), nullable=True),
    Column("removed_at", UTCDateTime(), nullable=True),
    # Sources that members have marked as one ownership group count as one source
    # when the claims ledger counts independent support.
    Column("ownership_group", String(200), nullable=True),
)

feed_items = Table(
    "feed_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("entry_key", Text, nullable=False),
    Column("url", Text, nullable=True),
    Column("title", Text, nullable=True),
    Column("first_seen_at", UTCDateTime(), nullable=False),
    Column("last_tried_at", UTCDateTime(), nullable=True),
    Column("state", String(16), nullable=False),  # pending, stored, failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("error", Text, nullable=True),
    Column("document_id", Integer, ForeignKey("documents.id"), nullable=True),
    UniqueConstraint("source_id", "entry_key", name="uq_feed_items_source_entry"),
    Index("ix_feed_items_state", "source_id", "state"),
)

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("member_id", Integer, ForeignKey("members.id"), nullable=False),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=True),
    Column("location", Text, nullable=False),
    Column("url", Text, nullable=True),
    Column("title", Text, nullable=True),
    Column("text", Text, nullable=False),
    Column("language", String(16), nullable=True),
    Column("published_at", UTCDateTime(), nullable=True),
    Column("fetched_at", UTCDateTime(), nullable=True),
    Column("ingested_at", UTCDateTime(), nullable=False),
    Column("tlp", String(16), nullable=False),
    Column("audience", JSON, nullable=True),
    Column("sha256", String(64), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("lossy", Boolean, nullable=False, default=False),
    Column("version_of", Integer, ForeignKey("documents.id"), nullable=True),
    Column("meta", JSON, nullable=True),
    Column("submitted_by", Integer, ForeignKey("users.id"), nullable=True),
    # The earliest version this document copies (the dedup stage's link; set with
    # the fact rows, see store/facts.py).
    Column("duplicate_of", Integer, nullable=True),
    # The same bytes stored twice by one member are one document; other members'
    # copies stay separate so that no member learns of another's hidden item.
    UniqueConstraint("member_id", "sha256", name="uq_documents_member_sha256"),
    Index("ix_documents_member_location", "member_id", "location"),
    Index("ix_documents_source", "source_id"),
    Index("ix_documents_published", "published_at"),
)

# What the sharing policy reads of each document, counted (migration 0011): triggers on
# documents insert +1 and -1 rows, ``store.overview.fold_counts`` folds them into one
# row per group, and ``store.overview.tally`` applies the policy to the groups.
document_counts = Table(
    "document_counts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, nullable=True),
    Column("language", String(16), nullable=True),
    Column("tlp", String(16), nullable=False),
    Column("member_id", Integer, nullable=True),  # AMBER, AMBER+STRICT and RED only
    Column("audience", JSON(none_as_null=True), nullable=True),  # the same
    Column("submitted_by", Integer, nullable=True),  # RED only
    Column("n", Integer, nullable=False),
)

sightings = Table(
    "sightings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id"), nullable=False),
    Column("location", Text, nullable=False),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=True),
    Column("seen_at", UTCDateTime(), nullable=False),
    UniqueConstraint("document_id", "location", name="uq_sightings_document_location"),
)

document_stages = Table(
    "document_stages",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("stage", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("error", Text, nullable=True),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_document_stages_state", "stage", "state"),
)

stage_outputs = Table(
    "stage_outputs",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("stage", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("data", JSON, nullable=False),
)

process_leases = Table(
    "process_leases",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("worker", String(200), nullable=False),
    Column("until", UTCDateTime(), nullable=False),
)

watchlist = Table(
    "watchlist",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # query, entity, place
    Column("value", String(500), nullable=False),
    Column("note", Text, nullable=True),
    Column("added_at", UTCDateTime(), nullable=False),
    Column("added_by", String(200), nullable=True),
    UniqueConstraint("kind", "value", name="uq_watchlist_kind_value"),
)

story_documents = Table(
    "story_documents",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("story_id", Integer, nullable=False),
    Column("is_copy", Boolean, nullable=False),
    Column("similarity", Float, nullable=False),
    Column("assigned_at", UTCDateTime(), nullable=False),
    Index("ix_story_documents_story", "story_id"),
)

story_state = Table(
    "story_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("state", JSON, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("last_id", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
    Column("entries", Integer, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor_user", String(200), nullable=True),
    Column("actor_member", String(200), nullable=True),
    Column("action", String(64), nullable=False),
    Column("object_type", String(64), nullable=True),
    Column("object_id", String(200), nullable=True),
    Column("detail", JSON, nullable=True),
    Column("digest", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
)


# Facts as rows (migration 0007), rewritten from the stage outputs in the transaction
# that saves them (store/facts.py). Spans are character offsets into the clean text.

doc_entities = Table(
    "doc_entities",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("entity_key", String(300), primary_key=True),
    Column("name", String(500), nullable=False),
    Column("type", String(32), nullable=False),
    Column("country", String(3), nullable=True),
    Column("mentions", Integer, nullable=False),
    Index("ix_doc_entities_key", "entity_key"),
)

# Every name an entity is known by (preferred name and aliases, lower-cased), for
# ``entity:`` filters: "entity:Daesh" finds the documents of the Islamic State's key.
entity_names = Table(
    "entity_names",
    metadata,
    Column("entity_key", String(300), primary_key=True),
    Column("name", String(500), primary_key=True),
    Index("ix_entity_names_name", "name"),
)

doc_places = Table(
    "doc_places",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("place_key", String(300), primary_key=True),  # "gn:<id>", else "name:<name>"
    Column("geonames_id", Integer, nullable=True),
    Column("name", String(500), nullable=False),
    Column("lat", Float, nullable=True),
    Column("lon", Float, nullable=True),
    Column("country", String(3), nullable=True),
    Column("admin1", String(100), nullable=True),
    Column("feature_class", String(8), nullable=True),
    Column("mentions", Integer, nullable=False),
    Index("ix_doc_places_key", "place_key"),
    Index("ix_doc_places_name", "name"),
)

doc_events = Table(
    "doc_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("type", String(16), nullable=False),
    Column("trigger", Text, nullable=False),
    Column("trigger_start", Integer, nullable=False),
    Column("trigger_end", Integer, nullable=False),
    Column("sentence_start", Integer, nullable=False),
    Column("sentence_end", Integer, nullable=False),
    Column("sources", JSON, nullable=False),  # [{text, start, end, entity_id, country}]
    Column("targets", JSON, nullable=False),
    Column("place_key", String(300), nullable=True),
    Column("place_name", String(500), nullable=True),
    Column("date", UTCDateTime(), nullable=True),
    Index("ix_doc_events_document", "document_id"),
    Index("ix_doc_events_type", "type"),
    Index("ix_doc_events_place", "place_key"),
)

propositions = Table(
    "propositions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("signature", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

doc_claims = Table(
    "doc_claims",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("claimant", Text, nullable=True),
    Column("claimant_kind", String(32), nullable=True),
    Column("claimant_entity", String(300), nullable=True),
    Column("cue", Text, nullable=False),
    Column("cue_lemma", String(64), nullable=False),
    Column("stance", String(16), nullable=False),
    Column("content", Text, nullable=False),
    Column("content_start", Integer, nullable=False),
    Column("content_end", Integer, nullable=False),
    Column("sentence_start", Integer, nullable=False),
    Column("sentence_end", Integer, nullable=False),
    Column("channel", Text, nullable=True),
    Column("refers_to", Integer, nullable=True),  # position of the claim it answers
    Column("claim_date", UTCDateTime(), nullable=True),
    Column("proposition_id", Integer, ForeignKey("propositions.id"), nullable=True),
    Index("ix_doc_claims_document", "document_id"),
    Index("ix_doc_claims_proposition", "proposition_id"),
    Index("ix_doc_claims_claimant", "claimant_entity"),
)

# Grades set by hand: the newest row is the current one (grade NULL clears it); the
# computed grade is never stored, it is worked out per reader from what they may see.
proposition_grades = Table(
    "proposition_grades",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("proposition_id", Integer, ForeignKey("propositions.id"), nullable=False),
    Column("grade", Integer, nullable=True),
    Column("note", Text, nullable=True),
    Column("set_by", String(200), nullable=False),
    Column("member_id", Integer, ForeignKey("members.id"), nullable=False),
    Column("set_at", UTCDateTime(), nullable=False),
    Index("ix_proposition_grades_proposition", "proposition_id"),
)

sitreps = Table(
    "sitreps",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("since", UTCDateTime(), nullable=False),
    Column("until", UTCDateTime(), nullable=False),
    Column("place", String(200), nullable=True),
    Column("body", JSON, nullable=False),
    Column("tlp", String(16), nullable=False),
    Column("status", String(16), nullable=False),  # draft, submitted, approved
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("member_id", Integer, ForeignKey("members.id"), nullable=False),
    Column("submitted_at", UTCDateTime(), nullable=True),
    Column("approved_at", UTCDateTime(), nullable=True),
    Column("approved_by", String(200), nullable=True),
    Column("approved_member_id", Integer, ForeignKey("members.id"), nullable=True),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("csrf_hash", String(64), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("last_seen_at", UTCDateTime(), nullable=True),
    Column("revoked_at", UTCDateTime(), nullable=True),
)
