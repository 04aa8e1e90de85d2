"""Full-text search over documents: FTS5 on SQLite, tsvector on PostgreSQL.

A search is three statements, each over only the documents the reader may see and
that pass the field filters, so a count never includes a document a hit list would
hide:

1. the count: one pass over the matches, grouped by source, language and TLP when
   facets are asked for, so the total and the three facets come from the same pass;
2. the page: the best ``offset + limit`` matches. On SQLite the index ranks alone
   (``ORDER BY bm25 LIMIT window``) and only that window is checked against the
   policy and the filters, widening it until the page is full; the index never has to
   join a row of ``documents`` it will not show. PostgreSQL ranks in one statement;
3. the page's titles, sources and snippets, for those ids only (snippets and
   ``ts_headline`` are the costly part of a hit).

Snippets wrap matches in ``MARK_START`` / ``MARK_END`` control characters; the
presentation layer turns those into bold text or ``<mark>``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
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
    union_all,
)
from sqlalchemy.exc import OperationalError

from jic import query as q
from jic.domain import SearchHit, SearchResult
from jic.errors import QueryError
from jic.store import facts
from jic.store.schema import doc_entities, doc_events, doc_places, documents, members, sources
from jic.store.times import maybe_utc
from jic.store.visibility import OPERATOR, Reader, visible

MARK_START = "\x02"
MARK_END = "\x03"
ELLIPSIS = "…"
FACETS = ("source", "language", "tlp")
FACT_FACETS = ("entity", "place", "event_type")
FACET_SIZE = 20  # values shown per facet
# Entity, place and event-type facets join every matching document's fact rows (a dozen
# or more each, about 12 µs a document on SQLite); past this many matches they count
# the newest this many (by id) so that a broad query stays fast. The source, language
# and TLP facets are always exact.
FACT_FACET_SAMPLE = 1_000
NONE_LABEL = "(none)"
# Title matches weigh five times body matches (bm25 column weights; lower is better).
_BM25 = "bm25(documents_fts, 5.0, 1.0)"
_SNIPPET = f"snippet(documents_fts, 1, '{MARK_START}', '{MARK_END}', '{ELLIPSIS}', 24)"
_FTS = table("documents_fts", column("rowid"))
_NAMED_ENTITIES = doc_entities.alias("named_entities")  # built once: aliases cost to build
_NAMED_PLACES = doc_places.alias("named_places")
_WINDOW_MAX = 4000  # past this many ranked ids, rank inside one joined statement instead


@dataclass(slots=True)
class _Plan:
    """What a search asks of the store, per backend."""

    where: list[Any]  # over ``documents``: the policy and the field filters
    match: str | None = None  # the FTS5 MATCH expression (SQLite)
    tsquery: ColumnElement[Any] | None = None  # the compiled tsquery (PostgreSQL)
    joined: FromClause = field(default_factory=lambda: documents)
    matching: list[Any] = field(default_factory=list)  # the words, as a WHERE clause

    @property
    def everything(self) -> list[Any]:
        """The whole condition: the words, the policy and the filters."""
        return [*self.matching, *self.where]


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
        total, counted = _count(connection, plan, facets)
        if facets:
            counted.update(_fact_facets(connection, plan) if total else empty_fact_facets())
        ranked = _ranked(connection, plan, limit, offset) if total > offset else []
        hits = _hits(connection, plan, ranked)
    except OperationalError as exc:  # FTS5 rejects some inputs that survive quoting
        raise QueryError(
            f"the search index cannot read this query ({exc.orig})", "simplify it"
        ) from exc
    return SearchResult(query=query, total=total, hits=hits, facets=counted)


def _plan(connection: Connection, node: q.Node | None, filters: q.Filters, reader: Reader) -> _Plan:
    where: list[Any] = [*_filters(filters), *_fact_filters(connection, filters)]
    if not reader.is_operator:
        where.insert(0, visible(connection, reader))
    if node is None:
        return _Plan(where)
    if connection.dialect.name == "sqlite":
        match = q.to_fts5(node)
        joined = documents.join(_FTS, _FTS.c.rowid == documents.c.id)
        matching = text("documents_fts MATCH :match").bindparams(match=match)
        return _Plan(where, match=match, joined=joined, matching=[matching])
    compiled = tsquery(node)
    tsv: ColumnElement[Any] = literal_column("documents.tsv")
    return _Plan(where, tsquery=compiled, matching=[tsv.op("@@")(compiled)])


def _filters(filters: q.Filters) -> list[Any]:
    """The field filters over ``documents`` alone (names resolved in subqueries, so no
    join is needed to apply them)."""
    found: list[Any] = []
    if filters.sources:
        named = select(sources.c.id).where(sources.c.name.in_(filters.sources))
        found.append(documents.c.source_id.in_(named))
    if filters.languages:
        found.append(documents.c.language.in_(filters.languages))
    if filters.tlps:
        found.append(documents.c.tlp.in_(filters.tlps))
    if filters.members:
        named = select(members.c.id).where(members.c.name.in_(filters.members))
        found.append(documents.c.member_id.in_(named))
    if filters.since is not None:
        found.append(documents.c.published_at >= filters.since)
    if filters.until is not None:
        found.append(documents.c.published_at < filters.until)
    return found


def _fact_filters(connection: Connection, filters: q.Filters) -> list[Any]:
    """``entity:`` and ``place:``, one condition per value (a document must name all).

    An entity is found by any of its names or aliases (``facts.entity_keys``) or by
    its key; a place by its name as written, lower-case or capitalised, by its key
    (``gn:98182``), or as a place known only by name; every spelling that resolved to
    the same place key counts.
    """
    found: list[Any] = []
    for value in filters.entities:
        keys = [*facts.entity_keys(connection, value), value]
        having = select(doc_entities.c.document_id).where(doc_entities.c.entity_key.in_(keys))
        found.append(documents.c.id.in_(having))
    for value in filters.places:
        spellings = sorted({value, value.lower(), value.title()})
        named = select(doc_places.c.place_key).where(doc_places.c.name.in_(spellings))
        keys = [value, facts.place_key(None, value)]
        having = select(doc_places.c.document_id).where(
            doc_places.c.place_key.in_(named) | doc_places.c.place_key.in_(keys)
        )
        found.append(documents.c.id.in_(having))
    return found


def _count(
    connection: Connection, plan: _Plan, facets: bool
) -> tuple[int, dict[str, list[tuple[str, int]]]]:
    """The total, and with ``facets`` the counts per source, language and TLP, from one
    pass over the matches (grouped by all three at once; the groups are few)."""
    if not facets:
        if plan.match is not None and not plan.where:  # the index counts alone
            statement: Any = text(
                "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH :match"
            ).bindparams(match=plan.match)
        else:
            statement = select(func.count()).select_from(plan.joined).where(*plan.everything)
        return int(connection.execute(statement).scalar_one()), {}
    # ``source_id + 0``: grouping by the bare column lets SQLite walk the source index
    # for the grouping order instead of the index the filters or the words need.
    source_id = (documents.c.source_id + 0).label("source_id")
    keys = (source_id, documents.c.language, documents.c.tlp)
    grouped = (
        select(*keys, func.count().label("n"))
        .select_from(plan.joined)
        .where(*plan.everything)
        .group_by(*keys)
        .subquery()
    )
    rows = connection.execute(
        select(sources.c.name, grouped.c.language, grouped.c.tlp, grouped.c.n).select_from(
            grouped.outerjoin(sources, sources.c.id == grouped.c.source_id)
        )
    ).all()
    counters: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for source, language, tlp, n in rows:
        counters["source"][source if source is not None else NONE_LABEL] += n
        counters["language"][language if language is not None else NONE_LABEL] += n
        counters["tlp"][tlp] += n
    return sum(int(row.n) for row in rows), {
        name: top(counter) for name, counter in counters.items()
    }


def empty_fact_facets() -> dict[str, list[tuple[str, int]]]:
    return {name: [] for name in FACT_FACETS}


def _fact_facets(connection: Connection, plan: _Plan) -> dict[str, list[tuple[str, int]]]:
    """Top entities, places and event types among the matches (the newest
    ``FACT_FACET_SAMPLE`` when there are more), each counted once per document, in
    one statement over one sample of document ids.

    Entities and places are grouped by key alone (the primary key index covers that)
    and named afterwards, for the top keys only, by their first stored spelling.
    """
    # Ordered by the index's rowid on SQLite, FTS5 walks its matches newest first and
    # stops at the limit; ordered by documents.id, it would sort every match first.
    # PostgreSQL ordered by id walks the primary key backwards testing each row until
    # it has the sample, which for a rare term is most of the table (1.5 s for 6,000
    # matches in a million); by ``id + 0`` it sorts the matches the GIN index lists.
    if plan.match is not None:
        newest = _FTS.c.rowid.desc()
    elif plan.tsquery is not None:
        newest = (documents.c.id + 0).desc()
    else:
        newest = documents.c.id.desc()
    sample = (
        select(documents.c.id)
        .select_from(plan.joined)
        .where(*plan.everything)
        .order_by(newest)
        .limit(FACT_FACET_SAMPLE)
        .cte("sample")
    )
    sampled = select(sample.c.id)
    branches = []
    for name, table_, key, named in (
        ("entity", doc_entities, doc_entities.c.entity_key, _NAMED_ENTITIES),
        ("place", doc_places, doc_places.c.place_key, _NAMED_PLACES),
    ):
        n = func.count()  # (document_id, key) is the primary key: a document counts once
        top_keys = (
            select(key.label("key"), n.label("n"))
            .where(table_.c.document_id.in_(sampled))
            .group_by(key)
            .order_by(n.desc(), key)
            .limit(FACET_SIZE)
            .subquery()
        )
        spelling = (
            select(named.c.name).where(named.c[key.name] == top_keys.c.key).limit(1)
        ).scalar_subquery()
        branches.append(select(literal_column(f"'{name}'").label("facet"), spelling, top_keys.c.n))
    n = func.count(doc_events.c.document_id.distinct())
    types = (
        select(doc_events.c.type.label("key"), n.label("n"))
        .where(doc_events.c.document_id.in_(sampled))
        .group_by(doc_events.c.type)
        .order_by(n.desc(), doc_events.c.type)
        .limit(FACET_SIZE)
        .subquery()
    )
    branches.append(select(literal_column("'event_type'"), types.c.key, types.c.n))
    found = empty_fact_facets()
    for facet, value, count in connection.execute(union_all(*branches)):
        found[facet].append((str(value), int(count)))
    return {name: sorted(values, key=lambda v: (-v[1], v[0])) for name, values in found.items()}


def top(counter: Counter[str], size: int = FACET_SIZE) -> list[tuple[str, int]]:
    """The ``size`` largest counts, ties by value, as a facet lists them."""
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:size]


def _ranked(
    connection: Connection, plan: _Plan, limit: int, offset: int
) -> list[tuple[int, float]]:
    """The page's document ids with their scores, best first."""
    if plan.match is not None and plan.where:
        return _ranked_by_window(connection, plan, limit, offset)
    if plan.match is not None:  # nothing to check: the index's order is the answer
        return _fts_ranked(connection, plan.match, offset + limit)[offset:]
    if plan.tsquery is not None:
        score: ColumnElement[Any] = func.ts_rank_cd(literal_column("documents.tsv"), plan.tsquery)
        order = [score.desc(), documents.c.id]
    else:
        score = literal_column("0")
        order = [documents.c.published_at.desc().nulls_last(), documents.c.id.desc()]
    rows = connection.execute(
        select(documents.c.id, score)
        .select_from(plan.joined)
        .where(*plan.everything)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    ).all()
    return [(int(row[0]), float(row[1] or 0.0)) for row in rows]


