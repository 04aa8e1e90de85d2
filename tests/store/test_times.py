"""Times keep their instant through the store, whatever offset they arrived with."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import sqlalchemy as sa

from jic.domain import DocumentIn
from jic.gather.files import parse_when
from jic.store import audit
from jic.store import documents as repo
from jic.store import members as member_repo
from jic.store.database import Store
from jic.store.documents import BatchContext, Offer
from jic.store.schema import documents
from jic.store.times import iso


def store_one(store: Store, published: datetime) -> int:
    text = "Curfew lifted in the old city."
    item = DocumentIn(
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        location="https://example.org/curfew",
        published=published,
    )
    with store.read() as connection:
        member = member_repo.get_member(connection, "local")
    with store.write() as connection:
        context = BatchContext(member, audit.Actor())
        outcome = repo.store_batch(connection, [Offer("x", item)], context)
    document_id = outcome[0].document_id
    assert document_id is not None
    return document_id


def test_a_time_with_an_offset_comes_back_as_the_same_instant_in_utc(store: Store) -> None:
    document_id = store_one(store, parse_when("2026-11-20T10:00:00+03:00"))
    with store.read() as connection:
        raw = connection.execute(
            sa.select(documents.c.published_at).where(documents.c.id == document_id)
        ).scalar_one()
        stored = repo.get(connection, document_id).published
    assert raw == datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    assert raw.tzinfo is not None and raw.utcoffset() == timedelta(0)
    assert stored is not None and iso(stored) == "2026-11-20T07:00:00Z"


def test_comparisons_use_the_instant_not_the_wall_clock(store: Store) -> None:
    document_id = store_one(store, parse_when("2026-11-20T10:00:00+03:00"))
    # 07:30Z written as 02:30-05:00: later than the stored 07:00Z, though its wall
    # clock reads earlier.
    later = datetime(2026, 11, 20, 2, 30, tzinfo=timezone(timedelta(hours=-5)))
    with store.read() as connection:
        found = connection.execute(
            sa.select(documents.c.id).where(documents.c.published_at < later)
        ).scalars()
        assert list(found) == [document_id]


def test_iso_texts_become_aware_utc_or_none() -> None:
    from datetime import UTC, datetime

    from jic.store.times import parse_iso

    assert parse_iso("2024-09-07T03:00:00+03:00") == datetime(2024, 9, 7, tzinfo=UTC)
    assert parse_iso("2024-09-07") == datetime(2024, 9, 7, tzinfo=UTC)
    assert parse_iso("next Tuesday") is None and parse_iso("") is None and parse_iso(None) is None
