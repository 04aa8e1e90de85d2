"""The identity rules for stored documents, on both backends."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from tests.conftest import Backend

from jic.domain import TLP, DocumentIn, IngestStatus
from jic.store import audit
from jic.store import documents as repo
from jic.store import members as member_repo
from jic.store.database import Store
from jic.store.documents import BatchContext, Offer
from jic.store.schema import members


def offer(text: str, location: str, label: str | None = None) -> Offer:
    item = DocumentIn(
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        location=location,
        title=text.split("\n", maxsplit=1)[0],
    )
    return Offer(label or location, item)


def context(store: Store, member: str = "local") -> BatchContext:
    with store.read() as connection:
        found = member_repo.get_member(connection, member)
    return BatchContext(member=found, actor=audit.Actor(member=member))


def put(store: Store, *offers: Offer, member: str = "local") -> list[IngestStatus]:
    with store.write() as connection:
        outcomes = repo.store_batch(connection, offers, context(store, member))
    return [outcome.status for outcome in outcomes]


def test_same_bytes_from_same_place_is_a_no_op(store: Store) -> None:
    assert put(store, offer("Floods in Basra", "file:///a.txt")) == [IngestStatus.STORED]
    assert put(store, offer("Floods in Basra", "file:///a.txt")) == [IngestStatus.UNCHANGED]
    with store.read() as connection:
        assert repo.count(connection) == 1


def test_same_bytes_from_elsewhere_is_a_recorded_duplicate(store: Store) -> None:
    statuses = put(
        store, offer("Floods in Basra", "file:///a.txt"), offer("Floods in Basra", "file:///b.txt")
    )
    assert statuses == [IngestStatus.STORED, IngestStatus.DUPLICATE]
    with store.read() as connection:
        assert repo.count(connection) == 1
        assert repo.status(connection).sightings == 1
    # Seeing the copy again changes nothing more.
    assert put(store, offer("Floods in Basra", "file:///b.txt")) == [IngestStatus.DUPLICATE]
    with store.read() as connection:
        assert repo.status(connection).sightings == 1


def test_changed_bytes_at_the_same_place_are_a_new_version(store: Store) -> None:
    put(store, offer("Floods in Basra\nthree dead", "https://example.org/a"))
    assert put(store, offer("Floods in Basra\nfive dead", "https://example.org/a")) == [
        IngestStatus.NEW_VERSION
    ]
    with store.read() as connection:
        docs = list(repo.iterate(connection))
    assert [d.text.split("\n")[1] for d in docs] == ["three dead", "five dead"]
    assert docs[1].version_of == docs[0].id
    assert docs[0].version_of is None


def test_two_members_with_the_same_bytes_keep_separate_documents(store: Store) -> None:
    with store.write() as connection:
        connection.execute(
            members.insert().values(
                name="other", founding=False, default_tlp="AMBER", admitted_at=sa.func.now()
            )
        )
    put(store, offer("Floods in Basra", "file:///a.txt"))
    assert put(store, offer("Floods in Basra", "file:///a.txt"), member="other") == [
        IngestStatus.STORED
    ]
    with store.read() as connection:
        assert repo.count(connection) == 2


def test_tlp_defaults_to_the_members_level_and_an_explicit_level_wins(store: Store) -> None:
    explicit = offer("Secret-ish", "file:///s.txt")
    explicit.item.tlp = TLP.RED
    put(store, offer("Open", "file:///o.txt"), explicit)
    with store.read() as connection:
        levels = [d.tlp for d in repo.iterate(connection)]
    assert levels == [TLP.AMBER, TLP.RED]


def test_every_stored_batch_is_in_the_audit_log(store: Store) -> None:
    put(store, offer("one", "file:///1"), offer("two", "file:///2"))
    put(store, offer("one", "file:///1"))  # nothing stored: no entry
    with store.read() as connection:
        result = audit.verify(connection)
        actions = [
            row.action
            for row in connection.execute(sa.text("SELECT action FROM audit_log ORDER BY id"))
        ]
    assert result.ok
    assert actions == ["center.init", "documents.ingest"]


def test_missing_document_is_a_clear_error(store: Store) -> None:
    from jic.errors import NotFoundError

    with store.read() as connection, pytest.raises(NotFoundError, match="no document 42"):
        repo.get(connection, 42)


def test_values_postgresql_would_refuse_are_cleaned(store: Store) -> None:
    bad = offer("Nul\x00 inside", "file:///nul")
    bad.item.title = "Title\x00"
    bad.item.language = "English (United Kingdom)"
    good = offer("Fine", "file:///fine")
    good.item.language = "en-GB"
    assert put(store, bad, good) == [IngestStatus.STORED, IngestStatus.STORED]
    with store.read() as connection:
        docs = list(repo.iterate(connection))
    assert docs[0].text == "Nul inside" and docs[0].title == "Title" and docs[0].language is None
    assert docs[1].language == "en-GB"


def test_an_item_the_database_refuses_fails_alone(store: Store, backend: Backend) -> None:
    from jic.gather.ingest import IngestTarget, ingest

    refused = offer("Odd content type", "file:///odd")
    refused.item.content_type = "x" * 500  # over the column's 100 characters
    items = [offer("one", "file:///one"), refused, offer("two", "file:///two")]
    report = ingest(store, items, IngestTarget(member="local"))
    statuses = [o.status for o in report.outcomes]
    assert statuses[0] == statuses[2] == IngestStatus.STORED
    if backend.name == "postgres":  # SQLite does not enforce VARCHAR lengths
        assert statuses[1] == IngestStatus.FAILED
        assert "the database refused it" in report.outcomes[1].message


def test_going_back_to_an_earlier_text_is_reported(store: Store) -> None:
    put(store, offer("Version A", "https://example.org/p"))
    put(store, offer("Version B", "https://example.org/p"))
    with store.write() as connection:
        outcome = repo.store_batch(
            connection, [offer("Version A", "https://example.org/p")], context(store)
        )[0]
    assert outcome.status == IngestStatus.UNCHANGED
    assert outcome.message == f"back to the text of document {outcome.existing_id}"
