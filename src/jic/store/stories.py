"""Story membership and the story clusterer's saved state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, text

from jic.store.schema import document_stages, documents, story_documents, story_state
from jic.store.times import now
from jic.store.visibility import OPERATOR, Reader, visible

_PG_STORIES_LOCK = 0x6A6973  # one story assigner at a time across PostgreSQL machines


def lock(connection: Connection) -> None:
    """Serialise story assignment (online clustering is one sequence of decisions)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_STORIES_LOCK})


def load_state(connection: Connection) -> dict[str, Any] | None:
    row = connection.execute(select(story_state.c.state).where(story_state.c.id == 1)).first()
    return None if row is None else dict(row.state)


def save_state(connection: Connection, state: dict[str, Any]) -> None:
    updated = connection.execute(
        story_state.update().where(story_state.c.id == 1).values(state=state, updated_at=now())
    )
    if not updated.rowcount:
        connection.execute(story_state.insert().values(id=1, state=state, updated_at=now()))


def pending(connection: Connection, after_stage: str, limit: int) -> list[int]:
    """Documents whose ``after_stage`` is done and that have no story yet, oldest first."""
    done = select(document_stages.c.document_id).where(
        document_stages.c.stage == after_stage, document_stages.c.state == "done"
    )
    assigned = select(story_documents.c.document_id)
    rows = connection.execute(
        select(documents.c.id)
        .where(documents.c.id.in_(done), documents.c.id.not_in(assigned))
        .order_by(documents.c.published_at.asc().nulls_first(), documents.c.id)
        .limit(limit)
    )
    return list(rows.scalars())


def record(connection: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        connection.execute(
            story_documents.insert(), [{**row, "assigned_at": now()} for row in rows]
        )


def move(connection: Connection, moves: dict[int, int]) -> None:
    """Put documents already recorded into other stories (a revision of young stories)."""
    by_story: dict[int, list[int]] = {}
    for document_id, story_id in moves.items():
        by_story.setdefault(story_id, []).append(document_id)
    for story_id, ids in by_story.items():
        connection.execute(
            story_documents.update()
            .where(story_documents.c.document_id.in_(ids))
            .values(story_id=story_id)
        )


def members_of(
    connection: Connection, reader: Reader = OPERATOR
) -> dict[int, list[tuple[int, bool]]]:
    """story -> [(document, is_copy)] for the documents the reader may see."""
    rows = connection.execute(
        select(story_documents.c.story_id, story_documents.c.document_id, story_documents.c.is_copy)
        .join(documents, documents.c.id == story_documents.c.document_id)
        .where(visible(connection, reader))
        .order_by(story_documents.c.story_id, documents.c.published_at, documents.c.id)
    )
    found: dict[int, list[tuple[int, bool]]] = {}
    for row in rows:
        found.setdefault(row.story_id, []).append((row.document_id, row.is_copy))
    return found


def story_of(connection: Connection, ids: list[int]) -> dict[int, int]:
    rows = connection.execute(
        select(story_documents.c.document_id, story_documents.c.story_id).where(
            story_documents.c.document_id.in_(ids)
        )
    )
    return {row.document_id: row.story_id for row in rows}
