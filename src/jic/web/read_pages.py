"""The reading pages: overview, search, documents, stories, entities, places, map,
timeline and graph. Every read goes through the signed-in user's Reader."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection

from jic.analyse import geo, graph, ledger, timeline
from jic.analyse import search as search_view
from jic.center.rotation import NoChairError
from jic.domain import TLP
from jic.errors import NotFoundError, QueryError
from jic.interop.export import full_record
from jic.store import documents as document_repo
from jic.store import members as member_repo
from jic.store import overview as overview_repo
from jic.store import sources as source_repo
from jic.store import views as view_repo
from jic.store.visibility import Reader
from jic.web.deps import StoreDep, WhoDep
from jic.web.highlight import highlight, spans_of
from jic.web.render import page, strictest

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
PERIODS = {"1": 1, "7": 7, "30": 30, "90": 90, "all": None}
FACET_FILTERS = {
    "source": "source",
    "language": "lang",
    "tlp": "tlp",
    "member": "member",
    "entity": "entity",
    "place": "place",
}

Days = Annotated[str, Query(pattern="^(1|7|30|90|all)$")]
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _since(days: str, now: datetime | None = None) -> datetime | None:
    span = PERIODS[days]
    return None if span is None else (now or datetime.now(UTC)) - timedelta(days=span)


def reader_tlp(
    connection: Connection, reader: Reader, seen: overview_repo.Tally | None = None
) -> TLP:
    """The most restricted TLP among everything ``reader`` may see: the TLP of a page
    that aggregates over the whole center (an upper bound, never an understatement)."""
    seen = seen or overview_repo.tally(connection, reader)
    return strictest(TLP(level) for level, n in seen.tlps.items() if n)


def _tlps(connection: Connection, reader: Reader, ids: list[int]) -> TLP:
    if not ids:
        return TLP.CLEAR
    return strictest(d.tlp for d in document_repo.get_many(connection, ids, reader))


EVER = datetime(1970, 1, 1, tzinfo=UTC)


def story_rows(
    connection: Connection,
    reader: Reader,
    *,
    story: int | None = None,
    since: datetime | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Stories with documents ``reader`` may see published since ``since``, most such
    documents first: id, title, documents, copies, start, end. Built from those
    documents only (a story resting on hidden documents alone does not exist)."""
    where = view_repo.clauses(connection, reader, view_repo.Scope(story=story))
    until = datetime.now(UTC) + timedelta(days=3650)
    found = []
    for row in view_repo.period_stories(connection, where, since or EVER, until, limit):
        docs = row["documents"]
        found.append(
            {
                "id": row["story"],
                "title": next((d["title"] for d in docs if d["title"]), f"story {row['story']}"),
                "documents": [d["id"] for d in docs],
                "copies": [d["id"] for d in docs if d["copy"]],
                "start": docs[0]["at"],
                "end": docs[-1]["at"],
            }
        )
    return found


def chair_now(connection: Connection, at: datetime) -> dict[str, Any]:
    """The chair at ``at``, when its term ends, and who chairs next."""
    rotation = member_repo.rotation(connection)
    try:
        term = rotation.term_at(at)
    except NoChairError:
        first = rotation.term(0)
        return {"chair": None, "next": first.chair, "handover": first.start, "terms": []}
    following = rotation.term(term.index + 1)
    terms = [rotation.term(term.index + n) for n in range(0, 6)]
    return {"chair": term.chair, "next": following.chair, "handover": term.end, "terms": terms}


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, store: StoreDep, who: WhoDep, q: str = "") -> Response:
    if q.strip():
        return RedirectResponse("/search?" + urlencode({"q": q}), status_code=303)
    now = datetime.now(UTC)
    reader = who.reader
    with store.read() as connection:
        seen = overview_repo.tally(connection, reader)
        newest = overview_repo.newest(connection, reader, limit=LATEST)
        sources = [(name, i) for i, name, _ in seen.sources if i is not None][:SOURCES]
        latest = [("All sources", newest)] + [
            (name or "", overview_repo.newest(connection, reader, source_id=i, limit=4))
            for name, i in sources
        ]
        chair = chair_now(connection, now)
        places = geo.places_geojson(connection, reader, since=now - timedelta(days=7), limit=300)
        today = story_rows(connection, reader, since=now - timedelta(days=1), limit=12)
        week = [] if today else story_rows(connection, reader, since=now - timedelta(days=7))
        tlp = reader_tlp(connection, reader, seen)
    return page(
        request,
        who,
        "overview.html",
        tlp=tlp,
        chair=chair,
        total=seen.total,
        places=places,
        latest=[(name, [search_view.hit_record(h) for h in hits]) for name, hits in latest],
        stories=today or week[:12],
        stories_are_today=bool(today),
        disputed=_disputed(store, reader),
    )


LATEST = 6  # newest documents listed overall
SOURCES = 4  # sources with the most documents, listed with their newest


