"""The reads behind timelines, the map, the entity graph and situation reports.

Every statement here joins ``documents`` and carries the sharing policy
(``visibility.visible``) for its reader, so a document the reader may not see never
contributes a row, a count, an edge or a map point. A ``Scope`` narrows the documents
further (a story, an entity, a place, a search query); its clauses are over
``documents`` alone, so each read adds them to its own join.

When things happened: an event at its own date, else its document's; a claim at its
claim date, else its document's; a document at its published time, else when it was
ingested (a document always has a time, so nothing drops out of a timeline unseen).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    false,
    func,
    literal_column,
    or_,
    select,
    text,
)

from jic import query as q
from jic.errors import InputError
from jic.store import facts
from jic.store.schema import (
    doc_claims,
    doc_entities,
    doc_events,
    doc_places,
    documents,
    members,
    sources,
    stage_outputs,
    story_documents,
)
from jic.store.times import iso, maybe_utc
from jic.store.visibility import Reader, visible

BUCKETS = ("hour", "day", "week", "month")
DOCUMENT_TIME = func.coalesce(documents.c.published_at, documents.c.ingested_at)
EVENT_TIME = func.coalesce(doc_events.c.date, documents.c.published_at, documents.c.ingested_at)
CLAIM_TIME = func.coalesce(
    doc_claims.c.claim_date, documents.c.published_at, documents.c.ingested_at
)


class ViewInputError(InputError):
    """A view was asked for something it cannot show (a bucket, a limit, a period)."""

    code = "JIC-E250"


def check_period(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and until <= since:
        raise ViewInputError(
            f"the period ends ({iso(until)}) before it starts ({iso(since)})",
            "give an end later than the start",
        )


@dataclass(frozen=True, slots=True)
class Scope:
    """Which documents a view covers, beyond what the reader may see.

    ``entity``: an entity key ("ORG:islamic-state") or any of its names or aliases;
    ``place``: a place key ("gn:98182"), a GeoNames id, or a place name (any case);
    ``query``: a search query (words and field filters, as ``jic search`` reads them).
    """

    story: int | None = None
    entity: str | None = None
    place: str | None = None
    query: str | None = None


def clauses(connection: Connection, reader: Reader, scope: Scope) -> list[Any]:
    """WHERE clauses over ``documents``: the sharing policy, then the scope."""
    found: list[Any] = [visible(connection, reader)]
    if scope.story is not None:
        found.append(
            documents.c.id.in_(
                select(story_documents.c.document_id).where(
                    story_documents.c.story_id == scope.story
                )
            )
        )
    if scope.entity:
        keys = entity_keys(connection, scope.entity)
        found.append(
            documents.c.id.in_(
                select(doc_entities.c.document_id).where(doc_entities.c.entity_key.in_(keys))
            )
            if keys
            else false()
        )
    if scope.place:
        found.append(
            documents.c.id.in_(select(doc_places.c.document_id).where(place_clause(scope.place)))
        )
    if scope.query:
        found.extend(query_clauses(connection, scope.query))
    return found


def entity_keys(connection: Connection, value: str) -> list[str]:
    """The keys an entity filter means: the key itself if some document has it, else
    the entities known by that name or alias."""
    exact = connection.execute(
        select(doc_entities.c.entity_key).where(doc_entities.c.entity_key == value).limit(1)
    ).first()
    if exact is not None:
        return [value]
    return facts.entity_keys(connection, value)


def place_keys(value: str) -> Any:
    """The place keys a place filter means: a key ("gn:98182"), a GeoNames id, or a
    name as written, lower-case or capitalised (as ``place:`` in search reads it),
    with every key that name resolved to."""
    value = value.strip()
    if value.isdigit():
        return [facts.place_key(int(value), "")]
    if value.startswith(("gn:", "name:")):
        return [value]
    spellings = sorted({value, value.lower(), value.title()})
    named = select(doc_places.c.place_key).where(doc_places.c.name.in_(spellings))
    return or_(
        doc_places.c.place_key.in_(named),
        doc_places.c.place_key == facts.place_key(None, value),
    )


def place_clause(value: str) -> ColumnElement[bool]:
    """``doc_places`` rows of a place given as a key, a GeoNames id or a name."""
    keys = place_keys(value)
    return doc_places.c.place_key.in_(keys) if isinstance(keys, list) else keys


def event_place_clause(value: str) -> ColumnElement[bool]:
    """Events at a place given as a key, a GeoNames id or a name."""
    keys = place_keys(value)
    if isinstance(keys, list):
        return doc_events.c.place_key.in_(keys)
    spellings = sorted({value.strip(), value.strip().lower(), value.strip().title()})
    located = select(doc_places.c.place_key).where(doc_places.c.name.in_(spellings))
    return or_(
        doc_events.c.place_key.in_(located),
        doc_events.c.place_name.in_(spellings),
        doc_events.c.place_key == facts.place_key(None, value),
    )


def query_clauses(connection: Connection, query: str) -> list[Any]:
    """A search query (words and field filters) as clauses over ``documents``, with
    the filters exactly as ``jic search`` applies them (store/search.py)."""
    from jic.store import search as search_repo

    words, filters = q.split_filters(query)
    found: list[Any] = [
        *search_repo.field_filter_clauses(filters),  # one reading for search and views
        *search_repo.fact_filter_clauses(connection, filters),
    ]
    node = q.parse(words) if words.strip() else None
    if node is None:
        return found
    if connection.dialect.name == "sqlite":
        found.append(
            text(
                "documents.id IN (SELECT rowid FROM documents_fts "
                "WHERE documents_fts MATCH :view_match)"
            ).bindparams(view_match=q.to_fts5(node))
        )
    else:
        found.append(literal_column("documents.tsv").op("@@")(search_repo.tsquery(node)))
    return found


def between(column: Any, since: datetime | None, until: datetime | None) -> list[Any]:
    """``since`` inclusive, ``until`` exclusive; either may be open."""
    if column is DOCUMENT_TIME and (since is not None or until is not None):
        # The same test spelled so that the index on published_at can serve it (both
        # branches): a COALESCE hides the column from the planner, which then reads
        # every document (with its text) to find one week's.
        published, ingested = documents.c.published_at, documents.c.ingested_at
        return [
            or_(
                and_(*_bounds(published, since, until)),
                and_(published.is_(None), *_bounds(ingested, since, until)),
            )
        ]
    return _bounds(column, since, until)


def _bounds(column: Any, since: datetime | None, until: datetime | None) -> list[Any]:
    found = []
    if since is not None:
        found.append(column >= since)
    if until is not None:
        found.append(column < until)
    return found


def in_scope(where: Sequence[Any], since: datetime | None, until: datetime | None) -> Any:
    """The ids of the documents in scope, as a subquery for ``IN``."""
    return select(documents.c.id).where(*where, *between(DOCUMENT_TIME, since, until))


def bucket_label(connection: Connection, column: Any, bucket: str) -> Any:
    """An expression naming the bucket (an ISO date or date-hour string, in UTC) that
    ``column`` falls in; weeks start on Monday."""
    if connection.dialect.name == "sqlite":
        formats = {"hour": "%Y-%m-%dT%H", "day": "%Y-%m-%d", "month": "%Y-%m"}
        if bucket == "week":
            return func.date(column, "weekday 0", "-6 days")
        return func.strftime(formats[bucket], column)
    utc = func.timezone("UTC", column)
    if bucket == "week":
        return func.to_char(func.date_trunc("week", utc), "YYYY-MM-DD")
    formats = {"hour": 'YYYY-MM-DD"T"HH24', "day": "YYYY-MM-DD", "month": "YYYY-MM"}
    return func.to_char(utc, formats[bucket])


def bucket_start(label: str) -> datetime:
    """The instant a bucket label from ``bucket_label`` starts."""
    if len(label) == 7:  # a month
        label += "-01"
    if "T" in label:
        return datetime.fromisoformat(label + ":00").replace(tzinfo=UTC)
    return datetime.fromisoformat(label).replace(tzinfo=UTC)


# Timeline reads ---------------------------------------------------------------


def timeline_counts(
    connection: Connection,
    where: Sequence[Any],
    since: datetime | None,
    until: datetime | None,
    bucket: str,
) -> list[tuple[str, str, int]]:
    """(bucket label, kind, count) for events, claims and documents."""
    found: list[tuple[str, str, int]] = []
    for kind, table, at in (
        ("event", doc_events, EVENT_TIME),
        ("claim", doc_claims, CLAIM_TIME),
        ("document", None, DOCUMENT_TIME),
    ):
        label = bucket_label(connection, at, bucket).label("bucket")
        joined = (
            documents
            if table is None
            else table.join(documents, documents.c.id == table.c.document_id)
        )
        rows = connection.execute(
            select(label, func.count())
            .select_from(joined)
            .where(*where, *between(at, since, until))
            .group_by(label)
        )
        found.extend((str(row[0]), kind, int(row[1])) for row in rows if row[0] is not None)
    return found


def timeline_events(
    connection: Connection,
    where: Sequence[Any],
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> list[dict[str, Any]]:
    """The newest ``limit`` events in scope, with their time and how it was found."""
    dated_by = case(
        (doc_events.c.date.is_not(None), "event"),
        (documents.c.published_at.is_not(None), "published"),
        else_="ingested",
    )
    rows = connection.execute(
        select(
            doc_events.c.id,
            doc_events.c.document_id,
            documents.c.title,
            doc_events.c.type,
            doc_events.c.trigger,
            doc_events.c.trigger_start,
            doc_events.c.trigger_end,
            doc_events.c.sentence_start,
            doc_events.c.sentence_end,
            doc_events.c.sources,
            doc_events.c.targets,
            doc_events.c.place_key,
            doc_events.c.place_name,
            EVENT_TIME.label("at"),
            dated_by.label("dated_by"),
        )
        .select_from(doc_events.join(documents, documents.c.id == doc_events.c.document_id))
        .where(*where, *between(EVENT_TIME, since, until))
        .order_by(EVENT_TIME.desc(), doc_events.c.id.desc())
        .limit(limit)
    )
    return [{**row._asdict(), "at": maybe_utc(row.at)} for row in rows]


def timeline_claims(
    connection: Connection,
    where: Sequence[Any],
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> list[dict[str, Any]]:
    """The newest ``limit`` claims in scope."""
    dated_by = case(
        (doc_claims.c.claim_date.is_not(None), "claim"),
        (documents.c.published_at.is_not(None), "published"),
        else_="ingested",
    )
    rows = connection.execute(
        select(
            doc_claims.c.id,
            doc_claims.c.document_id,
            documents.c.title,
            doc_claims.c.claimant,
            doc_claims.c.claimant_entity,
            doc_claims.c.cue,
            doc_claims.c.stance,
            doc_claims.c.content,
            doc_claims.c.content_start,
            doc_claims.c.content_end,
            doc_claims.c.proposition_id,
            CLAIM_TIME.label("at"),
            dated_by.label("dated_by"),
        )
        .select_from(doc_claims.join(documents, documents.c.id == doc_claims.c.document_id))
        .where(*where, *between(CLAIM_TIME, since, until))
        .order_by(CLAIM_TIME.desc(), doc_claims.c.id.desc())
        .limit(limit)
    )
    return [{**row._asdict(), "at": maybe_utc(row.at)} for row in rows]


def timeline_documents(
    connection: Connection,
    where: Sequence[Any],
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> list[dict[str, Any]]:
    """The newest ``limit`` documents in scope."""
    dated_by = case((documents.c.published_at.is_not(None), "published"), else_="ingested")
    rows = connection.execute(
        select(
            documents.c.id.label("document_id"),
            documents.c.title,
            documents.c.url,
            documents.c.tlp,
            func.substr(documents.c.text, 1, 200).label("opening"),
            DOCUMENT_TIME.label("at"),
            dated_by.label("dated_by"),
        )
        .where(*where, *between(DOCUMENT_TIME, since, until))
        .order_by(DOCUMENT_TIME.desc(), documents.c.id.desc())
        .limit(limit)
    )
    return [{**row._asdict(), "at": maybe_utc(row.at)} for row in rows]


def clean_texts(connection: Connection, ids: Iterable[int]) -> dict[int, str]:
    """The clean text of these documents (what every span points into).

    Callers pass only ids they read through the policy."""
    wanted = sorted(set(ids))
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        rows = connection.execute(
            select(stage_outputs.c.document_id, stage_outputs.c.data).where(
                stage_outputs.c.stage == "clean",
                stage_outputs.c.document_id.in_(wanted[start : start + 500]),
            )
        )
        for document_id, data in rows:
            found[document_id] = str((data or {}).get("clean_text") or "")
    return found


def entity_mentions(connection: Connection, ids: Iterable[int]) -> dict[int, list[Any]]:
    """document -> [(start, end, entity key, label)] from the entities stage.

    Callers pass only ids they read through the policy."""
    wanted = sorted(set(ids))
    found: dict[int, list[Any]] = {}
    for start in range(0, len(wanted), 500):
        rows = connection.execute(
            select(stage_outputs.c.document_id, stage_outputs.c.data).where(
                stage_outputs.c.stage == "entities",
                stage_outputs.c.document_id.in_(wanted[start : start + 500]),
            )
        )
        for document_id, data in rows:
            found[document_id] = list((data or {}).get("entity_mentions") or [])
    return found


# Map reads --------------------------------------------------------------------


def places(
    connection: Connection,
    where: Sequence[Any],
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Places with coordinates mentioned by documents in scope, most documents first."""
    documents_count = func.count(func.distinct(doc_places.c.document_id))
    rows = connection.execute(
        select(
            doc_places.c.place_key,
            func.min(doc_places.c.name).label("name"),
            func.max(doc_places.c.geonames_id).label("geonames_id"),
            func.avg(doc_places.c.lat).label("lat"),
            func.avg(doc_places.c.lon).label("lon"),
            func.max(doc_places.c.country).label("country"),
            func.max(doc_places.c.feature_class).label("feature_class"),
            func.sum(doc_places.c.mentions).label("mentions"),
            documents_count.label("documents"),
        )
        .where(
            doc_places.c.document_id.in_(in_scope(where, since, until)),
            doc_places.c.lat.is_not(None),
            doc_places.c.lon.is_not(None),
        )
        .group_by(doc_places.c.place_key)
        .order_by(documents_count.desc(), doc_places.c.place_key)
        .limit(limit)
    )
    return [row._asdict() for row in rows]


