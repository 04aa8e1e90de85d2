"""Full-text search on both backends: ranking, snippets, the query language."""

from __future__ import annotations

import hashlib

import pytest

from jic.domain import DocumentIn
from jic.errors import QueryError
from jic.settings import Settings
from jic.store import audit
from jic.store import documents as repo
from jic.store import members as member_repo
from jic.store.database import Store
from jic.store.documents import BatchContext, Offer
from jic.store.search import MARK_END, MARK_START, search
from jic.store.visibility import Reader

CORPUS = {
    "oil": "Oil prices rose on Monday\n\nOil prices rose sharply as producers cut output.",
    "gas": "Gas exports resume\n\nGas exports through the pipeline resumed after repairs.",
    "both": "Energy markets\n\nTraders watched oil and gas prices as winter approached.",
    "price": "Bread price protests\n\nProtesters marched over the price of bread in the capital.",
}


@pytest.fixture
def filled(store: Store) -> Store:
    with store.read() as connection:
        member = member_repo.get_member(connection, "local")
    offers = [
        Offer(
            key,
            DocumentIn(
                text=text,
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                location=f"file:///{key}",
                title=text.split("\n")[0],
            ),
        )
        for key, text in CORPUS.items()
    ]
    with store.write() as connection:
        repo.store_batch(connection, offers, BatchContext(member=member, actor=audit.Actor()))
    return store


def titles(store: Store, query: str) -> list[str]:
    with store.read() as connection:
        return [hit.title or "" for hit in search(connection, query).hits]


def test_words_are_all_required_and_stemmed(filled: Store) -> None:
    # "prices" matches "price" and "prices": both backends stem English.
    assert set(titles(filled, "oil prices")) == {"Oil prices rose on Monday", "Energy markets"}


def test_title_matches_rank_first(filled: Store) -> None:
    assert titles(filled, "oil")[0] == "Oil prices rose on Monday"


def test_phrase_or_and_not(filled: Store) -> None:
    assert titles(filled, '"gas exports"') == ["Gas exports resume"]
    assert set(titles(filled, "bread OR pipeline")) == {
        "Bread price protests",
        "Gas exports resume",
    }
    assert set(titles(filled, "price -oil")) == {"Bread price protests"}
    assert set(titles(filled, "prices NOT (oil OR bread)")) == set()


def test_snippets_mark_the_matches(filled: Store) -> None:
    with filled.read() as connection:
        result = search(connection, "pipeline")
    assert result.total == 1
    assert f"{MARK_START}pipeline{MARK_END}" in result.hits[0].snippet


def test_total_counts_all_matches_beyond_the_page(filled: Store) -> None:
    with filled.read() as connection:
        result = search(connection, "prices", limit=1)
    assert result.total == 3
    assert len(result.hits) == 1


@pytest.mark.parametrize("query", ['"unclosed phrase', "NEAR(", "a:b", "*", "AND", "oil)"])
def test_odd_queries_never_reach_the_index_as_syntax(filled: Store, query: str) -> None:
    with filled.read() as connection:
        try:
            search(connection, query)
        except QueryError as error:
            assert error.hint


@pytest.mark.parametrize("query", ["", "   ", "-oil", "NOT gas"])
def test_queries_with_nothing_to_find_are_refused(filled: Store, query: str) -> None:
    with filled.read() as connection, pytest.raises(QueryError):
        search(connection, query)


@pytest.fixture
def varied(store: Store) -> Store:
    """Documents from two sources, in two languages, at three TLP levels and dates."""
    from datetime import UTC, datetime

    from jic.domain import TLP
    from jic.store import sources as source_repo

    with store.write() as connection:
        member = member_repo.get_member(connection, "local")
        feeds = {
            name: source_repo.get_or_create(connection, name, owner=member, actor=audit.Actor()).id
            for name in ("UN News", "wire")
        }
    rows = [
        ("UN News", "en", TLP.GREEN, 1, "Convoy reaches Raqqa"),
        ("UN News", "en", TLP.AMBER, 10, "Convoy delayed near Raqqa"),
        ("wire", "fr", TLP.GREEN, 20, "Un convoi atteint Raqqa"),
        ("wire", "en", TLP.CLEAR, 25, "Floods in Basra"),
    ]
    for n, (source, language, tlp, day, title) in enumerate(rows):
        item = DocumentIn(
            text=f"{title}\n\nReport {n}.",
            sha256=hashlib.sha256(title.encode()).hexdigest(),
            location=f"file:///{n}",
            title=title,
            language=language,
            tlp=tlp,
            published=datetime(2026, 11, day, tzinfo=UTC),
        )
        context = BatchContext(member=member, actor=audit.Actor(), source_id=feeds[source])
        with store.write() as connection:
            repo.store_batch(connection, [Offer(title, item)], context)
    return store


