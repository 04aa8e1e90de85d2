"""The reads behind the overview and the TLP banner of pages that aggregate over the
whole center: what a reader may see, counted per source and TLP, and the newest
documents (of one source).

Both carry the sharing policy (``visibility.fragment``) and read the indexes migration
0008 made for it on SQLite (``INDEXED BY``: SQLite keeps no statistics to choose them)
and migration 0009's on PostgreSQL, never the text: the overview answers in a few
index passes however many documents the center holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select, text

from jic.domain import SearchHit
from jic.store.schema import sources
from jic.store.search import POLICY_INDEX, TIME_INDEX, hits_of
from jic.store.visibility import Reader, fragment


def _documents(connection: Connection, index: str) -> str:
    """``documents`` read through ``index`` on SQLite, which keeps no statistics to
    choose it; PostgreSQL's planner chooses for itself."""
    return f"documents INDEXED BY {index}" if connection.dialect.name == "sqlite" else "documents"


@dataclass(frozen=True, slots=True)
class Tally:
    """How many documents a reader may see, in all, per source and per TLP."""

    total: int
    sources: list[tuple[int | None, str | None, int]]  # (id, name, count), most first
    tlps: dict[str, int]  # TLP value -> count, only the levels seen
    languages: dict[str | None, int]  # language code (None: unknown) -> count


def tally(connection: Connection, reader: Reader) -> Tally:
    """What ``reader`` may see, counted per source, language and TLP in one pass over the
    policy index (no text, no facts: the overview, `jic status` and every page's TLP need
    only this). Exhaustive, so a TLP banner built on it never understates."""
    where, params = fragment(connection, reader)
    rows = connection.execute(
        text(
            "SELECT documents.source_id, documents.language, documents.tlp, count(*) "
            f"FROM {_documents(connection, POLICY_INDEX)} WHERE {where} "
            "GROUP BY documents.source_id, documents.language, documents.tlp"
        ),
        params,
    ).all()
    per_source: dict[int | None, int] = {}
    tlps: dict[str, int] = {}
    languages: dict[str | None, int] = {}
    for source_id, language, tlp, n in rows:
        per_source[source_id] = per_source.get(source_id, 0) + int(n)
        tlps[tlp] = tlps.get(tlp, 0) + int(n)
        languages[language] = languages.get(language, 0) + int(n)
    known = [i for i in per_source if i is not None]
    names: dict[int, str] = {
        i: name
        for i, name in connection.execute(
            select(sources.c.id, sources.c.name).where(sources.c.id.in_(known))
        )
    }
    ordered = sorted(per_source.items(), key=lambda item: (-item[1], item[0] or 0))
    return Tally(
        total=sum(per_source.values()),
        sources=[(i, names.get(i) if i is not None else None, n) for i, n in ordered],
        tlps=tlps,
        languages=languages,
    )


def newest(
    connection: Connection, reader: Reader, *, source_id: int | None = None, limit: int = 6
) -> list[SearchHit]:
    """The newest documents ``reader`` may see (of one source, with ``source_id``), as
    search hits whose snippet is the text's opening, in the order a search of filters
    alone lists them: by publication time, newest first, undated last, then by id.
    Walks the publication-time index from the newest, so it reads about as many rows as
    it returns."""
    where, params = fragment(connection, reader)
    if source_id is not None:
        where = f"{where} AND documents.source_id = :source_id"
        params = {**params, "source_id": source_id}
    listed = connection.execute(
        text(
            f"SELECT documents.id FROM {_documents(connection, TIME_INDEX)} WHERE {where} "
            "ORDER BY documents.published_at DESC NULLS LAST, documents.id DESC LIMIT :limit"
        ),
        {**params, "limit": limit},
    ).scalars()
    return hits_of(connection, [(int(i), 0.0) for i in listed])
