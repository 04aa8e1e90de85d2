"""Situation reports as rows: saved, listed, moved from draft to submitted to approved.

A sitrep's body (JSON) keeps its sections and the ids of every document it cites
(``body["documents"]``). Who may read a saved sitrep follows from those: a reader
sees it only if it may see every document it cites (``visibility.visible``), so a
report never shows a line to someone who could not read what the line rests on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from jic.errors import NotFoundError
from jic.store.database import new_id
from jic.store.schema import members, sitreps
from jic.store.views import visible_ids
from jic.store.visibility import Reader

STATUSES = ("draft", "submitted", "approved")


@dataclass(slots=True)
class SitrepRow:
    id: int
    title: str
    since: datetime
    until: datetime
    place: str | None
    body: dict[str, Any]
    tlp: str
    status: str
    created_at: datetime
    created_by: str
    member_id: int
    member: str
    submitted_at: datetime | None
    approved_at: datetime | None
    approved_by: str | None
    approved_member: str | None

    @property
    def cited(self) -> list[int]:
        return [int(i) for i in self.body.get("documents", [])]


def insert(connection: Connection, values: dict[str, Any]) -> int:
    """Save a new sitrep row; returns its id."""
    return new_id(connection.execute(sitreps.insert().values(**values)))


def update(connection: Connection, sitrep_id: int, values: dict[str, Any]) -> None:
    connection.execute(sitreps.update().where(sitreps.c.id == sitrep_id).values(**values))


def _select() -> Any:
    approver = members.alias("approver")
    return select(
        sitreps,
        members.c.name.label("member_name"),
        approver.c.name.label("approved_member_name"),
    ).select_from(
        sitreps.join(members, members.c.id == sitreps.c.member_id).outerjoin(
            approver, approver.c.id == sitreps.c.approved_member_id
        )
    )


def _row(row: Any) -> SitrepRow:
    return SitrepRow(
        id=row.id,
        title=row.title,
        since=row.since,
        until=row.until,
        place=row.place,
        body=dict(row.body or {}),
        tlp=row.tlp,
        status=row.status,
        created_at=row.created_at,
        created_by=row.created_by,
        member_id=row.member_id,
        member=row.member_name,
        submitted_at=row.submitted_at,
        approved_at=row.approved_at,
        approved_by=row.approved_by,
        approved_member=row.approved_member_name,
    )


def _readable(connection: Connection, reader: Reader, row: SitrepRow) -> bool:
    cited = set(row.cited)
    return reader.is_operator or visible_ids(connection, reader, cited) == cited


def get(connection: Connection, reader: Reader, sitrep_id: int) -> SitrepRow:
    """One sitrep, if ``reader`` may see every document it cites; else not found (a
    reader does not learn that a report it may not read exists)."""
    found = connection.execute(_select().where(sitreps.c.id == sitrep_id)).first()
    row = _row(found) if found is not None else None
    if row is None or not _readable(connection, reader, row):
        raise NotFoundError(f"no sitrep {sitrep_id}", "list sitreps with `jic report list`")
    return row


def list_rows(
    connection: Connection, reader: Reader, *, status: str | None = None, limit: int = 100
) -> list[SitrepRow]:
    """Sitreps ``reader`` may read, newest first."""
    query = _select().order_by(sitreps.c.id.desc())
    if status is not None:
        query = query.where(sitreps.c.status == status)
    found: list[SitrepRow] = []
    for batch in connection.execute(query).partitions(200):
        for raw in batch:
            row = _row(raw)
            if _readable(connection, reader, row):
                found.append(row)
                if len(found) >= limit:
                    return found
    return found