def found(store: Store, query: str, **options: object) -> list[str]:
    with store.read() as connection:
        return sorted(hit.title or "" for hit in search(connection, query, **options).hits)  # type: ignore[arg-type]


def test_field_filters_narrow_the_words(varied: Store) -> None:
    assert found(varied, 'raqqa source:"UN News"') == [
        "Convoy delayed near Raqqa",
        "Convoy reaches Raqqa",
    ]
    assert found(varied, "raqqa lang:fr") == ["Un convoi atteint Raqqa"]
    assert found(varied, "raqqa tlp:green") == ["Convoy reaches Raqqa", "Un convoi atteint Raqqa"]
    assert found(varied, "raqqa from:2026-11-05 to:2026-11-20") == [
        "Convoy delayed near Raqqa",
        "Un convoi atteint Raqqa",
    ]
    assert found(varied, "raqqa member:local source:wire") == ["Un convoi atteint Raqqa"]


def test_queries_of_one_shape_each_find_their_own(varied: Store) -> None:
    # Statements are built once per shape (kind of words, which filters): the words
    # and the filters' values are parameters, so the second query of a shape must not
    # run with the first one's.
    assert found(varied, "raqqa lang:fr") == ["Un convoi atteint Raqqa"]
    assert found(varied, "floods lang:en") == ["Floods in Basra"]
    assert found(varied, "raqqa lang:en lang:fr tlp:amber") == ["Convoy delayed near Raqqa"]
    assert found(varied, '"convoy reaches" OR basra') == ["Convoy reaches Raqqa", "Floods in Basra"]
    assert found(varied, '"convoy delayed" OR floods') == [
        "Convoy delayed near Raqqa",
        "Floods in Basra",
    ]
    with varied.read() as connection:
        first, second = (search(connection, word).hits[0].snippet for word in ("floods", "report"))
    assert f"{MARK_START}Floods{MARK_END}" in first
    assert f"{MARK_START}Report{MARK_END}" in second
    assert f"{MARK_START}Floods" not in second


def test_filters_alone_list_newest_first(varied: Store) -> None:
    with varied.read() as connection:
        result = search(connection, "source:wire")
    assert [hit.title for hit in result.hits] == ["Floods in Basra", "Un convoi atteint Raqqa"]
    assert result.total == 2


def test_facets_count_every_match(varied: Store) -> None:
    with varied.read() as connection:
        result = search(connection, "raqqa", limit=1, facets=True)
    assert result.total == 3 and len(result.hits) == 1
    assert dict(result.facets["source"]) == {"UN News": 2, "wire": 1}
    assert dict(result.facets["language"]) == {"en": 2, "fr": 1}
    assert dict(result.facets["tlp"]) == {"GREEN": 2, "AMBER": 1}


@pytest.mark.parametrize(
    "query", ["tlp:purple", "from:yesterday", 'source:""', "from:2026-01-01 from:2026-02-01"]
)
def test_bad_filters_explain_themselves(varied: Store, query: str) -> None:
    with varied.read() as connection, pytest.raises(QueryError) as caught:
        search(connection, query)
    assert caught.value.hint


@pytest.fixture
def mostly_hidden(store: Store) -> tuple[Store, Reader]:
    """2,100 documents where the best-ranked ones are another member's AMBER+STRICT
    items: a reader of ``local`` must get pages from far down the index's ranking."""
    from jic.domain import TLP
    from jic.store import users as user_repo

    actor = audit.Actor()
    with store.write() as connection:
        local = member_repo.get_member(connection, "local")
        other = member_repo.add_member(connection, "other", in_rotation=False, actor=actor)
        reader = Reader(
            user_repo.add_user(connection, "ana", member=local, role="analyst", actor=actor).viewer
        )
    batches: dict[str, list[Offer]] = {"local": [], "other": []}
    for n in range(2100):
        hidden = n % 10 != 0  # nine in ten hidden from local's reader
        repeats = 1 + (n * 7) % 5 + (3 if hidden else 0)  # hidden ones rank higher
        text = " ".join(["convoy"] * repeats) + f" report {n}"
        item = DocumentIn(
            text=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            location=f"file:///{n}",
            title=f"Report {n}",
            tlp=TLP.AMBER_STRICT if hidden else TLP.GREEN,
        )
        batches["other" if hidden else "local"].append(Offer(str(n), item))
    with store.write() as connection:
        for owner, offers in ((local, batches["local"]), (other, batches["other"])):
            repo.store_batch(connection, offers, BatchContext(member=owner, actor=actor))
    return store, reader


