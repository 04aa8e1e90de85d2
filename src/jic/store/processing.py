"""Processing state: which stage ran on which document at which version, its output,
and short leases so several workers never process one document at once.

A document needs processing when, for some planned stage, it has no ``done`` or
``failed`` row at that stage's current version. Workers claim such documents in
batches by writing a lease (PostgreSQL: ``FOR UPDATE SKIP LOCKED``; SQLite: the
write lock serialises claims); a crashed worker's leases expire and the documents
are claimed again. Results, states and the lease release are written in one
transaction per batch, so a crash loses at most the batch in flight.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, func, or_, select, text, tuple_

from jic.store.overview import fold_counts
from jic.store.schema import document_stages, documents, process_leases, stage_outputs
from jic.store.times import now

Versions = Sequence[tuple[str, int]]
_PG_CLAIM_LOCK = 0x6A6970  # advisory lock serialising claims across PostgreSQL workers


def _complete(versions: Versions) -> Any:
    """Count of a document's stage rows that are finished at the current versions."""
    return (
        select(func.count())
        .select_from(document_stages)
        .where(
            document_stages.c.document_id == documents.c.id,
            tuple_(document_stages.c.stage, document_stages.c.version).in_(list(versions)),
            document_stages.c.state.in_(("done", "failed")),
        )
        .scalar_subquery()
    )


def pending_count(connection: Connection, versions: Versions) -> int:
    query = select(func.count()).select_from(documents).where(_complete(versions) < len(versions))
    return int(connection.execute(query).scalar_one())


def claim(
    connection: Connection, versions: Versions, *, worker: str, size: int, lease: timedelta
) -> list[int]:
    """Lease up to ``size`` documents that need processing; call in a write transaction.

    On PostgreSQL, claims queue on an advisory lock first: SKIP LOCKED alone does not
    stop two workers from taking the same documents, because the lease that marks a
    document taken lives in another table, which a statement that began before the
    other claim committed does not see. Claiming is short; processing is not locked.
    """
    at = now()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_CLAIM_LOCK})
    free = or_(process_leases.c.document_id.is_(None), process_leases.c.until < at)
    query = (
        select(documents.c.id)
        .outerjoin(process_leases, process_leases.c.document_id == documents.c.id)
        .where(free, _complete(versions) < len(versions))
        .order_by(documents.c.id)
        .limit(size)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(of=documents, skip_locked=True)
    ids = list(connection.execute(query).scalars())
    if ids:
        connection.execute(delete(process_leases).where(process_leases.c.document_id.in_(ids)))
        connection.execute(
            process_leases.insert(),
            [{"document_id": i, "worker": worker, "until": at + lease} for i in ids],
        )
    return ids


def states(connection: Connection, ids: Iterable[int]) -> dict[tuple[int, str], tuple[int, str]]:
    """(document, stage) -> (version, state) for the given documents."""
    rows = connection.execute(
        select(
            document_stages.c.document_id,
            document_stages.c.stage,
            document_stages.c.version,
            document_stages.c.state,
        ).where(document_stages.c.document_id.in_(list(ids)))
    )
    return {(r.document_id, r.stage): (r.version, r.state) for r in rows}


def outputs(
    connection: Connection, ids: Iterable[int], stages: Iterable[str] | None = None
) -> dict[int, dict[str, dict[str, Any]]]:
    """document -> stage -> stored output."""
    query = select(stage_outputs).where(stage_outputs.c.document_id.in_(list(ids)))
    if stages is not None:
        query = query.where(stage_outputs.c.stage.in_(list(stages)))
    found: dict[int, dict[str, dict[str, Any]]] = {}
    for row in connection.execute(query):
        found.setdefault(row.document_id, {})[row.stage] = row.data
    return found


def save(
    connection: Connection,
    results: Sequence[tuple[int, str, int, str, str | None, dict[str, Any] | None]],
    *,
    worker: str,
) -> None:
    """Write (document, stage, version, state, error, output) rows and release leases."""
    at = now()
    pairs = [(doc, stage) for doc, stage, *_ in results]
    if pairs:
        where = tuple_(document_stages.c.document_id, document_stages.c.stage).in_(pairs)
        connection.execute(delete(document_stages).where(where))
        out_where = tuple_(stage_outputs.c.document_id, stage_outputs.c.stage).in_(pairs)
        connection.execute(delete(stage_outputs).where(out_where))
        connection.execute(
            document_stages.insert(),
            [
                {
                    "document_id": d,
                    "stage": s,
                    "version": v,
                    "state": st,
                    "error": e,
                    "updated_at": at,
                }
                for d, s, v, st, e, _ in results
            ],
        )
        stored = [
            {"document_id": d, "stage": s, "version": v, "data": out}
            for d, s, v, st, _, out in results
            if st == "done" and out is not None
        ]
        if stored:
            connection.execute(stage_outputs.insert(), stored)
    docs = {doc for doc, _ in pairs}
    if docs:
        connection.execute(
            delete(process_leases).where(
                and_(process_leases.c.document_id.in_(docs), process_leases.c.worker == worker)
            )
        )


def forget(connection: Connection, stages: Sequence[str]) -> int:
    """Drop the state of ``stages`` for every document, so they run again."""
    result = connection.execute(delete(document_stages).where(document_stages.c.stage.in_(stages)))
    return int(result.rowcount or 0)


def release(connection: Connection, worker: str) -> None:
    connection.execute(delete(process_leases).where(process_leases.c.worker == worker))


def set_languages(connection: Connection, languages: dict[int, str]) -> None:
    """Record detected languages on the documents themselves."""
    for language in set(languages.values()):
        ids = [doc_id for doc_id, found in languages.items() if found == language]
        connection.execute(
            documents.update().where(documents.c.id.in_(ids)).values(language=language)
        )
    if languages:
        fold_counts(connection)  # a document whose language changed moved groups


def failures(connection: Connection, limit: int = 20) -> list[tuple[int, str, str]]:
    """The most recent (document, stage, reason) failures, for `jic status`."""
    rows = connection.execute(
        select(document_stages.c.document_id, document_stages.c.stage, document_stages.c.error)
        .where(document_stages.c.state == "failed")
        .order_by(document_stages.c.updated_at.desc(), document_stages.c.document_id.desc())
        .limit(limit)
    )
    return [(row.document_id, row.stage, row.error or "") for row in rows]
