"""What the documents say, read per reader: entities, places (GeoJSON), events,
claims, the timeline and the entity graph (analyse/timeline, geo, graph over
store/views, every read under the sharing policy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import Connection

from jic.analyse import geo, graph, timeline
from jic.api import view_models as vm
from jic.api.deps import ReaderDep, StoreDep
from jic.api.errors import responses
from jic.api.paging import MAX_OFFSET, CursorQuery, LimitQuery, Position, page_of, position
from jic.store import views as view_repo
from jic.store.visibility import Reader

router = APIRouter(prefix="/api/v1", tags=["views"])
READ = responses(401, 422)


def as_utc(value: datetime | None) -> datetime | None:
    """An instant without an offset is UTC, as everywhere in jic."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ScopeParams:
    """The filters every view takes: a story, an entity, a place, a search query and
    a period (``since`` inclusive, ``until`` exclusive)."""

    story: int | None
    entity: str | None
    place: str | None
    q: str | None
    since: datetime | None
    until: datetime | None

    def scope(self) -> view_repo.Scope:
        return view_repo.Scope(story=self.story, entity=self.entity, place=self.place, query=self.q)

    def key(self) -> list[Any]:
        return [self.story, self.entity, self.place, self.q, self.since, self.until]


StoryQuery = Annotated[int | None, Query(description="Only this story's documents.")]
EntityQuery = Annotated[
    str | None, Query(max_length=300, description="An entity key, name or alias.")
]
PlaceQuery = Annotated[
    str | None, Query(max_length=300, description="A place key, GeoNames id or name.")
]
QQuery = Annotated[
    str | None, Query(max_length=1000, description="A search query (words and filters).")
]
SinceQuery = Annotated[datetime | None, Query(description="From this instant on.")]
UntilQuery = Annotated[datetime | None, Query(description="Before this instant.")]


def scope_params(
    story: StoryQuery = None,
    entity: EntityQuery = None,
    place: PlaceQuery = None,
    q: QQuery = None,
    since: SinceQuery = None,
    until: UntilQuery = None,
) -> ScopeParams:
    return ScopeParams(story, entity, place, q or None, as_utc(since), as_utc(until))


ScopeDep = Annotated[ScopeParams, Depends(scope_params)]


def _where(connection: Connection, reader: Reader, params: ScopeParams) -> list[Any]:
    view_repo.check_period(params.since, params.until)
    return view_repo.clauses(connection, reader, params.scope())


def _window(at: Position, limit: int) -> int:
    """Rows to read for a page at ``at``: through the page, and one more to know if
    another follows (the views read newest first, so the page is a slice)."""
    return min(at.offset + limit + 1, MAX_OFFSET + 1)


@router.get("/entities", response_model=vm.EntityPage, responses=READ)
def entities(
    store: StoreDep,
    reader: ReaderDep,
    params: ScopeDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> vm.EntityPage:
    """Entities in the documents the reader may see, by how many documents mention
    them (then by key)."""
    at = position("entities", params.key(), cursor)
    with store.read() as connection:
        where = _where(connection, reader, params)
        rows = view_repo.top_entities(
            connection, where, params.since, params.until, _window(at, limit)
        )
    items, following = page_of(rows, at, limit)
    return vm.EntityPage(
        items=[
            vm.EntityOut(
                key=r["entity_key"],
                name=r["name"],
                type=r["type"],
                documents=int(r["documents"]),
                mentions=int(r["mentions"] or 0),
            )
            for r in items
        ],
        next=following,
    )


@router.get("/events", response_model=vm.EventPage, responses=READ)
def events(
    store: StoreDep,
    reader: ReaderDep,
    params: ScopeDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> vm.EventPage:
    """Coded events (PLOVER types), newest first: by the event's date, else its
    document's publication time, else when jic ingested it (``dated_by``)."""
    at = position("events", params.key(), cursor)
    with store.read() as connection:
        where = _where(connection, reader, params)
        rows = view_repo.timeline_events(
            connection, where, params.since, params.until, _window(at, limit)
        )
        items, following = page_of(rows, at, limit)
        texts = view_repo.clean_texts(connection, {r["document_id"] for r in items})
    return vm.EventPage(items=[vm.event_out(r, texts) for r in items], next=following)


@router.get("/claims", response_model=vm.ClaimPage, responses=READ)
def claims(
    store: StoreDep,
    reader: ReaderDep,
    params: ScopeDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> vm.ClaimPage:
    """Attributed claims, newest first (claim date, else publication, else ingest)."""
    at = position("claims", params.key(), cursor)
    with store.read() as connection:
        where = _where(connection, reader, params)
        rows = view_repo.timeline_claims(
            connection, where, params.since, params.until, _window(at, limit)
        )
    items, following = page_of(rows, at, limit)
    return vm.ClaimPage(items=[vm.claim_out(r) for r in items], next=following)


@router.get("/places", response_model=vm.FeatureCollection, responses=READ)
def places(
    store: StoreDep,
    reader: ReaderDep,
    story: StoryQuery = None,
    q: QQuery = None,
    since: SinceQuery = None,
    until: UntilQuery = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
) -> Any:
    """The places the documents mention, as a GeoJSON FeatureCollection (most
    documents first); places known only by name are counted in ``unlocated``."""
    with store.read() as connection:
        return geo.places_geojson(
            connection,
            reader,
            since=as_utc(since),
            until=as_utc(until),
            story=story,
            query=q or None,
            limit=limit,
        )


@router.get("/timeline", response_model=vm.Timeline, responses=READ)
def timeline_view(
    store: StoreDep,
    reader: ReaderDep,
    params: ScopeDep,
    bucket: Annotated[str, Query(pattern="^(hour|day|week|month)$")] = "day",
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
) -> Any:
    """Counts of events, claims and documents per bucket, and the newest ``limit``
    items in time order (``truncated`` says when there were more)."""
    with store.read() as connection:
        found = timeline.timeline(
            connection,
            reader,
            story=params.story,
            entity=params.entity,
            place=params.place,
            query=params.q,
            since=params.since,
            until=params.until,
            bucket=bucket,
            limit=limit,
        )
    return found.record()


@router.get("/graph", response_model=vm.Graph, responses=READ)
def entity_graph(
    store: StoreDep,
    reader: ReaderDep,
    story: StoryQuery = None,
    entity: EntityQuery = None,
    since: SinceQuery = None,
    until: UntilQuery = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Nodes at most.")] = 50,
) -> Any:
    """The entity graph: the most mentioned entities and the story, event and claim
    edges between them, each edge with its evidence."""
    with store.read() as connection:
        found = graph.entity_graph(
            connection,
            reader,
            story=story,
            entity=entity,
            since=as_utc(since),
            until=as_utc(until),
            limit=limit,
        )
    return found.record()
