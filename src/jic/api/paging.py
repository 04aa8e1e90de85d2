"""Cursor pagination: an opaque cursor names a position in one list's stable order.

A cursor is URL-safe base64 of ``{"l": list, "f": fingerprint, "o": offset}``. The
fingerprint is a hash of the list's name and its filters, so a cursor handed to
another list or another query is refused (JIC-E270) rather than read as a position
in something else. Every list has a total order with the id as the last key, so two
reads of the same page give the same items while nothing new arrives; items added
ahead of the cursor shift what later pages hold (the store pages by offset; see
docs/api.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Query

from jic.api.errors import CursorError

MAX_LIMIT = 100
MAX_OFFSET = 10_000  # the deepest position a list pages to (search ranks this far)

T = TypeVar("T")

LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]
CursorQuery = Annotated[
    str | None,
    Query(max_length=500, description="The `next` cursor of the previous page."),
]


def _fingerprint(name: str, filters: Any) -> str:
    raw = json.dumps([name, filters], sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page starts in one list read with one set of filters."""

    name: str
    filters: Any
    offset: int = 0

    def cursor(self, offset: int) -> str:
        payload = {"l": self.name, "f": _fingerprint(self.name, self.filters), "o": offset}
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def next_cursor(self, limit: int, more: bool) -> str | None:
        """The cursor of the following page, or None when this page is the last."""
        following = self.offset + limit
        return self.cursor(following) if more and following < MAX_OFFSET else None


def position(name: str, filters: Any, cursor: str | None) -> Position:
    """The page a cursor names (the first page without one)."""
    if cursor is None:
        return Position(name, filters, 0)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        offset = payload["o"]
        valid = (
            isinstance(payload, dict)
            and payload.get("l") == name
            and payload.get("f") == _fingerprint(name, filters)
            and isinstance(offset, int)
            and 0 <= offset < MAX_OFFSET
        )
    except (binascii.Error, ValueError, TypeError, KeyError):
        valid = False
    if not valid:
        raise CursorError(
            "this cursor does not belong to this list and these filters",
            "start again without a cursor, then follow each page's `next`",
        )
    return Position(name, filters, int(payload["o"]))


def page_of(items: Sequence[T], at: Position, limit: int) -> tuple[list[T], str | None]:
    """One page of a list already in its stable order, and the next cursor."""
    chunk = list(items[at.offset : at.offset + limit])
    return chunk, at.next_cursor(limit, len(items) > at.offset + limit)
