"""Feed items: what each feed or sitemap listed, and what became of each entry.

An entry is stored once: a later poll skips entries already ``stored`` and retries
``failed`` ones until they have used up their attempts, so a gatherer killed mid-run
repeats nothing it finished and the user can see every entry that did not make it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, func, select

from jic.store.schema import feed_items
from jic.store.times import maybe_utc


class Entry(Protocol):
    """What the store keeps of a feed entry (gather's FeedEntry fits)."""

    @property
    def url(self) -> str | None: ...

    @property
    def title(self) -> str | None: ...


@dataclass(slots=True)
class ItemState:
    state: str
    attempts: int


def states(connection: Connection, source_id: int, keys: Iterable[str]) -> dict[str, ItemState]:
    wanted = list(keys)
    found: dict[str, ItemState] = {}
    for start in range(0, len(wanted), 500):
        rows = connection.execute(
            select(feed_items.c.entry_key, feed_items.c.state, feed_items.c.attempts).where(
                feed_items.c.source_id == source_id,
                feed_items.c.entry_key.in_(wanted[start : start + 500]),
            )
        )
        for row in rows:
            found[row.entry_key] = ItemState(row.state, row.attempts)
    return found


def record(
    connection: Connection,
    source_id: int,
    key: str,
    entry: Entry,
    state: str,
    at: datetime,
    *,
    error: str | None = None,
    document_id: int | None = None,
) -> None:
    """Note one attempt at an entry (inserting the entry the first time)."""
    updated = connection.execute(
        feed_items.update()
        .where(feed_items.c.source_id == source_id, feed_items.c.entry_key == key)
        .values(
            state=state,
            error=error,
            document_id=document_id,
            last_tried_at=at,
            attempts=feed_items.c.attempts + 1,
        )
    )
    if updated.rowcount == 0:
        connection.execute(
            feed_items.insert().values(
                source_id=source_id,
                entry_key=key,
                url=entry.url,
                title=entry.title,
                first_seen_at=at,
                last_tried_at=at,
                state=state,
                attempts=1,
                error=error,
                document_id=document_id,
            )
        )


def counts(connection: Connection, source_id: int) -> dict[str, int]:
    rows = connection.execute(
        select(feed_items.c.state, func.count())
        .where(feed_items.c.source_id == source_id)
        .group_by(feed_items.c.state)
    )
    return {state: int(n) for state, n in rows}


def failures(connection: Connection, source_id: int, limit: int = 20) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(feed_items)
        .where(feed_items.c.source_id == source_id, feed_items.c.state == "failed")
        .order_by(feed_items.c.last_tried_at.desc())
        .limit(limit)
    )
    return [
        {
            "url": row.url,
            "title": row.title,
            "error": row.error,
            "attempts": row.attempts,
            "last_tried": maybe_utc(row.last_tried_at),
        }
        for row in rows
    ]


def retryable(connection: Connection, source_id: int, attempts: int) -> list[tuple[str, str, str]]:
    """Failed entries with tries left: (key, url, title)."""
    rows = connection.execute(
        select(feed_items.c.entry_key, feed_items.c.url, feed_items.c.title).where(
            feed_items.c.source_id == source_id,
            feed_items.c.state == "failed",
            feed_items.c.attempts < attempts,
            feed_items.c.url.is_not(None),
        )
    )
    return [(row.entry_key, row.url, row.title) for row in rows]
