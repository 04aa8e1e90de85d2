"""Full-text search over documents: FTS5 on SQLite, tsvector on PostgreSQL.

One query is built per search: the documents that match the words (if any), that the
reader may see, and that pass the field filters. Hits, the total and the facets are
all taken from it, so a count never includes a document a hit list would hide.
Snippets wrap matches in ``MARK_START`` / ``MARK_END`` control characters; the
presentation layer turns those into bold text or ``<mark>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.exc import OperationalError

from jic import query as q
from jic.domain import SearchHit, SearchResult
from jic.errors import QueryError
from jic.store.schema import documents, members, sources
from jic.store.times import maybe_utc
from jic.store.visibility import OPERATOR, Reader, visible

MARK_START = "\x02"
MARK_END = "\x03"
ELLIPSIS = "…"
FACETS = {"source": sources.c.name, "language": documents.c.language, "tlp": documents.c.tlp}
_FTS = table("documents_fts", column("rowid"))


@dataclass(slots=True)
class _Plan:
    joined: FromClause
    where: list[Any]  # column expressions and text clauses (FTS5 MATCH, the policy)
    score: ColumnElement[Any] | None  # higher is better
    snippet: ColumnElement[Any]
    tsquery: ColumnElement[Any] | None = None


def search(
    connection: Connection,
    query: str,
    *,
    limit: int = 20,
    offset: int = 0,
    reader: Reader = OPERATOR,
    facets: bool = False,
) -> SearchResult:
    """Documents matching ``query`` that ``reader`` may see, best first (newest first
    when the query is only filters); the total and facets count only those."""
    words, filters = q.split_filters(query)
    node = q.parse(words) if words else None
    if node is None and filters.empty:
        raise QueryError("the query is empty", "give a word to look for, or a filter")
    plan = _plan(connection, node, filters, reader)
    try:
        hits = _hits(connection, plan, limit, offset)
        total = int(
            connection.execute(
                select(func.count()).select_from(plan.joined).where(*plan.where)
            ).scalar_one()
        )
        counted = _facets(connection, plan) if facets else {}
    except OperationalError as exc:  # FTS5 rejects some inputs that survive quoting
        raise QueryError(
            f"the search index cannot read this query ({exc.orig})", "simplify it"
        ) from exc
    return SearchResult(query=query, total=total, hits=hits, facets=counted)


def _plan(connection: Connection, node: q.Node | None, filters: q.Filters, reader: Reader) -> _Plan:
    joined: FromClause = documents.outerjoin(sources, sources.c.id == documents.c.source_id).join(
        members, members.c.id == documents.c.member_id
    )
    where: list[Any] = [visible(connection, reader), *_filters(filters)]
    plain = func.substr(documents.c.text, 1, 240)
    if node is None:
        return _Plan(joined, where, None, plain)
    if connection.dialect.name == "sqlite":
        joined = joined.join(_FTS, _FTS.c.rowid == documents.c.id)
        where.append(text("documents_fts MATCH :match").bindparams(match=q.to_fts5(node)))
        # Title matches weigh five times body matches (bm25 column weights; lower is better).
        score: ColumnElement[Any] = -literal_column("bm25(documents_fts, 5.0, 1.0)")
        snippet: ColumnElement[Any] = literal_column(
            f"snippet(documents_fts, 1, '{MARK_START}', '{MARK_END}', '{ELLIPSIS}', 24)"
        )
        return _Plan(joined, where, score, snippet)
    tsquery = _tsquery(node)
    tsv: ColumnElement[Any] = literal_column("documents.tsv")
    where.append(tsv.op("@@")(tsquery))
    return _Plan(joined, where, func.ts_rank_cd(tsv, tsquery), plain, tsquery)


def _filters(filters: q.Filters) -> list[ColumnElement[Any]]:
    found: list[ColumnElement[Any]] = []
    if filters.sources:
        found.append(sources.c.name.in_(filters.sources))
    if filters.languages:
        found.append(documents.c.language.in_(filters.languages))
    if filters.tlps:
        found.append(documents.c.tlp.in_(filters.tlps))
    if filters.members:
        found.append(members.c.name.in_(filters.members))
    if filters.since is not None:
        found.append(documents.c.published_at >= filters.since)
    if filters.until is not None:
        found.append(documents.c.published_at < filters.until)
    return found


def _hits(connection: Connection, plan: _Plan, limit: int, offset: int) -> list[SearchHit]:
    score = (plan.score if plan.score is not None else literal_column("0")).label("score")
    order = (
        [score.desc(), documents.c.id]
        if plan.score is not None
        else [documents.c.published_at.desc().nulls_last(), documents.c.id.desc()]
    )
    snippet = plan.snippet if plan.tsquery is None else literal_column("''")
    rows = connection.execute(
        select(
            documents.c.id,
            documents.c.title,
            documents.c.url,
            documents.c.language,
            documents.c.published_at,
            sources.c.name.label("source_name"),
            score,
            snippet.label("snippet"),
        )
        .select_from(plan.joined)
        .where(*plan.where)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    ).all()
    hits = [_hit(row) for row in rows]
    if plan.tsquery is not None and hits:  # headlines only for the page: they are costly
        _headlines(connection, plan.tsquery, hits)
    return hits


def _headlines(connection: Connection, tsquery: ColumnElement[Any], hits: list[SearchHit]) -> None:
    headline = func.ts_headline(
        "english",
        func.left(documents.c.text, 200_000),
        tsquery,
        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15, "
        f"MaxFragments=2, FragmentDelimiter={ELLIPSIS}",
    )
    ids = [hit.document_id for hit in hits]
    rows = connection.execute(select(documents.c.id, headline).where(documents.c.id.in_(ids)))
    found = {row[0]: row[1] for row in rows}
    for hit in hits:
        hit.snippet = found.get(hit.document_id) or ""


def _facets(connection: Connection, plan: _Plan) -> dict[str, list[tuple[str, int]]]:
    counted: dict[str, list[tuple[str, int]]] = {}
    for name, value in FACETS.items():
        rows = connection.execute(
            select(value, func.count())
            .select_from(plan.joined)
            .where(*plan.where)
            .group_by(value)
            .order_by(func.count().desc(), value)
            .limit(20)
        )
        counted[name] = [(str(v) if v is not None else "(none)", int(n)) for v, n in rows]
    return counted


def _tsquery(node: q.Node) -> ColumnElement[Any]:
    if isinstance(node, q.Term):
        return func.plainto_tsquery("english", node.text)
    if isinstance(node, q.Phrase):
        return func.phraseto_tsquery("english", node.text)
    if isinstance(node, q.Not):
        return func.tsquery_not(_tsquery(node.part))  # the function behind the !! operator
    operator = "&&" if isinstance(node, q.And) else "||"
    expression = _tsquery(node.parts[0])
    for part in node.parts[1:]:
        expression = expression.op(operator)(_tsquery(part))
    return expression


def _hit(row: Any) -> SearchHit:
    return SearchHit(
        document_id=row.id,
        title=row.title,
        snippet=row.snippet or "",
        score=float(row.score or 0.0),
        source=row.source_name,
        language=row.language,
        published=maybe_utc(row.published_at),
        url=row.url,
    )
