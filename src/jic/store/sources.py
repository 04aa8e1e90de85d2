"""Sources: where documents come from, who owns them, how far they are trusted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from jic.domain import TLP, Reliability
from jic.errors import AccessError, InputError, NotFoundError
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
    ownership_group: str | None = None


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
        ownership_group=row.ownership_group,
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
    return add(connection, NewSource(name=name, kind=kind, url=url), owner=owner, actor=actor)


KINDS = ("feed", "page", "sitemap", "files")


@dataclass(slots=True)
class NewSource:
    """A source as the user describes it to `jic sources add`."""

    name: str
    kind: str
    url: str | None
    tlp: TLP | None = None
    reliability: Reliability = Reliability.F
    every_seconds: int | None = None


def add(connection: Connection, new: NewSource, *, owner: Member, actor: audit.Actor) -> Source:
    if new.kind not in KINDS:
        raise InputError(f"unknown source kind {new.kind!r}", f"use one of {', '.join(KINDS)}")
    existing = find(connection, new.name)
    if existing is not None:
        raise InputError(
            f"a source named {new.name!r} exists already",
            "choose another --name or remove it first",
        )
    if new.url:
        same = connection.execute(
            select(sources.c.name).where(sources.c.url == new.url, sources.c.removed_at.is_(None))
        ).scalar()
        if same:
            raise InputError(f"{new.url} is already the source {same!r}", "use that source")
    source_id = new_id(
        connection.execute(
            sources.insert().values(
                name=new.name,
                kind=new.kind,
                url=new.url,
                owner_member_id=owner.id,
                tlp=new.tlp.value if new.tlp else None,
                reliability=new.reliability.value,
                every_seconds=new.every_seconds,
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
        detail={"name": new.name, "kind": new.kind, "url": new.url, "owner": owner.name},
    )
    created = find(connection, new.name)
    assert created is not None
    return created


def get(connection: Connection, name: str) -> Source:
    found = find(connection, name)
    if found is None or not found.enabled:
        raise NotFoundError(f"no source named {name!r}", "list them with `jic sources list`")
    return found


def list_all(connection: Connection) -> list[Source]:
    rows = connection.execute(
        select(sources).where(sources.c.removed_at.is_(None)).order_by(sources.c.name)
    )
    return [to_source(row) for row in rows]


def remove(connection: Connection, name: str, *, actor: audit.Actor) -> Source:
    """Stop gathering from a source; its documents stay (they are the record)."""
    source = get(connection, name)
    connection.execute(
        sources.update()
        .where(sources.c.id == source.id)
        .values(enabled=False, removed_at=now(), name=f"{source.name} (removed {source.id})")
    )
    audit.append(
        connection,
        actor,
        "source.remove",
        object_type="source",
        object_id=source.id,
        detail={"name": source.name},
    )
    return source


def due(connection: Connection, at: datetime, default_every: int) -> list[Source]:
    """Enabled network sources whose polling interval has passed."""
    rows = connection.execute(
        select(sources).where(
            sources.c.enabled.is_(True),
            sources.c.removed_at.is_(None),
            sources.c.kind.in_(("feed", "page", "sitemap")),
        )
    )
    ready = []
    for row in rows:
        source = to_source(row)
        every = source.every_seconds or default_every
        if source.last_polled_at is None or (at - source.last_polled_at).total_seconds() >= every:
            ready.append(source)
    return ready


@dataclass(slots=True)
class PollState:
    status: str  # ok, not-modified, failed
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None


def record_poll(connection: Connection, source: Source, state: PollState, at: datetime) -> None:
    values: dict[str, Any] = {
        "last_polled_at": at,
        "last_status": state.status,
        "last_error": state.error,
    }
    if state.status != "failed":
        values["last_success_at"] = at
    if state.etag is not None or state.last_modified is not None:
        values["etag"] = state.etag
        values["last_modified"] = state.last_modified
    connection.execute(sources.update().where(sources.c.id == source.id).values(**values))


def validators(connection: Connection, source: Source) -> tuple[str | None, str | None]:
    row = connection.execute(
        select(sources.c.etag, sources.c.last_modified).where(sources.c.id == source.id)
    ).one()
    return row.etag, row.last_modified


def all_urls(connection: Connection) -> set[str]:
    """Every source URL the center has had, removed ones included."""
    rows = connection.execute(select(sources.c.url).where(sources.c.url.is_not(None)))
    return {url for url in rows.scalars()}


# Unchanged, as distinct from None (which clears the ownership group).
KEEP = "keep"


def update(
    connection: Connection,
    name: str,
    *,
    actor: audit.Actor,
    user: Any = None,
    reliability: str | None = None,
    group: str | None = KEEP,
) -> Source:
    """Change a source's reliability grade or ownership group (None clears the group).

    Only an officer of the member that owns the source may (``user``: a
    ``store.users.User``; None is the local operator). Sources in one ownership group
    count once when the claims ledger counts independent support.
    """
    source = get(connection, name)
    if user is not None and (user.role != "officer" or user.member_id != source.owner_member_id):
        raise AccessError(
            f"{user.name} may not change source {source.name!r}",
            "an officer of the member that owns the source may",
        )
    values: dict[str, Any] = {}
    if reliability is not None:
        try:
            values["reliability"] = Reliability(reliability.upper()).value
        except ValueError:
            raise InputError(
                f"unknown reliability {reliability!r}", "use one of A, B, C, D, E, F"
            ) from None
    if group != KEEP:
        cleaned = " ".join((group or "").split())
        if group is not None and not cleaned:
            raise InputError("an ownership group needs a name", "or clear it with --no-group")
        if len(cleaned) > 200:
            raise InputError("an ownership group name is at most 200 characters")
        values["ownership_group"] = cleaned or None
    if not values:
        return source
    connection.execute(sources.update().where(sources.c.id == source.id).values(**values))
    audit.append(
        connection,
        actor,
        "source.update",
        object_type="source",
        object_id=source.id,
        detail={"name": source.name, **values},
    )
    return get(connection, source.name)
