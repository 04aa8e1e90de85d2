"""Full-text search over documents: FTS5 on SQLite, tsvector on PostgreSQL.

Both take the parsed query (``jic.query``) and return hits ranked best first, with a
snippet in which matches are wrapped in ``MARK_START`` / ``MARK_END`` control
characters; the presentation layer turns those into bold text or ``<mark>``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, literal_column, select, text
from sqlalchemy.exc import OperationalError

from jic import query as q
from jic.domain import SearchHit, SearchResult
from jic.errors import QueryError
from jic.store.schema import documents, sources
from jic.store.times import maybe_utc
from jic.store.visibility import OPERATOR, Reader, fragment, visible

MARK_START = "\x02"
MARK_END = "\x03"
ELLIPSIS = "…"


def search(
    connection: Connection,
    query: str,
    *,
    limit: int = 20,
    offset: int = 0,
    reader: Reader = OPERATOR,
) -> SearchResult:
    """Documents matching ``query`` that ``reader`` may see, best first; the total
    counts only those, so it reveals nothing hidden."""
    node = q.parse(query)
    if connection.dialect.name == "sqlite":
        return _search_sqlite(connection, query, node, limit, offset, reader)
    return _search_postgres(connection, query, node, limit, offset, reader)


def _search_sqlite(
    connection: Connection, query: str, node: q.Node, limit: int, offset: int, reader: Reader
) -> SearchResult:
    match = q.to_fts5(node)
    seen, params = fragment(connection, reader)
    # Title matches weigh five times body matches (bm25 column weights).
    sql = text(
        "SELECT documents.id, documents.title, documents.url, documents.language, "
        "documents.published_at, s.name AS source_name, "
        f"snippet(documents_fts, 1, '{MARK_START}', '{MARK_END}', '{ELLIPSIS}', 24) AS snippet, "
        "bm25(documents_fts, 5.0, 1.0) AS score "
        "FROM documents_fts JOIN documents ON documents.id = documents_fts.rowid "
        "LEFT JOIN sources s ON s.id = documents.source_id "
        f"WHERE documents_fts MATCH :match AND {seen} "
        "ORDER BY score LIMIT :limit OFFSET :offset"
    )
    total_sql = text(
        "SELECT count(*) FROM documents_fts JOIN documents ON documents.id = documents_fts.rowid "
        f"WHERE documents_fts MATCH :match AND {seen}"
    )
    try:
        page = {"match": match, "limit": limit, "offset": offset, **params}
        rows = connection.execute(sql, page).all()
        total = int(connection.execute(total_sql, {"match": match, **params}).scalar_one())
    except OperationalError as exc:  # FTS5 rejects some inputs that survive quoting
        raise QueryError(
            f"the search index cannot read this query ({exc.orig})", "simplify it"
        ) from exc
    hits = [_hit(row, -float(row.score)) for row in rows]
    return SearchResult(query=query, total=total, hits=hits)


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


def _search_postgres(
    connection: Connection, query: str, node: q.Node, limit: int, offset: int, reader: Reader
) -> SearchResult:
    tsquery = _tsquery(node).label("q")
    tsv: ColumnElement[Any] = literal_column("documents.tsv")
    matches = and_(tsv.op("@@")(tsquery), visible(connection, reader))
    rank = func.ts_rank_cd(tsv, tsquery).label("score")
    headline = func.ts_headline(
        "english",
        func.left(documents.c.text, 200_000),
        tsquery,
        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15, "
        f"MaxFragments=2, FragmentDelimiter={ELLIPSIS}",
    ).label("snippet")
    top = (
        select(documents.c.id, rank)
        .where(matches)
        .order_by(rank.desc(), documents.c.id)
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    rows = connection.execute(
        select(
            documents.c.id,
            documents.c.title,
            documents.c.url,
            documents.c.language,
            documents.c.published_at,
            sources.c.name.label("source_name"),
            top.c.score,
            headline,
        )
        .select_from(top.join(documents, documents.c.id == top.c.id))
        .outerjoin(sources, sources.c.id == documents.c.source_id)
        .order_by(top.c.score.desc(), documents.c.id)
    ).all()
    total = int(
        connection.execute(select(func.count()).select_from(documents).where(matches)).scalar_one()
    )
    return SearchResult(
        query=query, total=total, hits=[_hit(row, float(row.score)) for row in rows]
    )


def _hit(row: Any, score: float) -> SearchHit:
    return SearchHit(
        document_id=row.id,
        title=row.title,
        snippet=row.snippet or "",
        score=score,
        source=row.source_name,
        language=row.language,
        published=maybe_utc(row.published_at),
        url=row.url,
    )