def test_a_readers_page_is_the_full_ranking_without_what_they_may_not_see(
    mostly_hidden: tuple[Store, Reader],
) -> None:
    store, reader = mostly_hidden
    with store.read() as connection:
        everything = search(connection, "convoy", limit=2100, exhaustive=True)
        visible = [
            hit.document_id
            for hit in everything.hits
            if hit.title and int(hit.title.split()[1]) % 10 == 0
        ]
        assert everything.total == 2100 and len(visible) == 210
        for limit, offset in ((10, 0), (7, 40), (10, 200)):
            page = search(connection, "convoy", limit=limit, offset=offset, reader=reader)
            assert page.total == 210
            assert [hit.document_id for hit in page.hits] == visible[offset : offset + limit]


def _facts(
    entities: list[tuple[str, str, list[str]]],
    places: list[tuple[str, int | None]],
    events: list[str],
) -> dict[str, object]:
    """Stage outputs as the entities, places and events stages write them."""
    return {
        "entities": [
            {"id": key, "name": name, "type": key.split(":")[0], "aliases": aliases, "mentions": 1}
            for key, name, aliases in entities
        ],
        "places": [
            {"name": name, "geonames_id": gid, "lat": None, "lon": None, "mentions": [{}]}
            for name, gid in places
        ],
        "events": [
            {
                "type": kind,
                "trigger": {"text": "hit", "start": 0, "end": 3},
                "sentence": {"start": 0, "end": 10},
                "sources": [],
                "targets": [],
            }
            for kind in events
        ],
    }


PESKOV = ("PER:dmitry-peskov", "Dmitry Peskov", ["Peskov"])
ISLAMIC_STATE = ("ORG:islamic-state", "Islamic State", ["ISIL", "Daesh"])
REPORTS = {
    "Convoy reaches Baghdad": ([PESKOV, ISLAMIC_STATE], [("Baghdad", 98182)], ["ATTACK"]),
    "Convoy near Mosul": (
        [ISLAMIC_STATE],
        [("Mosul", 99072), ("Bagdad", 98182)],
        ["PROTEST", "ATTACK", "ATTACK"],
    ),
    "Convoy in Basra": ([], [("Basra", None)], []),
}


@pytest.fixture
def with_facts(store: Store) -> Store:
    """Three reports with entities, places and events as the pipeline stores them;
    "Convoy near Mosul" is another member's AMBER+STRICT item."""
    from jic.domain import TLP
    from jic.store import facts

    actor = audit.Actor()
    with store.write() as connection:
        local = member_repo.get_member(connection, "local")
        other = member_repo.add_member(connection, "other", in_rotation=False, actor=actor)
        fields = {}
        for title, (entities, places, events) in REPORTS.items():
            hidden = "Mosul" in title
            item = DocumentIn(
                text=f"{title}.",
                sha256=hashlib.sha256(title.encode()).hexdigest(),
                location=f"file:///{title}",
                title=title,
                tlp=TLP.AMBER_STRICT if hidden else TLP.GREEN,
            )
            context = BatchContext(member=other if hidden else local, actor=actor)
            (outcome,) = repo.store_batch(connection, [Offer(title, item)], context)
            assert outcome.document_id is not None
            fields[outcome.document_id] = _facts(entities, places, events)
        facts.rewrite(connection, fields)
    return store


