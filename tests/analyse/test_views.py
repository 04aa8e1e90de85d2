"""Timelines, map data and the entity graph over really processed documents, per reader.

One small world per backend (built once per module: processing is the slow part):
two founding members, alpha and beta; four GREEN documents of alpha (one of them a
copy) and one AMBER+STRICT document of beta that alpha's analyst may not see. Every
view is asked for by the local operator (who sees all), by alpha's analyst (who must
not see a trace of beta's document) and by beta's officer (who sees it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from tests.conftest import make_backend

from jic.analyse.geo import places_geojson
from jic.analyse.graph import entity_graph
from jic.analyse.story_run import assign_stories
from jic.analyse.timeline import timeline
from jic.center.founding import Founding, found_center
from jic.domain import TLP, DocumentIn
from jic.errors import InputError
from jic.process.pipeline import Pipeline, ProcessOptions
from jic.settings import Settings
from jic.store import audit
from jic.store import documents as document_repo
from jic.store import members as member_repo
from jic.store import users as user_repo
from jic.store.database import Store
from jic.store.documents import BatchContext, Offer
from jic.store.schema import doc_claims, doc_entities, doc_events, doc_places, stage_outputs
from jic.store.visibility import OPERATOR, Reader

AGREE = (
    "Russia, Iran, Iraq and Syria have agreed to establish a joint information center in "
    "Baghdad, the Iraqi defence ministry said on Saturday. The Islamic State has lost "
    "ground near Mosul, officials said. Dmitry Peskov denied this."
)
QUAKE = (
    "A magnitude 7.2 earthquake struck the eastern Turkish province of Van on Sunday, "
    "killing at least 200 people, officials in Ankara said. Rescue teams searched the "
    "rubble of collapsed buildings in Ercis and Van through the night."
)
GAZA = (
    "Israeli aircraft struck Hamas positions in Gaza on Monday, the Israeli army said. "
    "Hamas said the United Nations must condemn Israel."
)
HIDDEN = (
    "Al-Shabaab fighters attacked an African Union base near Mogadishu on Tuesday, Somali "
    "officials said. Israeli aircraft struck Hamas positions in Gaza again, the Israeli "
    "army said."
)
START = datetime(2026, 1, 1, tzinfo=UTC)  # monthly terms: alpha chairs terms 0, 2, 4, ...

pytestmark = pytest.mark.slow  # the world is processed by the real pipeline


@dataclass
class World:
    store: Store
    ids: dict[str, int]
    ann: Reader  # alpha's analyst: may not see HIDDEN
    bert: Reader  # beta's officer: sees it
    users: dict[str, user_repo.User]

    @property
    def hidden(self) -> int:
        return self.ids["hidden"]


def put(store: Store, text: str, *, member: str, tlp: TLP, day: int, title: str, n: int) -> int:
    item = DocumentIn(
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        location=f"file:///{n}-{hashlib.md5(text.encode()).hexdigest()}",
        title=title,
        published=datetime(2026, 11, day, 9, tzinfo=UTC),
        tlp=tlp,
    )
    with store.write() as connection:
        owner = member_repo.get_member(connection, member)
        (outcome,) = document_repo.store_batch(
            connection, [Offer(str(n), item)], BatchContext(owner, audit.Actor())
        )
    assert outcome.document_id is not None
    return outcome.document_id


def build_world(settings: Settings, stage_settings: Settings) -> World:
    """The documents above, processed and grouped into stories, with three users."""
    store, _ = found_center(
        settings, Founding(founders=["alpha", "beta"], start=START, term_months=1)
    )
    users = {}
    with store.write() as connection:
        for name, member, role in (
            ("ann", "alpha", "analyst"),
            ("olga", "alpha", "officer"),
            ("bert", "beta", "officer"),
            ("bea", "beta", "analyst"),
        ):
            owner = member_repo.get_member(connection, member)
            users[name] = user_repo.add_user(
                connection, name, member=owner, role=role, actor=audit.Actor()
            )
    green = {"member": "alpha", "tlp": TLP.GREEN}
    ids = {
        "agree": put(store, AGREE, day=1, title="Joint center agreed", n=1, **green),
        "quake": put(store, QUAKE, day=2, title="Earthquake in Van", n=2, **green),
        "copy": put(store, "BREAKING\n\n" + QUAKE, day=2, title="Quake (copy)", n=3, **green),
        "gaza": put(store, GAZA, day=3, title="Strikes in Gaza", n=4, **green),
        "hidden": put(
            store, HIDDEN, member="beta", tlp=TLP.AMBER_STRICT, day=4, title="Secret", n=5
        ),
    }
    Pipeline(store, stage_settings).run(ProcessOptions())
    assign_stories(store)
    return World(
        store,
        ids,
        ann=Reader(users["ann"].viewer),
        bert=Reader(users["bert"].viewer),
        users=users,
    )


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    stage_settings: Settings,
) -> Iterator[World]:
    for backend in make_backend(request.param, tmp_path_factory.mktemp("views")):
        built = build_world(backend.settings, stage_settings)
        yield built
        built.store.close()


def _rows_of(world: World, table: sa.Table, document_id: int) -> list[sa.Row]:  # type: ignore[type-arg]
    with world.store.read() as connection:
        return list(connection.execute(sa.select(table).where(table.c.document_id == document_id)))


# Timeline ---------------------------------------------------------------------------


def test_timeline_counts_events_claims_and_documents_per_day(world: World) -> None:
    with world.store.read() as connection:
        seen = timeline(connection, OPERATOR, bucket="day")
        events = connection.execute(sa.select(sa.func.count()).select_from(doc_events)).scalar()
        claims = connection.execute(sa.select(sa.func.count()).select_from(doc_claims)).scalar()
    assert seen.totals == {"event": events, "claim": claims, "document": 5}
    assert events and claims  # the fixture texts must give both, or this tests nothing
    starts = [b.start for b in seen.buckets]
    assert starts == sorted(starts) and all(s.hour == 0 and s.minute == 0 for s in starts)
    for kind in ("event", "claim", "document"):
        assert sum(b.counts[kind] for b in seen.buckets) == seen.totals[kind]
    assert not seen.truncated and len(seen.items) == sum(seen.totals.values())
    times = [item.at for item in seen.items]
    assert times == sorted(times)


def test_timeline_items_carry_their_document_span_and_text(world: World) -> None:
    with world.store.read() as connection:
        seen = timeline(connection, OPERATOR)
        clean = {
            row.document_id: row.data["clean_text"]
            for row in connection.execute(
                sa.select(stage_outputs).where(stage_outputs.c.stage == "clean")
            )
        }
    kinds = {item.kind for item in seen.items}
    assert kinds == {"event", "claim", "document"}
    for item in seen.items:
        if item.kind == "document":
            assert item.span is None and item.text
            continue
        assert item.span is not None
        start, end = item.span
        assert item.text == clean[item.document_id][start:end]
    dated = {item.dated_by for item in seen.items if item.kind == "document"}
    assert dated == {"published"}


def test_timeline_weeks_start_on_monday_and_months_on_the_first(world: World) -> None:
    with world.store.read() as connection:
        weeks = timeline(connection, OPERATOR, bucket="week")
        months = timeline(connection, OPERATOR, bucket="month")
    assert weeks.buckets and all(b.start.weekday() == 0 for b in weeks.buckets)
    assert months.buckets and all(b.start.day == 1 for b in months.buckets)
    assert weeks.totals == months.totals


def test_timeline_by_story_entity_place_and_query(world: World) -> None:
    ids = world.ids
    with world.store.read() as connection:
        story_of = dict(
            connection.execute(sa.text("SELECT document_id, story_id FROM story_documents")).all()
        )
        by_story = timeline(connection, OPERATOR, story=story_of[ids["quake"]])
        by_entity = timeline(connection, OPERATOR, entity="Hamas")
        by_key = timeline(connection, OPERATOR, entity="armed_group:hamas")
        by_query = timeline(connection, OPERATOR, query="earthquake")
        by_place = timeline(connection, OPERATOR, place="Mogadishu")
        nothing = timeline(connection, OPERATOR, entity="no such group at all")
        by_filter = timeline(connection, OPERATOR, query="entity:Hamas")
        by_place_filter = timeline(connection, OPERATOR, query="place:mogadishu")
    assert story_of[ids["copy"]] == story_of[ids["quake"]]
    assert {i.document_id for i in by_story.items} == {ids["quake"], ids["copy"]}
    assert {i.document_id for i in by_entity.items} == {ids["gaza"], ids["hidden"]}
    assert by_key.totals == by_entity.totals
    assert {i.document_id for i in by_query.items} == {ids["quake"], ids["copy"]}
    assert {i.document_id for i in by_place.items} == {ids["hidden"]}
    assert nothing.items == [] and sum(nothing.totals.values()) == 0
    assert by_filter.totals == by_entity.totals  # search's entity: filter, read the same way
    assert by_place_filter.totals == by_place.totals


def test_timeline_period_and_limit(world: World) -> None:
    since, until = datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC)
    with world.store.read() as connection:
        day = timeline(connection, OPERATOR, since=since, until=until)
        cut = timeline(connection, OPERATOR, limit=3)
        with pytest.raises(InputError):
            timeline(connection, OPERATOR, bucket="fortnight")
        with pytest.raises(InputError):
            timeline(connection, OPERATOR, since=until, until=since)
    assert day.items and all(since <= i.at < until for i in day.items)
    assert day.totals["document"] == 2  # the quake and its copy
    assert cut.truncated and len(cut.items) == 3
    assert [i.at for i in cut.items] == sorted(i.at for i in cut.items)


def test_a_hidden_document_never_shows_in_or_changes_a_timeline(world: World) -> None:
    hidden_events = len(_rows_of(world, doc_events, world.hidden))
    hidden_claims = len(_rows_of(world, doc_claims, world.hidden))
    assert hidden_events and hidden_claims
    with world.store.read() as connection:
        everything = timeline(connection, OPERATOR)
        ann = timeline(connection, world.ann)
        bert = timeline(connection, world.bert)
        ann_hamas = timeline(connection, world.ann, entity="Hamas")
        ann_place = timeline(connection, world.ann, place="Mogadishu")
    assert world.hidden not in {i.document_id for i in ann.items}
    assert ann.totals == {
        "event": everything.totals["event"] - hidden_events,
        "claim": everything.totals["claim"] - hidden_claims,
        "document": everything.totals["document"] - 1,
    }
    assert world.hidden in {i.document_id for i in bert.items}
    assert {i.document_id for i in ann_hamas.items} == {world.ids["gaza"]}
    assert ann_place.items == [] and sum(ann_place.totals.values()) == 0
    hidden_day = datetime(2026, 11, 4, tzinfo=UTC)
    assert hidden_day not in {b.start for b in ann.buckets if b.counts["document"]}


# Map --------------------------------------------------------------------------------


def test_places_are_geojson_points_with_counts_events_and_documents(world: World) -> None:
    with world.store.read() as connection:
        collection = places_geojson(connection, OPERATOR)
        located = connection.execute(
            sa.select(doc_places.c.place_key, doc_places.c.lat, doc_places.c.lon).where(
                doc_places.c.lat.is_not(None)
            )
        ).all()
    assert collection["type"] == "FeatureCollection"
    features = {f["id"]: f for f in collection["features"]}
    assert set(features) == {key for key, _lat, _lon in located}
    for key, lat, lon in located:
        lon_shown, lat_shown = features[key]["geometry"]["coordinates"]
        assert abs(lon_shown - lon) < 1e-3 and abs(lat_shown - lat) < 1e-3
    counts = [f["properties"]["documents"] for f in collection["features"]]
    assert counts == sorted(counts, reverse=True)
    with_events = [f for f in collection["features"] if f["properties"]["events"]]
    for feature in with_events:
        props = feature["properties"]
        assert props["event_count"] == sum(props["events"].values())
    assert all(f["properties"]["document_ids"] for f in collection["features"])


def test_a_hidden_document_never_shows_on_or_changes_the_map(world: World) -> None:
    hidden_keys = {row.place_key for row in _rows_of(world, doc_places, world.hidden)}
    with world.store.read() as connection:
        everything = places_geojson(connection, OPERATOR)
        ann = places_geojson(connection, world.ann)
        bert = places_geojson(connection, world.bert)
    full = {f["id"]: f["properties"] for f in everything["features"]}
    seen = {f["id"]: f["properties"] for f in ann["features"]}
    shared = set(full) & hidden_keys & set(seen)
    assert shared, "the fixture must share a located place between hidden and visible"
    for key, props in full.items():
        expected = props["documents"] - (1 if key in hidden_keys else 0)
        if expected == 0:
            assert key not in seen
            continue
        assert seen[key]["documents"] == expected
        assert world.hidden not in seen[key]["document_ids"]
    assert {f["id"] for f in bert["features"]} >= hidden_keys & set(full)


def test_the_map_follows_the_period_story_and_query(world: World) -> None:
    with world.store.read() as connection:
        early = places_geojson(
            connection,
            OPERATOR,
            since=datetime(2026, 11, 1, tzinfo=UTC),
            until=datetime(2026, 11, 2, tzinfo=UTC),
        )
        quake = places_geojson(connection, OPERATOR, query="earthquake", limit=1)
    early_docs = {d for f in early["features"] for d in f["properties"]["document_ids"]}
    assert early_docs <= {world.ids["agree"]}
    assert len(quake["features"]) <= 1
    for feature in quake["features"]:
        assert set(feature["properties"]["document_ids"]) <= {world.ids["quake"], world.ids["copy"]}


# Graph ------------------------------------------------------------------------------


def test_the_graph_links_actors_to_targets_claimants_to_subjects_and_stories(
    world: World,
) -> None:
    with world.store.read() as connection:
        graph = entity_graph(connection, OPERATOR, limit=100)
    nodes = {n.key: n for n in graph.nodes}
    edges = {(e.kind, e.source, e.target): e for e in graph.edges}
    strike = edges[("event", "state:ISR", "armed_group:hamas")]
    assert strike.directed and strike.weight == 2  # GAZA and HIDDEN
    assert {e.document_id for e in strike.evidence} == {world.ids["gaza"], world.hidden}
    assert all(e.span is not None for e in strike.evidence)
    assert ("claim", "armed_group:hamas", "igo:un") in edges
    assert nodes["armed_group:hamas"].count == 2
    story_edges = [e for e in graph.edges if e.kind == "story"]
    assert story_edges and all(not e.directed for e in story_edges)
    weights = [e.weight for e in graph.edges]
    assert weights == sorted(weights, reverse=True)


def test_a_graph_around_an_entity_keeps_it(world: World) -> None:
    with world.store.read() as connection:
        graph = entity_graph(connection, OPERATOR, entity="dmitry peskov", limit=1)
        whole = entity_graph(connection, OPERATOR, entity="Dmitry Peskov", limit=100)
    assert "person:dmitry-peskov" in {n.key for n in graph.nodes}
    linked = {e.source for e in whole.edges} | {e.target for e in whole.edges}
    assert "person:dmitry-peskov" in linked


def test_a_hidden_document_never_shows_in_or_changes_the_graph(world: World) -> None:
    hidden_keys = {row.entity_key for row in _rows_of(world, doc_entities, world.hidden)}
    with world.store.read() as connection:
        everything = entity_graph(connection, OPERATOR, limit=100)
        ann = entity_graph(connection, world.ann, limit=100)
    full = {n.key: n.count for n in everything.nodes}
    seen = {n.key: n.count for n in ann.nodes}
    assert seen == {
        key: count - (key in hidden_keys)
        for key, count in full.items()
        if count - (key in hidden_keys) > 0
    }
    assert "armed_group:al-shabaab" in full and "armed_group:al-shabaab" not in seen
    for edge in ann.edges:
        assert world.hidden not in {e.document_id for e in edge.evidence}
    strike = next(e for e in ann.edges if (e.kind, e.source) == ("event", "state:ISR"))
    assert strike.weight == 1
