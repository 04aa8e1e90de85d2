"""`status` counts everything in one pass under the policy: the counts and their order
must be what counting each one separately gives, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, func, select
from tests.store.test_documents import offer, put

from jic.center.policy import Viewer
from jic.store import documents as repo
from jic.store import views
from jic.store.database import Store
from jic.store.schema import doc_entities, documents, members, sources
from jic.store.times import now
from jic.store.visibility import OPERATOR, Reader, visible

# (source, language, tlp, lossy): ties in count between "en" and "fr", and between a
# source and no source, so the order after the count is checked too.
ROWS = [
    ("wire", "en", "GREEN", False),
    ("wire", "en", "AMBER", True),
    ("wire", "fr", "GREEN", False),
    ("radio", "fr", "CLEAR", False),
    ("radio", None, "RED", True),
    (None, "ar", "GREEN", False),
    (None, None, "AMBER", False),
]


def _separately(connection: Connection, reader: Reader) -> dict[str, Any]:
    """The counts as `status` made them before: one query per count."""
    seen = visible(connection, reader)

    def counted(*where: Any) -> int:
        query = select(func.count()).select_from(documents).where(seen, *where)
        return int(connection.execute(query).scalar_one())

    def grouped(column: Any, label_none: str) -> list[tuple[str, int]]:
        rows = connection.execute(
            select(column, func.count())
            .select_from(documents)
            .outerjoin(sources, sources.c.id == documents.c.source_id)
            .where(seen)
            .group_by(column)
            .order_by(func.count().desc(), column)
        )
        return [(value if value is not None else label_none, int(n)) for value, n in rows]

    return {
        "documents": counted(),
        "lossy": counted(documents.c.lossy.is_(True)),
        "versions": counted(documents.c.version_of.is_not(None)),
        "by_source": grouped(sources.c.name, "(no source)"),
        "by_language": grouped(documents.c.language, "(unknown)"),
        "by_tlp": grouped(documents.c.tlp, "(none)"),
    }


def _fill(store: Store) -> None:
    for n in range(len(ROWS)):
        put(store, offer(f"Report {n}", f"https://example.org/{n}"))
    put(store, offer("Report 0, updated", "https://example.org/0"))  # a new version
    with store.write() as connection:
        local = connection.execute(select(members.c.id)).scalar_one()
        ids = {}
        for name in ("wire", "radio"):
            ids[name] = connection.execute(
                sources.insert()
                .values(name=name, kind="rss", owner_member_id=local, created_at=now())
                .returning(sources.c.id)
            ).scalar_one()
        order = list(connection.execute(select(documents.c.id).order_by(documents.c.id)).scalars())
        for doc_id, (source, language, tlp, lossy) in zip(order, ROWS, strict=False):
            connection.execute(
                sa.update(documents)
                .where(documents.c.id == doc_id)
                .values(source_id=ids.get(source or ""), language=language, tlp=tlp, lossy=lossy)
            )


def test_status_counts_in_one_pass_as_counted_separately(store: Store) -> None:
    _fill(store)
    outsider = Reader(Viewer(user_id=4242, member_id=4242, role="analyst"))
    for reader in (OPERATOR, outsider):
        with store.read() as connection:
            got = repo.status(connection, reader)
            want = _separately(connection, reader)
        assert {key: getattr(got, key) for key in want} == want
    assert want["documents"] == len(ROWS)  # another member sees all but the RED one
    with store.read() as connection:
        everything = repo.status(connection)
    assert everything.documents == len(ROWS) + 1
    assert (everything.lossy, everything.versions) == (2, 1)
    assert dict(everything.by_source) == {"wire": 3, "(no source)": 3, "radio": 2}


def test_top_entities_count_the_documents_in_scope_only(store: Store) -> None:
    _fill(store)
    outsider = Reader(Viewer(user_id=4242, member_id=4242, role="analyst"))
    with store.write() as connection:
        ids = list(connection.execute(select(documents.c.id).order_by(documents.c.id)).scalars())
        for n, doc_id in enumerate(ids):
            for key in ("ORG:un", "LOC:basra", "PER:x")[: 1 + n % 3]:
                connection.execute(
                    doc_entities.insert().values(
                        document_id=doc_id, entity_key=key, name=key[4:], type=key[:3], mentions=2
                    )
                )
    for reader in (OPERATOR, outsider):
        with store.read() as connection:
            seen = set(
                connection.execute(
                    select(documents.c.id).where(visible(connection, reader))
                ).scalars()
            )
            rows = views.top_entities(connection, [visible(connection, reader)], None, None, 2)
            every = views.top_entities(connection, [visible(connection, reader)], None, None, 9)
        want: dict[str, int] = {}
        for n, doc_id in enumerate(ids):
            for key in ("ORG:un", "LOC:basra", "PER:x")[: 1 + n % 3]:
                want[key] = want.get(key, 0) + (doc_id in seen)
        ranked = sorted(want.items(), key=lambda kv: (-kv[1], kv[0]))
        assert [(r["entity_key"], r["documents"]) for r in every] == ranked
        assert [r["mentions"] for r in every] == [2 * n for _, n in ranked]
        assert [r["entity_key"] for r in rows] == [key for key, _ in ranked[:2]]


def test_a_period_uses_the_publication_time_else_the_ingestion_time(store: Store) -> None:
    # between() spells COALESCE(published_at, ingested_at) so an index can serve it:
    # the bounds (since inclusive, until exclusive) must hold on both branches.
    _fill(store)
    since, until = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 8, tzinfo=UTC)
    times = [  # (published, ingested)
        (since, until),  # published on the first instant: in
        (until, since),  # published on the end: out, whatever the ingestion
        (None, since),  # no publication time, ingested on the first instant: in
        (None, until),  # ingested on the end: out
        (since - timedelta(seconds=1), since),  # published before: out
        (None, until - timedelta(seconds=1)),  # in
        (until - timedelta(seconds=1), datetime(2020, 1, 1, tzinfo=UTC)),  # in
        (None, datetime(2020, 1, 1, tzinfo=UTC)),  # out
    ]
    with store.write() as connection:
        ids = list(connection.execute(select(documents.c.id).order_by(documents.c.id)).scalars())
        for doc_id, (published, ingested) in zip(ids, times, strict=True):
            connection.execute(
                sa.update(documents)
                .where(documents.c.id == doc_id)
                .values(published_at=published, ingested_at=ingested)
            )
    inside = {ids[n] for n in (0, 2, 5, 6)}
    with store.read() as connection:
        found = set(connection.execute(views.in_scope([], since, until)).scalars())
        after = set(connection.execute(views.in_scope([], since, None)).scalars())
        before = set(connection.execute(views.in_scope([], None, until)).scalars())
    assert found == inside
    assert after == inside | {ids[1], ids[3]}
    assert before == inside | {ids[4], ids[7]}