def _disputed(store: StoreDep, reader: Reader) -> list[Any]:
    with store.read() as connection:
        return ledger.propositions(connection, reader, disputed=True, limit=8)


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    store: StoreDep,
    who: WhoDep,
    q: Annotated[str, Query(max_length=1000)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=500)] = 1,
) -> HTMLResponse:
    result, hits, tlp = None, [], TLP.CLEAR
    if q.strip():
        offset = (page_number - 1) * PAGE_SIZE
        try:
            result = search_view.search(
                store, q, limit=PAGE_SIZE, offset=offset, reader=who.reader, facets=True
            )
        except QueryError as error:  # shown beside the box, where it can be fixed
            return page(request, who, "search.html", q=q, problem=error.one_line(), status=422)
        ids = [hit.document_id for hit in result.hits]
        with store.read() as connection:
            levels = {d.id: d.tlp for d in document_repo.get_many(connection, ids, who.reader)}
        hits = [{**search_view.hit_record(h), "tlp": levels[h.document_id]} for h in result.hits]
        tlp = strictest(levels.values())
    return page(
        request,
        who,
        "search.html",
        tlp=tlp,
        q=q,
        result=result,
        hits=hits,
        page_number=page_number,
        pages=((search_view.reachable(result) - 1) // PAGE_SIZE + 1) if result else 0,
        total=search_view.total_text(result) if result else "",
        facet_links=_facet_links(q, result.facets if result else {}),
    )


def _facet_links(q: str, facets: dict[str, list[tuple[str, int]]]) -> list[dict[str, Any]]:
    out = []
    for name, values in facets.items():
        field = FACET_FILTERS.get(name)
        rows = []
        for value, count in values:
            term = f'{field}:"{value}"' if field and value != "(none)" else None
            href = "/search?" + urlencode({"q": f"{q} {term}"}) if term and term not in q else None
            rows.append({"value": value, "count": count, "href": href})
        out.append({"name": name, "values": rows})
    return out


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document(request: Request, store: StoreDep, who: WhoDep, document_id: RowId) -> HTMLResponse:
    with store.read() as connection:
        doc = document_repo.get(connection, document_id, who.reader)
        record = full_record(connection, doc)
        source = source_repo.find(connection, doc.source) if doc.source else None
        linked = [i for i in (doc.version_of, record.get("duplicate_of")) if i]
        shown = {d.id for d in document_repo.get_many(connection, linked, who.reader)}
    return page(
        request,
        who,
        "document.html",
        tlp=doc.tlp,
        doc=doc,
        record=record,
        text=highlight(record["text"], spans_of(record)),
        source=source,
        link=web_link(doc.url),
        version_of=doc.version_of if doc.version_of in shown else None,
        duplicate_of=record.get("duplicate_of") if record.get("duplicate_of") in shown else None,
    )


def web_link(url: str | None) -> str | None:
    """``url`` if it is safe to put in an href: http(s) only, so a stored
    ``javascript:`` or ``data:`` address is shown as text and never runs."""
    from urllib.parse import urlsplit

    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


@router.get("/stories", response_class=HTMLResponse)
def stories(request: Request, store: StoreDep, who: WhoDep, days: Days = "30") -> HTMLResponse:
    with store.read() as connection:
        rows = story_rows(connection, who.reader, since=_since(days), limit=200)
        tlp = _tlps(connection, who.reader, [d for row in rows for d in row["documents"]])
    return page(request, who, "stories.html", tlp=tlp, stories=rows, days=days)


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story(request: Request, store: StoreDep, who: WhoDep, story_id: RowId) -> HTMLResponse:
    with store.read() as connection:
        found = story_rows(connection, who.reader, story=story_id, limit=1)
        if not found:
            raise NotFoundError(f"no story {story_id}", "see the stories list")
        view = found[0]
        docs = document_repo.get_many(connection, view["documents"], who.reader)
        line = timeline.timeline(connection, who.reader, story=story_id, limit=300)
        places = geo.places_geojson(connection, who.reader, story=story_id)
        entities = graph.entity_graph(connection, who.reader, story=story_id, limit=40)
        propositions = ledger.propositions(
            connection, who.reader, document_ids=view["documents"], limit=30
        )
    return page(
        request,
        who,
        "story.html",
        tlp=strictest(d.tlp for d in docs),
        story=view,
        documents=docs,
        timeline=line,
        places=places,
        graph=_cytoscape(entities),
        entities=entities.nodes[:15],
        propositions=propositions,
    )


@router.get("/entities/{key:path}", response_class=HTMLResponse)
def entity(request: Request, store: StoreDep, who: WhoDep, key: str) -> HTMLResponse:
    with store.read() as connection:
        around = graph.entity_graph(connection, who.reader, entity=key, limit=30)
        line = timeline.timeline(connection, who.reader, entity=key, bucket="week", limit=200)
        ids = sorted({item.document_id for item in line.items})
        tlp = _tlps(connection, who.reader, ids)
        names = _names(connection, who.reader, key, ids[-ALIAS_DOCUMENTS:])
    node = next((n for n in around.nodes if n.key == key), None)
    if node is None and not line.items:
        raise NotFoundError(f"no entity {key!r} in what you may see", "search for it instead")
    claims = [i for i in line.items if i.kind == "claim"]
    return page(
        request,
        who,
        "entity.html",
        tlp=tlp,
        key=key,
        node=node,
        names=names,
        timeline=line,
        claims=claims,
        graph=_cytoscape(around),
    )


ALIAS_DOCUMENTS = 20  # the newest documents read for an entity's aliases and forms


def _names(connection: Connection, reader: Reader, key: str, ids: list[int]) -> dict[str, Any]:
    """An entity's known aliases and the forms the documents use, from the processed
    records of the newest documents that mention it (only those ``reader`` may see)."""
    aliases: set[str] = set()
    forms: Counter[str] = Counter()
    for doc in document_repo.get_many(connection, ids, reader):
        for found in full_record(connection, doc)["entities"]:
            if found["id"] == key:
                aliases.update(found.get("aliases") or [])
                forms.update(mention["text"] for mention in found["mentions"])
    return {"aliases": sorted(aliases), "forms": forms.most_common(12)}


@router.get("/places/{key:path}", response_class=HTMLResponse)
def place(request: Request, store: StoreDep, who: WhoDep, key: str) -> HTMLResponse:
    with store.read() as connection:
        line = timeline.timeline(connection, who.reader, place=key, bucket="week", limit=200)
        ids = sorted({item.document_id for item in line.items})
        tlp = _tlps(connection, who.reader, ids)
        everywhere = geo.places_geojson(connection, who.reader, limit=10_000) if ids else None
    if not line.items:
        raise NotFoundError(f"no place {key!r} in what you may see", "search for it instead")
    features = [
        f
        for f in (everywhere or {}).get("features", [])
        if key in (str(f["properties"]["key"]), str(f["properties"].get("geonames_id")))
        or f["properties"]["name"] == key
    ]
    name = features[0]["properties"]["name"] if features else key
    return page(
        request,
        who,
        "place.html",
        tlp=tlp,
        key=key,
        name=name,
        timeline=line,
        places={"type": "FeatureCollection", "features": features},
    )


@router.get("/map", response_class=HTMLResponse)
def map_page(
    request: Request,
    store: StoreDep,
    who: WhoDep,
    days: Days = "7",
    q: Annotated[str, Query(max_length=1000)] = "",
) -> HTMLResponse:
    with store.read() as connection:
        places = geo.places_geojson(
            connection, who.reader, since=_since(days), query=q.strip() or None, limit=2000
        )
        tlp = reader_tlp(connection, who.reader)
    return page(request, who, "map.html", tlp=tlp, places=places, days=days, q=q)


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(
    request: Request,
    store: StoreDep,
    who: WhoDep,
    days: Days = "7",
    q: Annotated[str, Query(max_length=1000)] = "",
    bucket: Annotated[str, Query(pattern="^(hour|day|week|month)$")] = "day",
) -> HTMLResponse:
    with store.read() as connection:
        line = timeline.timeline(
            connection,
            who.reader,
            query=q.strip() or None,
            since=_since(days),
            bucket=bucket,
            limit=300,
        )
        tlp = reader_tlp(connection, who.reader)
    peak = max((b.total for b in line.buckets), default=0)
    return page(
        request,
        who,
        "timeline.html",
        tlp=tlp,
        timeline=line,
        days=days,
        q=q,
        bucket=bucket,
        peak=peak,
    )


@router.get("/graph", response_class=HTMLResponse)
def graph_page(
    request: Request,
    store: StoreDep,
    who: WhoDep,
    days: Days = "30",
    entity: Annotated[str, Query(max_length=300)] = "",
    size: Annotated[int, Query(ge=5, le=300)] = 60,
) -> HTMLResponse:
    with store.read() as connection:
        found = graph.entity_graph(
            connection, who.reader, entity=entity or None, since=_since(days), limit=size
        )
        tlp = reader_tlp(connection, who.reader)
    return page(
        request,
        who,
        "graph.html",
        tlp=tlp,
        graph=_cytoscape(found),
        found=found,
        days=days,
        entity=entity,
        size=size,
    )


def _cytoscape(found: graph.Graph) -> dict[str, Any]:
    """The graph as Cytoscape elements, with links to each entity's page."""
    from urllib.parse import quote

    nodes = [
        {
            "data": {
                "id": n.key,
                "label": n.name,
                "type": n.type,
                "weight": n.count,
                "href": "/entities/" + quote(n.key, safe=""),
            }
        }
        for n in found.nodes
    ]
    edges = [
        {
            "data": {
                "id": f"{e.kind}:{e.source}->{e.target}",
                "source": e.source,
                "target": e.target,
                "kind": e.kind,
                "weight": e.weight,
            }
        }
        for e in found.edges
    ]
    return {"nodes": nodes, "edges": edges}