def _fts_ranked(connection: Connection, match: str, count: int) -> list[tuple[int, float]]:
    """The ``count`` best matches by the index alone (SQLite)."""
    rows = connection.execute(
        text(
            f"SELECT rowid, -{_BM25} AS score FROM documents_fts "
            f"WHERE documents_fts MATCH :match ORDER BY {_BM25}, rowid LIMIT :count"
        ),
        {"match": match, "count": count},
    ).all()
    return [(int(row[0]), float(row[1])) for row in rows]


def _ranked_by_window(
    connection: Connection, plan: _Plan, limit: int, offset: int
) -> list[tuple[int, float]]:
    """Rank by the index alone, then keep what the reader may see and the filters
    pass; widen the window until the page is full or the matches run out.

    The window is a prefix of the index's order, so once it holds ``offset + limit``
    kept documents, no document outside it could rank among them.
    """
    assert plan.match is not None
    want = offset + limit
    window = want * 2 + 20
    while window <= _WINDOW_MAX:
        ranked = _fts_ranked(connection, plan.match, window)
        ids = [document_id for document_id, _ in ranked]
        passed = set(
            connection.execute(
                select(documents.c.id).where(documents.c.id.in_(ids), *plan.where)
            ).scalars()
        )
        kept = [(document_id, score) for document_id, score in ranked if document_id in passed]
        if len(kept) >= want or len(ranked) < window:
            return kept[offset:want]
        share = max(len(kept), 1) / len(ranked)  # widen by what this window let through
        window = max(window * 4, int(want / share * 1.5))
    rows = connection.execute(
        select(documents.c.id, (-literal_column(_BM25)).label("score"))
        .select_from(plan.joined)
        .where(*plan.everything)
        .order_by(literal_column(_BM25), documents.c.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [(int(row[0]), float(row[1])) for row in rows]


def _hits(
    connection: Connection, plan: _Plan, ranked: Sequence[tuple[int, float]]
) -> list[SearchHit]:
    """The page's hits with titles, sources and snippets, read for those ids only."""
    if not ranked:
        return []
    ids = [document_id for document_id, _ in ranked]
    rows = connection.execute(
        select(
            documents.c.id,
            documents.c.title,
            documents.c.url,
            documents.c.language,
            documents.c.published_at,
            sources.c.name.label("source_name"),
            func.substr(documents.c.text, 1, 240).label("opening"),
        )
        .select_from(documents.outerjoin(sources, sources.c.id == documents.c.source_id))
        .where(documents.c.id.in_(ids))
    )
    found = {row.id: row for row in rows}
    snippets = _snippets(connection, plan, ids)
    return [
        _hit(found[document_id], score, snippets.get(document_id))
        for document_id, score in ranked
        if document_id in found
    ]


def _snippets(connection: Connection, plan: _Plan, ids: list[int]) -> dict[int, str]:
    if plan.match is not None:
        listed = ", ".join(str(int(document_id)) for document_id in ids)
        rows = connection.execute(
            text(
                f"SELECT rowid, {_SNIPPET} FROM documents_fts "
                f"WHERE documents_fts MATCH :match AND rowid IN ({listed})"
            ),
            {"match": plan.match},
        )
        return {int(row[0]): row[1] for row in rows}
    if plan.tsquery is not None:
        # One fragment, as FTS5's snippet gives: asking for two (MaxFragments=2) switches
        # ts_headline to its cover-based search, about twice the cost per hit.
        headline = func.ts_headline(
            "english",
            func.left(documents.c.text, 200_000),
            plan.tsquery,
            f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15",
        )
        rows = connection.execute(select(documents.c.id, headline).where(documents.c.id.in_(ids)))
        return {int(row[0]): row[1] for row in rows}
    return {}


def tsquery(node: q.Node) -> ColumnElement[Any]:
    """The query compiled to a PostgreSQL tsquery expression."""
    if isinstance(node, q.Term):
        return func.plainto_tsquery("english", node.text)
    if isinstance(node, q.Phrase):
        return func.phraseto_tsquery("english", node.text)
    if isinstance(node, q.Not):
        return func.tsquery_not(tsquery(node.part))  # the function behind the !! operator
    operator = "&&" if isinstance(node, q.And) else "||"
    expression = tsquery(node.parts[0])
    for part in node.parts[1:]:
        expression = expression.op(operator)(tsquery(part))
    return expression


def _hit(row: Any, score: float, snippet: str | None) -> SearchHit:
    return SearchHit(
        document_id=row.id,
        title=row.title,
        snippet=snippet if snippet is not None else (row.opening or ""),
        score=score,
        source=row.source_name,
        language=row.language,
        published=maybe_utc(row.published_at),
        url=row.url,
    )