def unlocated_places(
    connection: Connection, where: Sequence[Any], since: datetime | None, until: datetime | None
) -> int:
    """How many places in scope have no coordinates (known only by name)."""
    return int(
        connection.execute(
            select(func.count(func.distinct(doc_places.c.place_key))).where(
                doc_places.c.document_id.in_(in_scope(where, since, until)),
                or_(doc_places.c.lat.is_(None), doc_places.c.lon.is_(None)),
            )
        ).scalar_one()
    )


def place_events(
    connection: Connection,
    where: Sequence[Any],
    since: datetime | None,
    until: datetime | None,
    keys: Sequence[str],
) -> list[tuple[str, str, int]]:
    """(place key, event type, count) for events at these places in scope."""
    if not keys:
        return []
    rows = connection.execute(
        select(doc_events.c.place_key, doc_events.c.type, func.count())
        .select_from(doc_events.join(documents, documents.c.id == doc_events.c.document_id))
        .where(*where, *between(EVENT_TIME, since, until), doc_events.c.place_key.in_(keys))
        .group_by(doc_events.c.place_key, doc_events.c.type)
    )
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]


def place_documents(
    connection: Connection,
    where: Sequence[Any],
    since: datetime | None,
    until: datetime | None,
    keys: Sequence[str],
    per_place: int,
) -> dict[str, list[int]]:
    """The newest ``per_place`` documents in scope at each place."""
    if not keys:
        return {}
    rank = (
        func.row_number()
        .over(
            partition_by=doc_places.c.place_key,
            order_by=(DOCUMENT_TIME.desc(), documents.c.id.desc()),
        )
        .label("rank")
    )
    inner = (
        select(doc_places.c.place_key, doc_places.c.document_id, rank)
        .select_from(doc_places.join(documents, documents.c.id == doc_places.c.document_id))
        .where(*where, *between(DOCUMENT_TIME, since, until), doc_places.c.place_key.in_(keys))
        .subquery()
    )
    rows = connection.execute(
        select(inner.c.place_key, inner.c.document_id)
        .where(inner.c.rank <= per_place)
        .order_by(inner.c.place_key, inner.c.rank)
    )
    found: dict[str, list[int]] = {}
    for key, document_id in rows:
        found.setdefault(key, []).append(int(document_id))
    return found