@pytest.mark.parametrize(
    "query,expected",
    [
        ("entity:Peskov", ["Convoy reaches Baghdad"]),
        ('entity:"dmitry  PESKOV"', ["Convoy reaches Baghdad"]),
        ('convoy entity:"Islamic State"', ["Convoy near Mosul", "Convoy reaches Baghdad"]),
        ("entity:daesh", ["Convoy near Mosul", "Convoy reaches Baghdad"]),
        ("entity:ORG:islamic-state", ["Convoy near Mosul", "Convoy reaches Baghdad"]),
        ("entity:Peskov entity:ISIL", ["Convoy reaches Baghdad"]),  # both named
        ("entity:nobody", []),
        ("place:Baghdad", ["Convoy near Mosul", "Convoy reaches Baghdad"]),  # and "Bagdad"
        ("convoy place:baghdad", ["Convoy near Mosul", "Convoy reaches Baghdad"]),
        ("place:gn:98182", ["Convoy near Mosul", "Convoy reaches Baghdad"]),
        ("place:basra", ["Convoy in Basra"]),  # known by name only
        ("place:Mosul entity:Peskov", []),
        ("place:Mosul place:Baghdad", ["Convoy near Mosul"]),
    ],
)
def test_entity_and_place_filters(with_facts: Store, query: str, expected: list[str]) -> None:
    assert found(with_facts, query) == expected


def test_entity_place_and_event_facets_count_documents_the_reader_may_see(
    with_facts: Store,
) -> None:
    from jic.store import users as user_repo

    with with_facts.write() as connection:
        local = member_repo.get_member(connection, "local")
        user = user_repo.add_user(
            connection, "ana", member=local, role="analyst", actor=audit.Actor()
        )
    with with_facts.read() as connection:
        everything = search(connection, "convoy", facets=True, limit=1)
        seen = search(connection, "convoy", facets=True, reader=Reader(user.viewer))
    assert everything.facets["entity"] == [("Islamic State", 2), ("Dmitry Peskov", 1)]
    assert everything.facets["place"] == [("Baghdad", 2), ("Basra", 1), ("Mosul", 1)]
    assert everything.facets["event_type"] == [("ATTACK", 2), ("PROTEST", 1)]
    assert seen.total == 2
    assert seen.facets["entity"] == [("Dmitry Peskov", 1), ("Islamic State", 1)]
    assert seen.facets["place"] == [("Baghdad", 1), ("Basra", 1)]
    assert seen.facets["event_type"] == [("ATTACK", 1)]


@pytest.mark.slow
def test_processed_documents_are_found_by_entity_alias_and_place(
    store: Store, stage_settings: Settings
) -> None:
    """End to end: the real stages write the facts that entity: and place: read."""
    from tests.process.test_pipeline import fill

    from jic.process.pipeline import Pipeline, ProcessOptions

    report = (
        "The Islamic State (IS, formerly ISIL) has lost ground near Mosul, officials in "
        "Baghdad said on Saturday. Dmitry Peskov denied this."
    )
    fill(store, [report, "Floods closed schools in Basra on Sunday."])
    Pipeline(store, stage_settings).run(ProcessOptions())
    with store.read() as connection:
        by_alias = search(connection, "entity:ISIL", facets=True)
        by_place = search(connection, "place:baghdad")
    assert by_alias.total == 1 and by_place.total == 1
    assert by_alias.hits[0].document_id == by_place.hits[0].document_id
    assert "Baghdad" in dict(by_alias.facets["place"])


def _newest_visible(store: Store, reader: Reader) -> list[int]:
    """The reader's matches for "convoy" in the exhaustive ranking, best first."""
    with store.read() as connection:
        everything = search(connection, "convoy", limit=3000, reader=reader, exhaustive=True)
    assert everything.total_exact and everything.ranked_within is None
    return [hit.document_id for hit in everything.hits]


def test_a_bounded_search_counts_to_the_bound_and_ranks_the_newest(
    mostly_hidden: tuple[Store, Reader],
) -> None:
    store, reader = mostly_hidden
    ranking = _newest_visible(store, reader)
    assert len(ranking) == 210
    newest = set(sorted(ranking)[-50:])  # ids grow with storing: the newest 50
    with store.read() as connection:
        for offset in (0, 10, 45):
            result = search(
                connection, "convoy", limit=10, offset=offset, reader=reader, bound=50, facets=True
            )
            assert result.total == 50 and not result.total_exact
            assert result.ranked_within == 50
            best = [document_id for document_id in ranking if document_id in newest]
            assert [hit.document_id for hit in result.hits] == best[offset : offset + 10]
            assert dict(result.facets["tlp"]) == {"GREEN": 50}  # over the same 50
            assert sum(n for _, n in result.facets["source"]) == 50
        beyond = search(connection, "convoy", limit=10, offset=50, reader=reader, bound=50)
        assert beyond.hits == [] and beyond.total == 50


