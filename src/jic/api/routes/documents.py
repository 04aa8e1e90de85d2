"""Documents and search: list (filtered as in search), read one, submit, search."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from jic import query as query_language
from jic.analyse import search as search_view
from jic.api import models
from jic.api.deps import ReaderDep, StoreDep, UserDep, WriterDep
from jic.api.errors import responses
from jic.api.openapi import DOCUMENT_RECORD
from jic.api.paging import CursorQuery, LimitQuery, position
from jic.domain import TLP, SearchResult
from jic.gather.ingest import IngestTarget, ingest
from jic.gather.submissions import Submission, SubmissionBatch, to_offer
from jic.interop.export import full_record
from jic.store import documents as document_repo

router = APIRouter(prefix="/api/v1", tags=["documents"])

READ = responses(401, 422)
# Every document has one of the five TLPs, so this filter alone lists them all.
EVERY_TLP = " ".join(f"tlp:{tlp.value}" for tlp in TLP)

QQuery = Annotated[
    str,
    Query(
        min_length=1,
        max_length=1000,
        description='Words, "phrases", OR, NOT, and the filters source:, lang:, tlp:, '
        "member:, from:, to: (see docs/search.md).",
    ),
]


def _hits(result: SearchResult) -> list[models.Hit]:
    return [models.Hit(**search_view.hit_record(hit)) for hit in result.hits]


@router.get("/search", response_model=models.SearchPage, responses=READ, tags=["search"])
def search(
    store: StoreDep,
    reader: ReaderDep,
    q: QQuery,
    limit: LimitQuery = 20,
    cursor: CursorQuery = None,
    facets: bool = False,
    exhaustive: Annotated[
        bool,
        Query(
            description="Count every match and rank them all. By default a search counts "
            "up to 10,000 matches (past that `total_exact` is false) and ranks the newest "
            "10,000 on SQLite, 1,000 on PostgreSQL (`ranked_within`)."
        ),
    ] = False,
) -> models.SearchPage:
    """Search with the query language, best first; ``facets`` adds counts per source,
    language and TLP over every match the reader may see (over the newest 10,000 when
    there are more, unless ``exhaustive``)."""
    at = position("search", [q, facets, exhaustive], cursor)
    found = search_view.search(
        store, q, limit=limit, offset=at.offset, reader=reader, facets=facets, exhaustive=exhaustive
    )
    record = search_view.result_record(found)
    return models.SearchPage(
        query=found.query,
        total=found.total,
        total_exact=found.total_exact,
        ranked_within=found.ranked_within,
        hits=_hits(found),
        facets=record.get("facets") if facets else None,
        facets_sampled=record.get("facets_sampled") if facets else None,
        next=at.next_cursor(limit, search_view.reachable(found) > at.offset + limit),
    )


@router.get("/documents", response_model=models.DocumentPage, responses=READ)
def list_documents(
    store: StoreDep,
    reader: ReaderDep,
    q: Annotated[
        str | None,
        Query(max_length=1000, description="Optional: a search query or only its filters."),
    ] = None,
    limit: LimitQuery = 20,
    cursor: CursorQuery = None,
) -> models.DocumentPage:
    """The documents the reader may see: newest first (by publication time, then id),
    or best first when ``q`` has words to look for."""
    query = EVERY_TLP
    if q:
        words, filters = query_language.split_filters(q)
        if words or not filters.empty:
            query = q
    at = position("documents", query, cursor)
    found = search_view.search(store, query, limit=limit, offset=at.offset, reader=reader)
    return models.DocumentPage(
        total=found.total,
        total_exact=found.total_exact,
        items=_hits(found),
        next=at.next_cursor(limit, search_view.reachable(found) > at.offset + limit),
    )


@router.get(
    "/documents/{document_id}",
    responses={**responses(401, 404, 422), 200: DOCUMENT_RECORD},
)
def document(store: StoreDep, reader: ReaderDep, document_id: int) -> Any:
    """One document with what processing found in it, as `jic export documents` writes it."""
    with store.read() as connection:
        return full_record(connection, document_repo.get(connection, document_id, reader))


@router.post(
    "/documents",
    status_code=201,
    response_model=models.Submitted,
    responses=responses(401, 403, 422, 429),
)
def submit(
    store: StoreDep,
    user: UserDep,
    _writer: WriterDep,
    body: Submission | SubmissionBatch,
    source: Annotated[str | None, Query(max_length=200)] = None,
) -> models.Submitted:
    """Submit one document or a batch ``{"documents": [...]}`` for your member;
    returns one outcome each, in order."""
    batch = body.documents if isinstance(body, SubmissionBatch) else [body]
    offers = (to_offer(item, user.member, f"documents[{n}]") for n, item in enumerate(batch))
    target = IngestTarget(member=user.member, source=source, user=user.name, user_id=user.id)
    report = ingest(store, offers, target)
    return models.Submitted(
        outcomes=[
            models.Outcome(
                item=o.label,
                status=o.status.value,
                id=o.document_id or o.existing_id,
                message=o.message,
            )
            for o in report.outcomes
        ]
    )
