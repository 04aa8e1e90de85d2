"""Full-text search over documents: FTS5 on SQLite, tsvector on PostgreSQL.

Every statement of a search covers only the documents the reader may see and that
pass the field filters, so a count never includes a document a hit list would hide.

By default a search is bounded, as news search engines are (Elasticsearch's
``track_total_hits``): it takes the newest ``BOUND + 1`` matches the reader may see
(the index lists its matches newest first and stops there) and from that one set
counts the total and the source, language and TLP facets, samples the entity, place
and event-type facets and ranks the page, in one statement. A query with at most
``BOUND`` visible matches gets the exact total and the exact ranking; beyond that the
total is reported as a lower bound (``total_exact`` false: "10,000+") and the page is
the best of the newest ``BOUND`` matches (``ranked_within``). Scoring every match of a
broad word (60,000 of a million documents) costs more than the rest of the search.

``exhaustive=True`` counts every match and ranks them all: three statements, the
count (grouped by source, language and TLP for facets), the page (on SQLite the index
ranks alone and only a window of its best ids is checked against the policy and the
filters, widening until the page is full) and the facts sample.

Either way the page's titles, sources and snippets are read for its ids only
(snippets and ``ts_headline`` are the costly part of a hit). Snippets wrap matches in
``MARK_START`` / ``MARK_END`` control characters; the presentation layer turns those
into bold text or ``<mark>``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Float,
    FromClause,
    Integer,
    String,
    bindparam,
    cast,
    column,
    func,
    literal,
    literal_column,
    null,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Alias
from sqlalchemy.sql.util import ClauseAdapter

from jic import query as q
from jic.domain import SearchHit, SearchResult
from jic.errors import QueryError
from jic.store import facts
from jic.store.schema import doc_entities, doc_events, doc_places, documents, members, sources
from jic.store.times import maybe_utc
from jic.store.visibility import OPERATOR, Reader, fragment

MARK_START = "\x02"
MARK_END = "\x03"
ELLIPSIS = "…"
FACETS = ("source", "language", "tlp")
FACT_FACETS = ("entity", "place", "event_type")
FACET_SIZE = 20  # values shown per facet
# Entity, place and event-type facets join every matching document's fact rows (a dozen
# or more each, about 12 µs a document on SQLite); past this many matches they count
# the newest this many (by id) so that a broad query stays fast. The source, language
# and TLP facets count every match (every one of the newest ``BOUND`` when bounded).
FACT_FACET_SAMPLE = 1_000
# A default search counts at most this many of the newest visible matches, and ranks
# at most RANK_WINDOW of them: all BOUND on SQLite, where bm25 comes with the index's
# own scan (under 1 µs a match); on PostgreSQL ``ts_rank_cd`` reads each match's whole
# tsvector back from TOAST storage (about 15 µs), so there it ranks the newest 1,000.
BOUND = 10_000
RANK_WINDOW = {"sqlite": BOUND, "postgresql": 1_000}
NONE_LABEL = "(none)"
# Title matches weigh five times body matches (bm25 column weights; lower is better).
_BM25 = "bm25(documents_fts, 5.0, 1.0)"
_SNIPPET = f"snippet(documents_fts, 1, '{MARK_START}', '{MARK_END}', '{ELLIPSIS}', 24)"
_FTS = table("documents_fts", column("rowid"))
_NAMED_ENTITIES = doc_entities.alias("named_entities")  # built once: aliases cost to build
_NAMED_PLACES = doc_places.alias("named_places")
_WINDOW_MAX = 4000  # past this many ranked ids, rank inside one joined statement instead
POLICY_INDEX = "ix_documents_policy"  # migration 0008: id and the columns checked per match
TIME_INDEX = "ix_documents_published_policy"  # the same, by publication time first
# PostgreSQL: ``id + 0`` orders the GIN index's matches by id without letting the
# planner walk the primary key instead (below). ``id / 16384`` is the id's epoch as the
# full-text index holds it (migration 0013), written as there so that ``epoch =
# ANY(epochs)`` is answered by that index (a bound parameter for the 16384 would not
# match).
_ID_PLUS_0: ColumnElement[int] = literal_column("documents.id + 0", Integer)
ID_EPOCH = 16384
_PROBE = 16  # PostgreSQL: a bounded search that expects few matches counts 1/16 first
_EPOCH: ColumnElement[int] = literal_column(f"documents.id / {ID_EPOCH}", Integer)


def above_floor(floor: Any, epochs: Any) -> list[ColumnElement[bool]]:
    """PostgreSQL: the conditions that keep ids from ``floor`` up, ``epochs`` being
    ``floor_epochs(floor, newest)``: equality on the epoch key of the full-text index,
    which GIN answers by skipping through each epoch's posting tree beside the words'
    (a range on that key would be a partial match, which GIN gathers into a bitmap of
    every id in it and then has every candidate's tsvector rechecked), and the exact
    floor on ``id + 0``, tested on the rows the index lets through."""
    return [
        # ANY(...) must stand on the right of the comparison.
        _EPOCH == func.any(cast(epochs, ARRAY(Integer))),  # noqa: SIM300
        floor <= _ID_PLUS_0,
    ]


def floor_epochs(floor: int, newest: int) -> list[int]:
    """The epochs from ``floor``'s to the one after ``newest``'s (a document stored
    between reading ``newest`` and searching may open the next epoch)."""
    return list(range(floor // ID_EPOCH, newest // ID_EPOCH + 2))


class _Indexed(Alias):
    """``documents`` read through ``POLICY_INDEX`` on SQLite (``documents AS documents
    INDEXED BY ...``). Each match is looked up by id to check the policy and the
    filters; the index holds those columns a hundred rows to a page, where the table
    holds one or two (the text is in the row). SQLite does not choose it on its own
    without statistics, and statistics would change the plans of every other read."""

    inherit_cache = True
    index = POLICY_INDEX


class _IndexedByTime(_Indexed):
    """``documents`` read through ``TIME_INDEX`` on SQLite: a query of filters alone
    lists newest first by publication time, and this index walks them in that order
    with every column the policy, the filters and the facets read."""

    inherit_cache = True
    index = TIME_INDEX


@compiles(_Indexed, "sqlite")
def _indexed_sqlite(element: _Indexed, compiler: SQLCompiler, **kw: Any) -> str:
    rendered: str = compiler.visit_alias(element, **kw)  # type: ignore[no-untyped-call]
    return f"{rendered} INDEXED BY {element.index}" if kw.get("asfrom") else rendered


_DOCS = _Indexed._construct(documents, name="documents")
_DOCS_BY_TIME = _IndexedByTime._construct(documents, name="documents")


@dataclass(slots=True)
class _Plan:
    """What a search asks of the store, per backend."""

    where: list[Any]  # over ``docs``: the policy and the field filters
    match: str | None = None  # the FTS5 MATCH expression (SQLite)
    tsquery: ColumnElement[Any] | None = None  # the compiled tsquery (PostgreSQL)
    docs: Any = field(default_factory=lambda: documents)  # documents, or an _Indexed
    joined: FromClause = field(default_factory=lambda: documents)
    matching: list[Any] = field(default_factory=list)  # the words, as a WHERE clause
    # What the statements' structure depends on (``_Shape``), and the values of their
    # named parameters: statements are built once per shape and cached.
    shape: Any = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def everything(self) -> list[Any]:
        """The whole condition: the words, the policy and the filters."""
        return [*self.matching, *self.where]

    @property
    def newest(self) -> list[Any]:
        """Newest first, in the order the index lists its matches cheapest.

        Ordered by the index's rowid on SQLite, FTS5 walks its matches newest first and
        stops at the limit; ordered by documents.id, it would sort every match first.
        PostgreSQL ordered by id walks the primary key backwards testing each row until
        it has the limit, which for a rare term is most of the table (1.5 s for 6,000
        matches in a million); by ``id + 0`` it sorts the matches the GIN index lists.
        A query of filters alone lists by publication time."""
        if self.match is not None:
            return [_FTS.c.rowid.desc()]
        if self.tsquery is not None:
            return [_ID_PLUS_0.desc()]
        return [self.docs.c.published_at.desc().nulls_last(), self.docs.c.id.desc()]


def search(
    connection: Connection,
    query: str,
    *,
    limit: int = 20,
    offset: int = 0,
    reader: Reader = OPERATOR,
    facets: bool = False,
    exhaustive: bool = False,
    bound: int | None = None,
    window: int | None = None,
) -> SearchResult:
    """Documents matching ``query`` that ``reader`` may see, best first (newest first
    when the query is only filters); the total and facets count only those.

    Unless ``exhaustive``, only the newest ``bound + 1`` visible matches are read: past
    ``bound`` the total is a lower bound, and the page is the best of the newest
    ``window`` (``RANK_WINDOW`` of the backend unless given; at most ``bound``)."""
    if bound is None:
        bound = BOUND
    if window is None:
        window = RANK_WINDOW.get(connection.dialect.name, bound)
    window = min(window, bound)
    if window < 1:
        raise QueryError(f"the search bound and window must be positive ({bound}, {window})")
    words, filters = q.split_filters(query)
    node = q.parse(words) if words else None
    if node is None and filters.empty:
        raise QueryError("the query is empty", "give a word to look for, or a filter")
    plan = _plan(connection, node, filters, reader)
    try:
        if exhaustive:
            total, counted = _count(connection, plan, facets)
            if facets:
                counted.update(_fact_facets(connection, plan) if total else empty_fact_facets())
            ranked = _ranked(connection, plan, limit, offset) if total > offset else []
            exact, within = True, None
        else:
            total, exact, counted, ranked, seen = _bounded(
                connection, plan, facets, limit, offset, bound, window
            )
            within = window if seen > window and node is not None else None
        hits = _hits(connection, plan, ranked, scan=not exhaustive)
    except OperationalError as exc:  # FTS5 rejects some inputs that survive quoting
        raise QueryError(
            f"the search index cannot read this query ({exc.orig})", "simplify it"
        ) from exc
    return SearchResult(
        query=query,
        total=total,
        hits=hits,
        facets=counted,
        total_exact=exact,
        ranked_within=within,
    )


def _plan(connection: Connection, node: q.Node | None, filters: q.Filters, reader: Reader) -> _Plan:
    """The plan of a search: its structure, built once per shape (``_structure``), and
    the values of its parameters (the words, the reader, the filters' values)."""
    dialect = connection.dialect.name
    params = _filter_params(connection, filters)
    policy = ""
    if not reader.is_operator:
        policy, values = fragment(connection, reader)
        params.update(values)
    match: str | None = None
    words: Any = None
    if node is not None:
        if dialect == "sqlite":
            match = q.to_fts5(node)
            params["match"] = match
            words = "fts5"
        else:
            words = _tsquery_shape(node)
            params.update(_tsquery_params(node))
    shape: _Shape = (dialect, words, bool(policy), _filter_shape(filters))
    structure: _Plan = _cached(("plan", shape), lambda: _structure(shape, policy))
    return replace(structure, match=match, params=params)


# What a search's statements depend on: the backend, the words' kind ("fts5", or on
# PostgreSQL the tsquery's tree without its words), whether a policy applies, and which
# filters there are (``_filter_shape``). Two searches of the same shape run the same
# SQL with other parameters.
_Shape = tuple[str, Any, bool, tuple[Any, ...]]
# Statements built per shape. Building and compiling SQLAlchemy constructs cost about
# 2 ms a search (6.5 ms in all for a word with 800 matches at 100,000 documents, of
# which the SQL took 3.7); a cached construct is compiled once and its cache key kept.
_STATEMENTS: dict[Any, Any] = {}
_STATEMENTS_MAX = 1024  # shapes are few; a burst of odd ones only empties the cache


def _cached(key: Any, build: Callable[[], Any]) -> Any:
    found = _STATEMENTS.get(key)
    if found is None:
        if len(_STATEMENTS) >= _STATEMENTS_MAX:
            _STATEMENTS.clear()
        found = _STATEMENTS[key] = build()
    return found


def _structure(shape: _Shape, policy: str) -> _Plan:
    """The plan of ``shape`` with named parameters for every value; ``policy`` is the
    policy clause's SQL for the backend (empty: the operator, who sees all)."""
    dialect, words, _, filter_shape = shape
    where: list[Any] = [*_field_clauses(filter_shape), *_fact_clauses(filter_shape)]
    if policy:
        names = ("v_user", "v_member", "v_publish")
        where.insert(0, text(policy).bindparams(*(bindparam(n, type_=Integer) for n in names)))
    sqlite = dialect == "sqlite"
    if words is None:
        if sqlite and not (filter_shape[-2] or filter_shape[-1]):
            # Newest first through the index in that order. Not with entity: or place:,
            # whose few ids are found faster by id in the table.
            adapter = ClauseAdapter(_DOCS_BY_TIME)
            where = [adapter.traverse(clause) for clause in where]
            return _Plan(where, docs=_DOCS_BY_TIME, joined=_DOCS_BY_TIME, shape=shape)
        return _Plan(where, shape=shape)
    if sqlite:
        joined = _DOCS.join(_FTS, _FTS.c.rowid == _DOCS.c.id)
        matching = text("documents_fts MATCH :match")
        adapter = ClauseAdapter(_DOCS)
        where = [adapter.traverse(clause) for clause in where]
        return _Plan(where, match="", docs=_DOCS, joined=joined, matching=[matching], shape=shape)
    compiled = _tsquery_built(words, iter(range(1 << 30)))
    tsv: ColumnElement[Any] = literal_column("documents.tsv")
    return _Plan(where, tsquery=compiled, matching=[tsv.op("@@")(compiled)], shape=shape)


def _filter_shape(filters: q.Filters) -> tuple[Any, ...]:
    """Which filters there are: one flag per one-valued field (its values are one list
    parameter), and how many ``entity:`` and ``place:`` values (one condition each)."""
    return (
        bool(filters.sources),
        bool(filters.languages),
        bool(filters.tlps),
        bool(filters.members),
        filters.since is not None,
        filters.until is not None,
        len(filters.entities),
        len(filters.places),
    )


def _filter_params(connection: Connection | None, filters: q.Filters) -> dict[str, Any]:
    """The filters' values as the parameters of ``_field_clauses`` and ``_fact_clauses``.

    An entity is found by any of its names or aliases (``facts.entity_keys``) or by
    its key; a place by its name as written, lower-case or capitalised, by its key
    (``gn:98182``), or as a place known only by name; every spelling that resolved to
    the same place key counts."""
    params: dict[str, Any] = {
        "f_sources": list(filters.sources),
        "f_languages": list(filters.languages),
        "f_tlps": list(filters.tlps),
        "f_members": list(filters.members),
        "f_since": filters.since,
        "f_until": filters.until,
    }
    for i, value in enumerate(filters.entities):
        assert connection is not None  # entities are looked up
        params[f"f_entity_{i}"] = [*facts.entity_keys(connection, value), value]
    for i, value in enumerate(filters.places):
        params[f"f_place_names_{i}"] = sorted({value, value.lower(), value.title()})
        params[f"f_place_keys_{i}"] = [value, facts.place_key(None, value)]
    return params


def field_filter_clauses(filters: q.Filters) -> list[Any]:
    """The field filters over ``documents`` with their values (``store.views`` reads a
    search query's filters with these, so views and search read them alike)."""
    params = _filter_params(None, replace(filters, entities=(), places=()))
    return _field_clauses(_filter_shape(filters), params)


def fact_filter_clauses(connection: Connection, filters: q.Filters) -> list[Any]:
    """``entity:`` and ``place:`` with their values, as ``field_filter_clauses``."""
    only = q.Filters(entities=filters.entities, places=filters.places)
    return _fact_clauses(_filter_shape(filters), _filter_params(connection, only))


def _listed(name: str, values: dict[str, Any] | None = None) -> Any:
    """A list parameter; with ``values``, bound to its value under a unique name."""
    if values is None:
        return bindparam(name, expanding=True)
    return bindparam(name, values[name], expanding=True, unique=True)


def _one(name: str, values: dict[str, Any] | None = None) -> Any:
    if values is None:
        return bindparam(name)
    return bindparam(name, values[name], unique=True)


def _field_clauses(shape: tuple[Any, ...], values: dict[str, Any] | None = None) -> list[Any]:
    """The field filters over ``documents`` alone (names resolved in subqueries, so no
    join is needed to apply them), as parameters (``_filter_params``) or with ``values``."""
    by_source, by_language, by_tlp, by_member, since, until, _, _ = shape
    found: list[Any] = []
    if by_source:
        named = select(sources.c.id).where(sources.c.name.in_(_listed("f_sources", values)))
        found.append(documents.c.source_id.in_(named))
    if by_language:
        found.append(documents.c.language.in_(_listed("f_languages", values)))
    if by_tlp:
        found.append(documents.c.tlp.in_(_listed("f_tlps", values)))
    if by_member:
        named = select(members.c.id).where(members.c.name.in_(_listed("f_members", values)))
        found.append(documents.c.member_id.in_(named))
    if since:
        found.append(documents.c.published_at >= _one("f_since", values))
    if until:
        found.append(documents.c.published_at < _one("f_until", values))
    return found


def _fact_clauses(shape: tuple[Any, ...], values: dict[str, Any] | None = None) -> list[Any]:
    """``entity:`` and ``place:``, one condition per value (a document must name all);
    the keys and spellings are found by ``_filter_params``."""
    found: list[Any] = []
    for i in range(shape[-2]):
        having = select(doc_entities.c.document_id).where(
            doc_entities.c.entity_key.in_(_listed(f"f_entity_{i}", values))
        )
        found.append(documents.c.id.in_(having))
    for i in range(shape[-1]):
        named = select(doc_places.c.place_key).where(
            doc_places.c.name.in_(_listed(f"f_place_names_{i}", values))
        )
        having = select(doc_places.c.document_id).where(
            doc_places.c.place_key.in_(named)
            | doc_places.c.place_key.in_(_listed(f"f_place_keys_{i}", values))
        )
        found.append(documents.c.id.in_(having))
    return found


def _row(
    kind: Any,
    *,
    id_: Any = None,
    name: Any = None,
    language: Any = None,
    tlp: Any = None,
    n: Any = None,
) -> list[Any]:
    """One row shape for every part of the bounded statement (a UNION ALL)."""
    return [
        cast(kind if not isinstance(kind, str) else literal(kind), String).label("kind"),
        cast(null() if id_ is None else id_, Integer).label("id"),
        cast(null() if name is None else name, String).label("name"),
        cast(null() if language is None else language, String).label("language"),
        cast(null() if tlp is None else tlp, String).label("tlp"),
        cast(null() if n is None else n, Float).label("n"),
    ]


# total, exactness, facets, the page (id, score) and how many matches were seen
_Bounded = tuple[int, bool, dict[str, list[tuple[str, int]]], list[tuple[int, float]], int]


def _bounded(
    connection: Connection,
    plan: _Plan,
    facets: bool,
    limit: int,
    offset: int,
    bound: int,
    window: int,
) -> _Bounded:
    """Total, exactness, facets, the page and how many matches were seen (at most
    ``bound + 1``), from the newest ``bound + 1`` matches the reader may see."""
    if plan.tsquery is None:
        return _bounded_once(connection, plan, facets, limit, offset, bound, window, None)
    newest, span = _span(connection, plan, bound)
    if span is None and newest > _PROBE * (bound + 1):
        span = _probe(connection, plan, bound, newest)
    for _ in range(3):
        if span is None or span >= newest:
            break
        floor = (newest - span, newest)
        found = _bounded_once(connection, plan, facets, limit, offset, bound, window, floor)
        seen = found[-1]
        if seen > bound:
            return found
        span = int(span * (bound + 1) / seen * 1.5) if seen else span * 8  # widen
    return _bounded_once(connection, plan, facets, limit, offset, bound, window, None)


def _span(connection: Connection, plan: _Plan, bound: int) -> tuple[int, int | None]:
    """PostgreSQL: the newest id, and how many ids below it the newest ``bound + 1``
    visible matches probably take (None: read them all).

    The GIN index lists a word's matches in table order, not newest first, so without
    a floor the bounded statement would visit every match's row (600,000 for "said" in
    a million documents) to keep the newest. The index also holds the id's epoch of
    16,384 (migration 0013), so the epochs from the floor's up (``above_floor``) are
    answered inside it (a few dozen keys, where the ids themselves would be a key each)
    and only the rows from the floor's epoch up are visited. The span comes from the
    planner's estimate of the matches that pass the policy and the filters (its
    statistics of the words and columns), with a third more room; a guess that falls
    short is widened by what it found."""
    dialect = connection.dialect  # compiled for its driver's parameter style
    compiled = _cached(
        ("span", plan.shape, dialect.driver, dialect.paramstyle),
        lambda: select(documents.c.id).where(*plan.everything).compile(connection),
    )
    expanded = compiled.construct_expanded_state(plan.params)
    explained = connection.exec_driver_sql(
        f"EXPLAIN (FORMAT JSON) {expanded.statement}", expanded.parameters
    ).scalar_one()
    estimate = float(explained[0]["Plan"]["Plan Rows"])
    newest = connection.execute(select(func.max(documents.c.id))).scalar() or 0
    if estimate <= bound:
        return newest, None
    return newest, int((bound + 1) * newest / estimate * 4 // 3)


def _probe(connection: Connection, plan: _Plan, bound: int, newest: int) -> int | None:
    """PostgreSQL: the span, from the visible matches counted among the newest
    1/``_PROBE`` of the ids, when the planner expected few matches: it multiplies the
    words' frequencies as if they were independent, so a phrase ("prime minister",
    61,000 matches in a million documents) is estimated at a few thousand, and reading
    them all costs a tsvector read back from TOAST for each to check the words stand
    together. None when the probe too finds few (read them all)."""
    probe = newest // _PROBE
    floor = newest - probe
    counted = select(documents.c.id).where(
        *plan.everything,
        *above_floor(_int("probe_floor"), bindparam("probe_epochs")),
    )
    params = {**plan.params, "probe_floor": floor, "probe_epochs": floor_epochs(floor, newest)}
    found = connection.execute(
        select(func.count()).select_from(counted.limit(bound + 1).subquery()), params
    ).scalar_one()
    if found * _PROBE <= bound:
        return None
    return int(probe * (bound + 1) / found * 4 / 3)


def _bounded_once(
    connection: Connection,
    plan: _Plan,
    facets: bool,
    limit: int,
    offset: int,
    bound: int,
    window: int,
    floor: tuple[int, int] | None,
) -> _Bounded:
    """One statement (``_bounded_statement``): the total, its groups, the page and the
    facts sample from the newest ``bound + 1`` matches from ``floor`` up (PostgreSQL:
    the lowest id to read and the newest id)."""
    words = plan.match is not None or plan.tsquery is not None
    want = min(offset + limit, bound)
    options = (facets, offset < want, window < bound, floor is not None)
    statement = _cached(
        ("bounded", plan.shape, *options), lambda: _bounded_statement(plan, *options)
    )
    params = {
        **plan.params,
        "bound": bound,
        "bound_1": bound + 1,
        "window": window,
        "want": want,
        "sample": min(FACT_FACET_SAMPLE, bound),
        "floor": None if floor is None else floor[0],
        "floor_epochs": None if floor is None else floor_epochs(*floor),
    }
    seen, groups, beyond = 0, [], None
    page: list[tuple[int, float]] = []
    counted: dict[str, list[tuple[str, int]]] = {}
    if facets:
        counted = {name: [] for name in (*FACETS, *FACT_FACETS)}
    for kind, id_, name, language, tlp, n in connection.execute(statement, params):
        if kind == "n":
            seen = int(n)
        elif kind == "g":
            groups.append((name, language, tlp, int(n)))
        elif kind == "o":
            beyond = (name, language, tlp)
        elif kind == "p":
            page.append((int(id_), float(n or 0.0)))
        else:
            counted[kind].append((str(name), int(n)))
    exact = seen <= bound
    if facets:
        if not exact and beyond is not None:
            groups.append((*beyond, -1))
        counted.update(_grouped_facets(groups))
        for name in FACT_FACETS:
            counted[name] = sorted(counted[name], key=lambda v: (-v[1], v[0]))
    if words:
        page.sort(key=lambda row: (-row[1], row[0]))
    else:  # the filters-only page comes numbered in its order
        page = [(id_, 0.0) for id_, _ in sorted(page, key=lambda row: row[1])]
    return min(seen, bound), exact, counted, page[offset:want], seen


def _int(name: str) -> Any:
    return bindparam(name, type_=Integer)


def _bounded_statement(plan: _Plan, facets: bool, paged: bool, narrow: bool, floored: bool) -> Any:
    """The matches are read once into a materialized CTE; from it come their number,
    the groups by source, language and TLP, the oldest of them (when there are ``bound
    + 1``, the one beyond the bound, taken out of the groups), the page (``paged``:
    ranked over the newest ``window``, ``narrow`` when that is fewer than ``bound``,
    but never the one beyond) and the facts sample (the newest ``FACT_FACET_SAMPLE``).
    Parameters: ``bound``, ``bound_1`` (bound + 1), ``window``, ``want`` (offset +
    limit), ``sample`` and, ``floored``, ``floor`` and ``floor_epochs``
    (``above_floor``)."""
    docs = plan.docs
    columns = [docs.c.id]
    if facets:  # grouped by these; without facets the CTE is only what ranks
        columns += [docs.c.source_id, docs.c.language, docs.c.tlp]
    words = plan.match is not None or plan.tsquery is not None
    if plan.match is not None:
        columns.append((-literal_column(_BM25)).label("score"))
    if not words:
        columns.append(docs.c.published_at)
    where = plan.everything
    if floored:
        where = [*where, *above_floor(_int("floor"), bindparam("floor_epochs"))]
    matches = (
        select(*columns)
        .select_from(plan.joined)
        .where(*where)
        .order_by(*plan.newest)
        .limit(_int("bound_1"))
        .cte("matches")
        .prefix_with("MATERIALIZED")
    )
    m = matches.c
    if words:
        newest: list[Any] = [m.id.desc()]
        oldest: list[Any] = [m.id]
    else:
        newest = [m.published_at.desc().nulls_last(), m.id.desc()]
        oldest = [m.published_at.asc().nulls_first(), m.id]
    parts: list[Any] = [select(*_row("n", n=func.count())).select_from(matches)]
    if facets:
        grouped = (
            select(m.source_id, m.language, m.tlp, func.count().label("n"))
            .group_by(m.source_id, m.language, m.tlp)
            .subquery()
        )
        parts.append(
            select(
                *_row(
                    "g",
                    name=sources.c.name,
                    language=grouped.c.language,
                    tlp=grouped.c.tlp,
                    n=grouped.c.n,
                )
            ).select_from(grouped.outerjoin(sources, sources.c.id == grouped.c.source_id))
        )
        last = select(m.source_id, m.language, m.tlp).order_by(*oldest).limit(1).subquery()
        parts.append(
            select(
                *_row("o", name=sources.c.name, language=last.c.language, tlp=last.c.tlp)
            ).select_from(last.outerjoin(sources, sources.c.id == last.c.source_id))
        )
    if paged:
        parts.append(_page(plan, matches, newest, narrow))
    if facets:
        sample = select(m.id).order_by(*newest).limit(_int("sample")).cte("sample")
        for facet, value, n, from_ in _fact_parts(select(sample.c.id)):
            parts.append(select(*_row(facet, name=value, n=n)).select_from(from_))
    return union_all(*parts)


def _page(plan: _Plan, matches: Any, newest: list[Any], narrow: bool) -> Any:
    """The best ``want`` of the newest ``window`` matches, never the one beyond
    ``bound``: best by score for words (bm25 computed as the index read them;
    ``ts_rank_cd`` here, for the window's rows only), in listing order for filters
    alone (numbered, as a UNION ALL keeps no order)."""
    m = matches.c
    if plan.match is None and plan.tsquery is None:
        top = select(m.id, m.published_at).order_by(*newest).limit(_int("want")).subquery()
        number = func.row_number().over(
            order_by=[top.c.published_at.desc().nulls_last(), top.c.id.desc()]
        )
        return select(*_row("p", id_=top.c.id, n=number))
    if narrow:  # the newest window: the one beyond the bound is not among them
        kept = [m.id, m.score] if plan.match is not None else [m.id]
        ranked: Any = select(*kept).order_by(m.id.desc()).limit(_int("window")).subquery()
        within: list[Any] = []
    else:  # all but the one beyond the bound, if it was read
        ranked = matches
        within = [
            (select(func.count()).select_from(matches).scalar_subquery() <= _int("bound"))
            | (m.id > select(func.min(m.id)).scalar_subquery())
        ]
    if plan.match is not None:
        best = (
            select(ranked.c.id, ranked.c.score)
            .where(*within)
            .order_by(ranked.c.score.desc(), ranked.c.id)
            .limit(_int("want"))
        )
    else:
        assert plan.tsquery is not None
        score = func.ts_rank_cd(literal_column("documents.tsv"), plan.tsquery)
        best = (
            select(ranked.c.id, score.label("score"))
            .select_from(ranked.join(documents, documents.c.id == ranked.c.id))
            .where(*within)
            .order_by(score.desc(), ranked.c.id)
            .limit(_int("want"))
        )
    top = best.subquery()
    return select(*_row("p", id_=top.c.id, n=top.c.score))


def _grouped_facets(
    groups: list[tuple[str | None, str | None, str, int]],
) -> dict[str, list[tuple[str, int]]]:
    counters: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for source, language, tlp, n in groups:
        counters["source"][source if source is not None else NONE_LABEL] += n
        counters["language"][language if language is not None else NONE_LABEL] += n
        counters["tlp"][tlp] += n
    return {name: top(+counter) for name, counter in counters.items()}


def _count(
    connection: Connection, plan: _Plan, facets: bool
) -> tuple[int, dict[str, list[tuple[str, int]]]]:
    """The total, and with ``facets`` the counts per source, language and TLP, from one
    pass over the matches (grouped by all three at once; the groups are few)."""
    docs = plan.docs
    if not facets:
        if plan.match is not None and not plan.where:  # the index counts alone
            statement: Any = text(
                "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH :match"
            ).bindparams(match=plan.match)
        else:
            statement = select(func.count()).select_from(plan.joined).where(*plan.everything)
        return int(connection.execute(statement, plan.params).scalar_one()), {}
    # ``source_id + 0``: grouping by the bare column lets SQLite walk the source index
    # for the grouping order instead of the index the filters or the words need.
    source_id = (docs.c.source_id + 0).label("source_id")
    keys = (source_id, docs.c.language, docs.c.tlp)
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
        ),
        plan.params,
    ).all()
    groups = [(row.name, row.language, row.tlp, int(row.n)) for row in rows]
    return sum(n for *_, n in groups), _grouped_facets(groups)


def empty_fact_facets() -> dict[str, list[tuple[str, int]]]:
    return {name: [] for name in FACT_FACETS}


def _fact_facets(connection: Connection, plan: _Plan) -> dict[str, list[tuple[str, int]]]:
    """Top entities, places and event types among the matches (the newest
    ``FACT_FACET_SAMPLE`` when there are more), each counted once per document, in
    one statement over one sample of document ids."""
    sample = (
        select(plan.docs.c.id)
        .select_from(plan.joined)
        .where(*plan.everything)
        .order_by(*plan.newest)
        .limit(FACT_FACET_SAMPLE)
        .cte("sample")
    )
    branches = [
        select(literal(facet, String), value, n).select_from(from_)
        for facet, value, n, from_ in _fact_parts(select(sample.c.id))
    ]
    found = empty_fact_facets()
    for facet, value, count in connection.execute(union_all(*branches), plan.params):
        found[facet].append((str(value), int(count)))
    return {name: sorted(values, key=lambda v: (-v[1], v[0])) for name, values in found.items()}


def _fact_parts(sampled: Any) -> list[tuple[str, Any, Any, Any]]:
    """Per fact facet: its name, the value and count columns of its top
    ``FACET_SIZE`` among the ``sampled`` ids, and what they are selected from.

    Entities and places are grouped by key alone (the primary key index covers that)
    and named afterwards, for the top keys only, by their first stored spelling."""
    parts: list[tuple[str, Any, Any, Any]] = []
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
        parts.append((name, spelling, top_keys.c.n, top_keys))
    n = func.count(doc_events.c.document_id.distinct())
    types = (
        select(doc_events.c.type.label("key"), n.label("n"))
        .where(doc_events.c.document_id.in_(sampled))
        .group_by(doc_events.c.type)
        .order_by(n.desc(), doc_events.c.type)
        .limit(FACET_SIZE)
        .subquery()
    )
    parts.append(("event_type", types.c.key, types.c.n, types))
    return parts


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
    docs = plan.docs
    if plan.tsquery is not None:
        score: ColumnElement[Any] = func.ts_rank_cd(literal_column("documents.tsv"), plan.tsquery)
        order = [score.desc(), docs.c.id]
    else:
        score = literal_column("0")
        order = [docs.c.published_at.desc().nulls_last(), docs.c.id.desc()]
    rows = connection.execute(
        select(docs.c.id, score)
        .select_from(plan.joined)
        .where(*plan.everything)
        .order_by(*order)
        .limit(limit)
        .offset(offset),
        plan.params,
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
    docs = plan.docs
    want = offset + limit
    window = want * 2 + 20
    while window <= _WINDOW_MAX:
        ranked = _fts_ranked(connection, plan.match, window)
        ids = [document_id for document_id, _ in ranked]
        passed = set(
            connection.execute(
                select(docs.c.id).where(docs.c.id.in_(ids), *plan.where), plan.params
            ).scalars()
        )
        kept = [(document_id, score) for document_id, score in ranked if document_id in passed]
        if len(kept) >= want or len(ranked) < window:
            return kept[offset:want]
        share = max(len(kept), 1) / len(ranked)  # widen by what this window let through
        window = max(window * 4, int(want / share * 1.5))
    rows = connection.execute(
        select(docs.c.id, (-literal_column(_BM25)).label("score"))
        .select_from(plan.joined)
        .where(*plan.everything)
        .order_by(literal_column(_BM25), docs.c.id)
        .limit(limit)
        .offset(offset),
        plan.params,
    ).all()
    return [(int(row[0]), float(row[1])) for row in rows]


def _hits(
    connection: Connection, plan: _Plan, ranked: Sequence[tuple[int, float]], *, scan: bool
) -> list[SearchHit]:
    """The page's hits with titles, sources and snippets, read for those ids only
    (``scan``: see ``_snippets``)."""
    if not ranked:
        return []
    snippets = _snippets(connection, plan, [document_id for document_id, _ in ranked], scan=scan)
    return hits_of(connection, ranked, snippets)


def hits_of(
    connection: Connection,
    ranked: Sequence[tuple[int, float]],
    snippets: dict[int, str] | None = None,
) -> list[SearchHit]:
    """Search hits for these (document id, score) pairs, in their order: title, source,
    language, time, address, and the snippet given for the id, else the text's opening.
    Callers pass only ids they read through the policy."""
    if not ranked:
        return []
    ids = [document_id for document_id, _ in ranked]
    rows = connection.execute(_cached(("hits",), _hits_statement), {"ids": ids})
    found = {row.id: row for row in rows}
    given = snippets or {}
    return [
        _hit(found[document_id], score, given.get(document_id))
        for document_id, score in ranked
        if document_id in found
    ]


def _hits_statement() -> Any:
    return (
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
        .where(documents.c.id.in_(_listed("ids")))
    )


def _snippets(connection: Connection, plan: _Plan, ids: list[int], *, scan: bool) -> dict[int, str]:
    """The snippets of ``ids``: FTS5's ``snippet()`` or PostgreSQL's ``ts_headline``.

    On SQLite ``rowid IN (...)`` makes FTS5 start its query over for each id (about 50
    µs each at 100,000 documents, 100 with three words, before the snippet itself);
    with ``scan`` (the page is among the newest ``BOUND + 1`` matches: a bounded
    search) the index walks its matches between the lowest and the highest id once
    instead, and the snippet is made for the page's ids only."""
    if plan.match is None and plan.tsquery is None:
        return {}
    scan = scan and plan.match is not None
    statement = _cached(("snippets", plan.shape, scan), lambda: _snippets_statement(plan, scan))
    rows = connection.execute(
        statement, {**plan.params, "ids": ids, "low": min(ids), "high": max(ids)}
    )
    return {int(row[0]): row[1] for row in rows}


def _snippets_statement(plan: _Plan, scan: bool) -> Any:
    if plan.match is not None:
        # ``+rowid``: the list only filters; the index reads the range
        among = "rowid BETWEEN :low AND :high AND +rowid IN :ids" if scan else "rowid IN :ids"
        return text(
            f"SELECT rowid, {_SNIPPET} FROM documents_fts "
            f"WHERE documents_fts MATCH :match AND {among}"
        ).bindparams(_listed("ids"))
    # One fragment, as FTS5's snippet gives: asking for two (MaxFragments=2) switches
    # ts_headline to its cover-based search, about twice the cost per hit.
    headline = func.ts_headline(
        "english",
        func.left(documents.c.text, 200_000),
        plan.tsquery,
        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15",
    )
    return select(documents.c.id, headline).where(documents.c.id.in_(_listed("ids")))


def tsquery(node: q.Node) -> ColumnElement[Any]:
    """The query compiled to a PostgreSQL tsquery expression."""
    return _tsquery_built(_tsquery_shape(node), iter(range(1 << 30)), list(_tsquery_words(node)))


def _tsquery_shape(node: q.Node) -> tuple[Any, ...]:
    """The query's tree without its words: what its tsquery's structure depends on."""
    if isinstance(node, q.Term):
        return ("plain",)
    if isinstance(node, q.Phrase):
        return ("phrase",)
    if isinstance(node, q.Not):
        return ("not", _tsquery_shape(node.part))
    return ("and" if isinstance(node, q.And) else "or", *map(_tsquery_shape, node.parts))


def _tsquery_words(node: q.Node) -> Iterator[str]:
    """The query's words and phrases, in the order ``_tsquery_built`` numbers them."""
    if isinstance(node, q.Term | q.Phrase):
        yield node.text
    elif isinstance(node, q.Not):
        yield from _tsquery_words(node.part)
    else:
        for part in node.parts:
            yield from _tsquery_words(part)


def _tsquery_params(node: q.Node) -> dict[str, str]:
    return {f"w{i}": word for i, word in enumerate(_tsquery_words(node))}


def _tsquery_built(
    shape: tuple[Any, ...], numbers: Iterator[int], words: list[str] | None = None
) -> ColumnElement[Any]:
    """The tsquery of ``shape``, its words the parameters ``w0``, ``w1``, ... in order
    (with their values if ``words`` are given): ``plainto_tsquery`` /
    ``phraseto_tsquery`` pieces joined with ``&&``, ``||`` and ``!!``."""
    kind = shape[0]
    if kind in ("plain", "phrase"):
        make = func.plainto_tsquery if kind == "plain" else func.phraseto_tsquery
        number = next(numbers)
        if words is None:
            return make("english", bindparam(f"w{number}", type_=String))
        return make("english", bindparam(f"w{number}", words[number], String, unique=True))
    if kind == "not":  # the function behind !!
        return func.tsquery_not(_tsquery_built(shape[1], numbers, words))
    operator = "&&" if kind == "and" else "||"
    parts = [_tsquery_built(part, numbers, words) for part in shape[1:]]
    expression = parts[0]
    for part in parts[1:]:
        expression = expression.op(operator)(part)
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