def test_a_bounded_search_ranks_within_a_narrower_window(
    mostly_hidden: tuple[Store, Reader],
) -> None:
    store, reader = mostly_hidden
    ranking = _newest_visible(store, reader)
    newest = set(sorted(ranking)[-30:])
    with store.read() as connection:
        result = search(connection, "convoy", limit=10, reader=reader, bound=100, window=30)
    assert result.total == 100 and not result.total_exact and result.ranked_within == 30
    best = [document_id for document_id in ranking if document_id in newest]
    assert [hit.document_id for hit in result.hits] == best[:10]


def test_within_the_bound_a_search_is_exact_and_the_same_as_exhaustive(
    mostly_hidden: tuple[Store, Reader],
) -> None:
    store, reader = mostly_hidden
    ranking = _newest_visible(store, reader)
    with store.read() as connection:
        for bound in (210, 10_000):
            result = search(connection, "convoy", limit=20, offset=5, reader=reader, bound=bound)
            assert result.total == 210 and result.total_exact and result.ranked_within is None
            assert [hit.document_id for hit in result.hits] == ranking[5:25]
        exact = search(connection, "convoy", limit=20, reader=reader, bound=209)
        assert exact.total == 209 and not exact.total_exact  # one more than it counts


def test_a_bounded_filter_query_lists_the_newest(mostly_hidden: tuple[Store, Reader]) -> None:
    store, _ = mostly_hidden
    with store.read() as connection:
        everything = search(connection, "tlp:GREEN", limit=40, exhaustive=True)
        bounded = search(connection, "tlp:GREEN", limit=40, bound=30, facets=True)
    assert everything.total == 210 and everything.total_exact
    assert bounded.total == 30 and not bounded.total_exact
    assert bounded.ranked_within is None  # newest first is the whole order: nothing to rank
    ids = [hit.document_id for hit in everything.hits]
    assert [hit.document_id for hit in bounded.hits] == ids[:30]
    assert dict(bounded.facets["tlp"]) == {"GREEN": 30}


def test_a_bound_below_one_is_refused(filled: Store) -> None:
    with filled.read() as connection, pytest.raises(QueryError):
        search(connection, "oil", bound=0)


def test_the_postgres_floor_keeps_exactly_the_ids_from_it_up_across_epochs(store: Store) -> None:
    """``above_floor`` asks the full-text index for id epochs (migration 0013) and tests
    the exact floor on the rows it lets through: over ids that cross two epoch
    boundaries it keeps exactly the matches from the floor up, for floors inside an
    epoch, on its first id and on its last; and a bounded search there ranks the newest."""
    if store.dialect != "postgresql":
        pytest.skip("the id floor is PostgreSQL's (SQLite's index lists matches newest first)")
    import sqlalchemy as sa

    from jic.store.schema import documents
    from jic.store.search import ID_EPOCH, above_floor, floor_epochs

    actor = audit.Actor()
    for start in (ID_EPOCH - 30, 2 * ID_EPOCH - 30):  # 60 ids around each boundary
        with store.write() as connection:
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('documents', 'id'), {start})"
            )
            local = member_repo.get_member(connection, "local")
            offers = []
            for n in range(start, start + 60):
                text = f"convoy seen near kilometre {n}" if n % 3 else f"market report {n}"
                item = DocumentIn(
                    text=text,
                    sha256=hashlib.sha256(text.encode()).hexdigest(),
                    location=f"file:///epochs/{n}",
                )
                offers.append(Offer(str(n), item))
            repo.store_batch(connection, offers, BatchContext(member=local, actor=actor))
    with store.read() as connection:
        ids = sorted(connection.execute(sa.select(documents.c.id)).scalars())
        assert ids[0] < ID_EPOCH < ids[-1] and ids[-1] > 2 * ID_EPOCH
        newest = ids[-1]
        matching = sa.literal_column("documents.tsv").op("@@")(
            sa.func.plainto_tsquery("english", "convoy")
        )
        every = set(connection.execute(sa.select(documents.c.id).where(matching)).scalars())
        for floor in (ids[0], ID_EPOCH - 1, ID_EPOCH, ID_EPOCH + 7, 2 * ID_EPOCH, newest):
            kept = connection.execute(
                sa.select(documents.c.id).where(
                    matching,
                    *above_floor(sa.literal(floor), sa.literal(floor_epochs(floor, newest))),
                )
            ).scalars()
            assert set(kept) == {i for i in every if i >= floor}, floor
        result = search(connection, "convoy", limit=5, bound=20)
    assert result.total == 20 and not result.total_exact
    assert {hit.document_id for hit in result.hits} <= set(sorted(every)[-20:])
