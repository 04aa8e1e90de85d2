"""Sources: where documents come from, who owns them, how far they are trusted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from jic.domain import TLP, Reliability
from jic.store import audit
from jic.store.database import new_id
from jic.store.members import Member
from jic.store.schema import sources
from jic.store.times import maybe_utc, now


@dataclass(slots=True)
class Source:
    id: int
    name: str
    kind: str
    url: str | None
    owner_member_id: int
    tlp: TLP | None
    reliability: Reliability
    every_seconds: int | None
    enabled: bool
    last_polled_at: datetime | None
    last_status: str | None
    last_error: str | None


def to_source(row: Row[Any]) -> Source:
    return Source(
        id=row.id,
        name=row.name,
        kind=row.kind,
        url=row.url,
        owner_member_id=row.owner_member_id,
        tlp=TLP(row.tlp) if row.tlp else None,
        reliability=Reliability(row.reliability),
        every_seconds=row.every_seconds,
        enabled=row.enabled,
        last_polled_at=maybe_utc(row.last_polled_at),
        last_status=row.last_status,
        last_error=row.last_error,
    )


def find(connection: Connection, name: str) -> Source | None:
    row = connection.execute(select(sources).where(sources.c.name == name)).first()
    return None if row is None else to_source(row)


def get_or_create(
    connection: Connection,
    name: str,
    *,
    owner: Member,
    actor: audit.Actor,
    kind: str = "files",
    url: str | None = None,
) -> Source:
    """The source called ``name``, created for ``owner`` on first use."""
    existing = find(connection, name)
    if existing is not None:
        return existing
    source_id = new_id(
        connection.execute(
            sources.insert().values(
                name=name,
                kind=kind,
                url=url,
                owner_member_id=owner.id,
                tlp=None,
                reliability=Reliability.F.value,
                every_seconds=None,
                enabled=True,
                created_at=now(),
            )
        )
    )
    audit.append(
        connection,
        actor,
        "source.create",
        object_type="source",
        object_id=source_id,
        detail={"name": name, "kind": kind, "url": url, "owner": owner.name},
    )
    found = find(connection, name)
    assert found is not None
    return found
