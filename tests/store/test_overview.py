"""The overview's reads: what a reader may see counted per source and TLP, and the
newest documents (of one source) — both through the sharing policy, on both backends."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from tests.conftest import make_backend

from jic.analyse.search import search
from jic.center.founding import Founding, found_center
from jic.domain import TLP, DocumentIn
from jic.store import audit, overview
from jic.store import documents as document_repo
from jic.store import members as member_repo
from jic.store import sources as source_repo
from jic.store import users as user_repo
from jic.store.database import Store
from jic.store.documents import BatchContext, Offer
from jic.store.visibility import OPERATOR, Reader

# (member, source, tlp, day published or None, submitted by bert)
ROWS = [
    ("alpha", "wire", TLP.GREEN, 1, False),
    ("alpha", "wire", TLP.GREEN, 3, False),
    ("alpha", "site", TLP.CLEAR, 2, False),
    ("alpha", None, TLP.AMBER, None, False),
    ("beta", "wire", TLP.AMBER_STRICT, 5, False),
    ("beta", None, TLP.RED, 4, True),
    ("beta", "site", TLP.GREEN, 6, False),
    ("alpha", "site", TLP.GREEN, 3, False),  # published with the second: ties go by id
    ("beta", "secret", TLP.RED, 7, True),  # a source only bert may know of
]


@dataclass
class World:
    store: Store
    ids: list[int]
    readers: dict[str, Reader]


def _world(store: Store) -> World:
    with store.write() as connection:
        owners = {m: member_repo.get_member(connection, m) for m in ("alpha", "beta")}
        users = {
            name: user_repo.add_user(
                connection, name, member=owners[m], role=role, actor=audit.Actor()
            )
            for name, m, role in (("ann", "alpha", "analyst"), ("bert", "beta", "officer"),
                                  ("bea", "beta", "analyst"))
        }  # fmt: skip
        found = {
            name: source_repo.add(
                connection,
                source_repo.NewSource(name, "feed", f"https://{name}.example/"),
                owner=owners["alpha"],
                actor=audit.Actor(),
            ).id
            for name in ("wire", "site", "secret")
        }
    ids = []
    for n, (member, source, tlp, day, by_bert) in enumerate(ROWS):
        text = f"Document {n} of {member}, {tlp.value}.\n\nIts text, number {n}."
        item = DocumentIn(
            text=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            location=f"file:///tally/{n}",
            title=f"doc {n}",
            published=None if day is None else datetime(2026, 11, day, 9, tzinfo=UTC),
            tlp=tlp,
        )
        context = BatchContext(
            owners[member],
            audit.Actor(),
            source_id=None if source is None else found[source],
            submitted_by=users["bert"].id if by_bert else None,
        )
        with store.write() as connection:
            (outcome,) = document_repo.store_batch(connection, [Offer(str(n), item)], context)
        assert outcome.document_id is not None
        ids.append(outcome.document_id)
    readers = {name: Reader(user.viewer) for name, user in users.items()}
    return World(store, ids, {"operator": OPERATOR, **readers})


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    for backend in make_backend(request.param, tmp_path_factory.mktemp("tally")):
        store, _ = found_center(backend.settings, Founding(founders=["alpha", "beta"]))
        yield _world(store)
        store.close()


def _seen(world: World, reader: Reader) -> list[int]:
    with world.store.read() as connection:
        return [d.id for d in document_repo.get_many(connection, world.ids, reader)]


@pytest.mark.parametrize("who", ["operator", "ann", "bert", "bea"])
def test_the_tally_counts_exactly_what_the_reader_may_read(world: World, who: str) -> None:
    reader = world.readers[who]
    seen = set(_seen(world, reader))
    rows = [row for i, row in zip(world.ids, ROWS, strict=True) if i in seen]
    with world.store.read() as connection:
        tally = overview.tally(connection, reader)
    assert tally.total == len(seen)
    assert tally.tlps == dict(Counter(tlp.value for _, _, tlp, _, _ in rows))
    assert {name: n for _, name, n in tally.sources} == dict(Counter(s for _, s, *_ in rows))
    counts = [n for *_, n in tally.sources]
    assert counts == sorted(counts, reverse=True)


def test_a_source_with_only_hidden_documents_is_never_named(world: World) -> None:
    with world.store.read() as connection:
        ann = overview.tally(connection, world.readers["ann"])
        bert = overview.tally(connection, world.readers["bert"])
        secret = next(i for i, name, _ in bert.sources if name == "secret")
        listed = overview.newest(connection, world.readers["ann"], source_id=secret)
    assert "secret" not in {name for _, name, _ in ann.sources} and listed == []
    assert "RED" not in ann.tlps and "AMBER+STRICT" not in ann.tlps
    assert bert.tlps["RED"] == 2 and bert.tlps["AMBER+STRICT"] == 1


@pytest.mark.parametrize("who", ["operator", "ann", "bea"])
def test_newest_lists_visible_documents_newest_first_undated_last(world: World, who: str) -> None:
    reader = world.readers[who]
    seen = set(_seen(world, reader))
    rows = {i: row for i, row in zip(world.ids, ROWS, strict=True) if i in seen}
    expected = sorted(rows, key=lambda i: (rows[i][3] is None, -(rows[i][3] or 0), -i))
    with world.store.read() as connection:
        hits = overview.newest(connection, reader, limit=len(world.ids))
        first = overview.newest(connection, reader, limit=2)
    assert [h.document_id for h in hits] == expected
    assert [h.document_id for h in first] == expected[:2]
    assert hits[0].title and hits[0].snippet.startswith("Document")


def test_newest_of_one_source(world: World) -> None:
    with world.store.read() as connection:
        wire = next(
            i for i, name, _ in overview.tally(connection, OPERATOR).sources if name == "wire"
        )
        ann = overview.newest(connection, world.readers["ann"], source_id=wire, limit=10)
        bert = overview.newest(connection, world.readers["bert"], source_id=wire, limit=10)
    assert [h.source for h in ann] == ["wire", "wire"]
    assert [h.document_id for h in bert] == [world.ids[4], world.ids[1], world.ids[0]]


@pytest.mark.parametrize("who", ["operator", "ann", "bert"])
def test_newest_lists_in_the_order_of_a_search_of_filters_alone(world: World, who: str) -> None:
    reader = world.readers[who]
    everything = " ".join(f'tlp:"{level.value}"' for level in TLP)
    found = search(world.store, everything, limit=len(world.ids), reader=reader)
    with world.store.read() as connection:
        hits = overview.newest(connection, reader, limit=len(world.ids))
    assert [h.document_id for h in hits] == [h.document_id for h in found.hits]
    assert [h.title for h in hits] == [h.title for h in found.hits]
