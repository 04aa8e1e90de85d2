"""Search as users see it: the store's ranked hits with their snippets rendered."""

from __future__ import annotations

import html
from typing import Any

from jic.domain import SearchHit, SearchResult
from jic.store import search as store_search
from jic.store.database import Store
from jic.store.search import FACT_FACET_SAMPLE, FACT_FACETS, MARK_END, MARK_START
from jic.store.times import iso
from jic.store.visibility import OPERATOR, Reader


def search(
    store: Store,
    query: str,
    *,
    limit: int = 20,
    offset: int = 0,
    reader: Reader = OPERATOR,
    facets: bool = False,
    exhaustive: bool = False,
) -> SearchResult:
    """See ``store.search.search``: bounded unless ``exhaustive`` (count every match
    and rank them all)."""
    with store.read() as connection:
        return store_search.search(
            connection,
            query,
            limit=limit,
            offset=offset,
            reader=reader,
            facets=facets,
            exhaustive=exhaustive,
        )


def snippet_html(snippet: str) -> str:
    """The snippet as safe HTML with matches in <mark>."""
    escaped = html.escape(snippet, quote=False)
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def snippet_plain(snippet: str, start: str = "", end: str = "") -> str:
    return snippet.replace(MARK_START, start).replace(MARK_END, end).replace("\n", " ")


def hit_record(hit: SearchHit) -> dict[str, Any]:
    """One hit as the CLI's --json and the API return it."""
    return {
        "id": hit.document_id,
        "title": hit.title,
        "snippet": snippet_html(hit.snippet),
        "score": round(hit.score, 6),
        "source": hit.source,
        "language": hit.language,
        "published": iso(hit.published) if hit.published else None,
        "url": hit.url,
    }


def total_text(result: SearchResult) -> str:
    """The total as people read it: "10,000+" when it is a lower bound."""
    return f"{result.total:,}" if result.total_exact else f"{result.total:,}+"


def reachable(result: SearchResult) -> int:
    """How many hits the pages of ``result`` reach: the total, or the ranked window
    when the hits were ranked among the newest matches only."""
    return min(result.total, result.ranked_within or result.total)


def result_record(result: SearchResult) -> dict[str, Any]:
    """The result as the CLI's --json and the API return it. ``facets`` maps each of
    source, language, tlp, entity, place and event_type to its top values with
    document counts; ``facets_sampled`` is there when the entity, place and event-type
    facets counted only the newest ``FACT_FACET_SAMPLE`` matches. ``total_exact`` is
    false when ``total`` is a lower bound (more matches than a bounded search counts;
    the source, language and TLP facets then count the newest ``total``), and
    ``ranked_within`` says how many of the newest matches the page was ranked among
    (null when it was ranked among all of them)."""
    record: dict[str, Any] = {
        "query": result.query,
        "total": result.total,
        "total_exact": result.total_exact,
        "ranked_within": result.ranked_within,
        "hits": [hit_record(hit) for hit in result.hits],
    }
    if result.facets:
        record["facets"] = {
            name: [{"value": value, "count": count} for value, count in values]
            for name, values in result.facets.items()
        }
        if result.total > FACT_FACET_SAMPLE and any(name in result.facets for name in FACT_FACETS):
            record["facets_sampled"] = FACT_FACET_SAMPLE
    return record
