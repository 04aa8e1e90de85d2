"""The reads behind the overview and the TLP banner of pages that aggregate over the
whole center: what a reader may see, counted per source and TLP, and the newest
documents (of one source).

Both carry the sharing policy (``visibility.fragment``). ``tally`` applies it to
``document_counts`` (migration 0011: the documents counted by every column the policy
reads, kept by triggers), so it reads a few hundred groups however many documents the
center holds; ``newest`` walks the publication-time index (migration 0008 on SQLite,
``INDEXED BY``: SQLite keeps no statistics to choose it; 0009 on PostgreSQL).
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, text

from jic.domain import SearchHit
from jic.store.schema import document_counts, sources
from jic.store.search import TIME_INDEX, hits_of
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
    """What ``reader`` may see, counted per source, language and TLP: the policy clause
    over ``document_counts``'s groups (no text, no facts: the overview, `jic status` and
    every page's TLP need only this). Exact, so a TLP banner built on it never
    understates; rows not yet folded (``fold_counts``) are summed like the rest."""
    where, params = fragment(connection, reader)
    rows = connection.execute(
        text(
            "SELECT documents.source_id, documents.language, documents.tlp, sum(documents.n) "
            f"FROM document_counts AS documents WHERE {where} "
            "GROUP BY documents.source_id, documents.language, documents.tlp"
        ),
        params,
    ).all()
    per_source: dict[int | None, int] = {}
    tlps: dict[str, int] = {}
    languages: dict[str | None, int] = {}
    for source_id, language, tlp, n in rows:
        if not n:  # every document of the group deleted or moved, not yet folded
            continue
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


_GROUP = (
    document_counts.c.source_id,
    document_counts.c.language,
    document_counts.c.tlp,
    document_counts.c.member_id,
    document_counts.c.audience,
    document_counts.c.submitted_by,
)


def _group_key(row: Any) -> Hashable:
    audience = row.audience
    return (
        row.source_id,
        row.language,
        row.tlp,
        row.member_id,
        None if audience is None else json.dumps(audience, sort_keys=True),
        row.submitted_by,
    )


def fold_counts(connection: Connection) -> int:
    """Fold ``document_counts`` back to one row per group (the triggers add a row per
    change), dropping groups that sum to nothing; the number of rows folded away.

    Only groups with more than one row (or none left) are rewritten, from the rows this
    transaction deleted: a fold running beside another, or beside writes, never counts
    a row twice or loses one, and skips the rows another fold holds. Called where
    documents are written (ingest, processing, a TLP change), in their transaction."""
    groups: dict[Hashable, list[Any]] = {}
    for row in connection.execute(select(document_counts.c.id, document_counts.c.n, *_GROUP)):
        groups.setdefault(_group_key(row), []).append(row)
    stale = [row.id for rows in groups.values() if len(rows) > 1 or rows[0].n == 0 for row in rows]
    if not stale:
        return 0
    sums: dict[Hashable, tuple[Any, int]] = {}
    removed = 0
    for start in range(0, len(stale), 500):
        # PostgreSQL: rows another transaction is folding are left to it (SKIP LOCKED),
        # so two writers never wait for each other here (SQLite has one writer).
        free = (
            select(document_counts.c.id)
            .where(document_counts.c.id.in_(stale[start : start + 500]))
            .with_for_update(skip_locked=True)
        )
        deleted = connection.execute(
            delete(document_counts)
            .where(document_counts.c.id.in_(free))
            .returning(document_counts.c.n, *_GROUP)
        ).all()
        removed += len(deleted)
        for gone in deleted:
            key = _group_key(gone)
            first, n = sums.get(key, (gone, 0))
            sums[key] = (first, n + int(gone.n))
    folded = [
        {column.name: getattr(first, column.name) for column in _GROUP} | {"n": n}
        for first, n in sums.values()
        if n
    ]
    if folded:
        connection.execute(insert(document_counts), folded)
    return removed - len(folded)