# Graph reads ------------------------------------------------------------------


def top_entities(
    connection: Connection,
    where: Sequence[Any],
    since: datetime | None,
    until: datetime | None,
    limit: int,
    must: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Entities in scope by how many documents mention them; ``must`` keys are kept
    even when they would fall past ``limit``."""
    # A row per (document, entity) is the primary key, so count(*) counts documents.
    # The policy and scope pick the documents first, once each (an IN list), rather
    # than once per mention row in a join that the planner may drive from the entities.
    count = func.count()
    base = (
        select(
            doc_entities.c.entity_key,
            func.min(doc_entities.c.name).label("name"),
            func.min(doc_entities.c.type).label("type"),
            count.label("documents"),
            func.sum(doc_entities.c.mentions).label("mentions"),
        )
        .where(doc_entities.c.document_id.in_(in_scope(where, since, until)))
        .group_by(doc_entities.c.entity_key)
    )
    rows = [
        r._asdict()
        for r in connection.execute(
            base.order_by(count.desc(), doc_entities.c.entity_key).limit(limit)
        )
    ]
    missing = [key for key in must if key not in {r["entity_key"] for r in rows}]
    if missing:
        extra = connection.execute(base.where(doc_entities.c.entity_key.in_(missing)))
        rows.extend(r._asdict() for r in extra)
    return rows


def entity_documents(
    connection: Connection,
    where: Sequence[Any],
    since: datetime | None,
    until: datetime | None,
    keys: Sequence[str],
) -> list[tuple[str, int, int | None]]:
    """(entity key, document, story or None) for these entities in scope."""
    if not keys:
        return []
    rows = connection.execute(
        select(doc_entities.c.entity_key, doc_entities.c.document_id, story_documents.c.story_id)
        .select_from(
            doc_entities.join(documents, documents.c.id == doc_entities.c.document_id).outerjoin(
                story_documents, story_documents.c.document_id == documents.c.id
            )
        )
        .where(*where, *between(DOCUMENT_TIME, since, until), doc_entities.c.entity_key.in_(keys))
    )
    return [(str(r[0]), int(r[1]), None if r[2] is None else int(r[2])) for r in rows]


def events_with_actors(
    connection: Connection,
    where: Sequence[Any],
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Events in scope (newest first, at most ``limit``) with their sources and targets."""
    rows = connection.execute(
        select(
            doc_events.c.document_id,
            doc_events.c.type,
            doc_events.c.trigger_start,
            doc_events.c.trigger_end,
            doc_events.c.sentence_start,
            doc_events.c.sentence_end,
            doc_events.c.sources,
            doc_events.c.targets,
        )
        .select_from(doc_events.join(documents, documents.c.id == doc_events.c.document_id))
        .where(*where, *between(EVENT_TIME, since, until))
        .order_by(EVENT_TIME.desc(), doc_events.c.id.desc())
        .limit(limit)
    )
    return [row._asdict() for row in rows]


def claims_by_claimants(
    connection: Connection,
    where: Sequence[Any],
    since: datetime | None,
    until: datetime | None,
    claimants: Sequence[str],
    limit: int,
) -> list[dict[str, Any]]:
    """Claims in scope whose claimant is one of these entities (newest first)."""
    if not claimants:
        return []
    rows = connection.execute(
        select(
            doc_claims.c.document_id,
            doc_claims.c.claimant_entity,
            doc_claims.c.stance,
            doc_claims.c.content_start,
            doc_claims.c.content_end,
        )
        .select_from(doc_claims.join(documents, documents.c.id == doc_claims.c.document_id))
        .where(
            *where,
            *between(CLAIM_TIME, since, until),
            doc_claims.c.claimant_entity.in_(claimants),
        )
        .order_by(CLAIM_TIME.desc(), doc_claims.c.id.desc())
        .limit(limit)
    )
    return [row._asdict() for row in rows]


# Situation report reads -------------------------------------------------------


def period_stories(
    connection: Connection,
    where: Sequence[Any],
    since: datetime,
    until: datetime,
    limit: int,
) -> list[dict[str, Any]]:
    """Stories with documents in the period, most documents first:
    {story, documents: [(id, title, time)], first, last}."""
    count = func.count(story_documents.c.document_id)
    joined = story_documents.join(documents, documents.c.id == story_documents.c.document_id)
    top = connection.execute(
        select(story_documents.c.story_id, count)
        .select_from(joined)
        .where(*where, *between(DOCUMENT_TIME, since, until))
        .group_by(story_documents.c.story_id)
        .order_by(count.desc(), story_documents.c.story_id)
        .limit(limit)
    ).all()
    ids = [int(row[0]) for row in top]
    if not ids:
        return []
    rows = connection.execute(
        select(
            story_documents.c.story_id,
            story_documents.c.is_copy,
            documents.c.id,
            documents.c.title,
            DOCUMENT_TIME.label("at"),
        )
        .select_from(joined)
        .where(*where, *between(DOCUMENT_TIME, since, until), story_documents.c.story_id.in_(ids))
        .order_by(DOCUMENT_TIME, documents.c.id)
    )
    found: dict[int, dict[str, Any]] = {i: {"story": i, "documents": []} for i in ids}
    for row in rows:
        found[row.story_id]["documents"].append(
            {"id": row.id, "title": row.title, "at": maybe_utc(row.at), "copy": row.is_copy}
        )
    return [found[i] for i in ids]


def scoped_document_ids(
    connection: Connection, where: Sequence[Any], since: datetime, until: datetime
) -> list[int]:
    """Every document in scope published (else ingested) in the period."""
    return [
        int(i)
        for i in connection.execute(
            select(documents.c.id)
            .where(*where, *between(DOCUMENT_TIME, since, until))
            .order_by(documents.c.id)
        ).scalars()
    ]


def period_events(
    connection: Connection,
    where: Sequence[Any],
    since: datetime,
    until: datetime,
    place: str | None,
) -> list[dict[str, Any]]:
    """Events in the period (at ``place`` if given): type, place, document, trigger."""
    extra = [event_place_clause(place)] if place else []
    rows = connection.execute(
        select(
            doc_events.c.type,
            doc_events.c.place_name,
            doc_events.c.document_id,
            doc_events.c.trigger,
        )
        .select_from(doc_events.join(documents, documents.c.id == doc_events.c.document_id))
        .where(*where, *between(EVENT_TIME, since, until), *extra)
        .order_by(doc_events.c.type, doc_events.c.place_name, doc_events.c.document_id)
    )
    return [row._asdict() for row in rows]


def cited_documents(
    connection: Connection, reader: Reader, ids: Iterable[int]
) -> list[dict[str, Any]]:
    """The documents among ``ids`` that ``reader`` may see, with what a citation shows:
    title, time, URL, TLP, source name and reliability."""
    wanted = sorted(set(ids))
    found: list[dict[str, Any]] = []
    for start in range(0, len(wanted), 500):
        rows = connection.execute(
            select(
                documents.c.id,
                documents.c.title,
                documents.c.url,
                documents.c.tlp,
                DOCUMENT_TIME.label("at"),
                sources.c.name.label("source"),
                sources.c.reliability,
                members.c.name.label("member"),
            )
            .select_from(
                documents.outerjoin(sources, sources.c.id == documents.c.source_id).join(
                    members, members.c.id == documents.c.member_id
                )
            )
            .where(visible(connection, reader), documents.c.id.in_(wanted[start : start + 500]))
            .order_by(documents.c.id)
        )
        found.extend({**row._asdict(), "at": maybe_utc(row.at)} for row in rows)
    return found


def visible_ids(connection: Connection, reader: Reader, ids: Iterable[int]) -> set[int]:
    """Those of ``ids`` that ``reader`` may see."""
    wanted = sorted(set(ids))
    found: set[int] = set()
    for start in range(0, len(wanted), 500):
        found.update(
            connection.execute(
                select(documents.c.id).where(
                    visible(connection, reader), documents.c.id.in_(wanted[start : start + 500])
                )
            ).scalars()
        )
    return found
