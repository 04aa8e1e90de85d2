"""The center itself: health, status counts, members, the chair, sources, audit log.

Who may read what (docs/api.md): health is open; status counts only what the reader
may see; members, the chair and sources are for signed-in users (they describe the
center, not documents); a source whose TLP is AMBER+STRICT or RED is listed to its
owner member's users only. The audit log is for officers, as on the CLI: officers of
the member chairing now read every entry, other officers their own member's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from jic import __version__
from jic.api import models
from jic.api.deps import ReaderDep, StoreDep, UserDep
from jic.api.errors import OfficersOnly, responses
from jic.api.paging import CursorQuery, LimitQuery, page_of, position
from jic.center.rotation import NoChairError, Term
from jic.domain import TLP
from jic.store import audit
from jic.store import documents as document_repo
from jic.store import members as member_repo
from jic.store import sources as source_repo
from jic.store.sources import Source
from jic.store.times import iso
from jic.store.users import User

router = APIRouter(prefix="/api/v1", tags=["center"])

SIGNED_IN = responses(401, 422)
CLOSED = (TLP.AMBER_STRICT, TLP.RED)


@router.get("/health", response_model=models.Health, openapi_extra={"security": []})
def health() -> models.Health:
    """Liveness, open to all."""
    return models.Health(status="ok", version=__version__)


@router.get("/status", response_model=models.Status, responses=responses(401))
def status(store: StoreDep, reader: ReaderDep) -> models.Status:
    """Counts of the documents the reader may see."""
    with store.read() as connection:
        counts = document_repo.visible_counts(connection, reader)
    return models.Status(
        documents=counts.documents,
        sources=dict(counts.by_source),
        languages=dict(counts.by_language),
        tlp=dict(counts.by_tlp),
    )


@router.get("/members", response_model=models.MemberPage, responses=SIGNED_IN)
def members(
    store: StoreDep, _user: UserDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> models.MemberPage:
    """The center's members in the order they were admitted."""
    at = position("members", None, cursor)
    with store.read() as connection:
        found = member_repo.list_members(connection)
    items, following = page_of(found, at, limit)
    return models.MemberPage(
        items=[
            models.MemberOut(
                name=m.name,
                founding=m.founding,
                rotation_position=None if m.rotation_position is None else m.rotation_position + 1,
                default_tlp=m.default_tlp.value,
            )
            for m in items
        ],
        next=following,
    )


def _term(term: Term[str]) -> models.TermOut:
    return models.TermOut(chair=term.chair, start=iso(term.start), end=iso(term.end))


@router.get("/chair", response_model=models.Chair, responses=SIGNED_IN)
def chair(
    store: StoreDep,
    _user: UserDep,
    at: Annotated[datetime | None, Query(description="The instant to ask about.")] = None,
) -> models.Chair:
    """Who chairs at ``at`` (default: now), until when, and the next four terms."""
    if at is None:
        when = datetime.now(UTC).replace(microsecond=0)
    else:  # an instant without an offset is read as UTC, as everywhere in jic
        when = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)
    with store.read() as connection:
        rotation = member_repo.rotation(connection)
    try:
        current: Term[str] | None = rotation.term_at(when)
    except NoChairError:
        current = None
    return models.Chair(
        at=iso(when),
        chair=current.chair if current else None,
        term_start=iso(current.start) if current else None,
        term_end=iso(current.end) if current else None,
        next=[_term(t) for t in rotation.upcoming(when, 4)],
    )


def _listed(source: Source, user: User) -> bool:
    return source.tlp not in CLOSED or source.owner_member_id == user.member_id


@router.get("/sources", response_model=models.SourcePage, responses=SIGNED_IN)
def sources(
    store: StoreDep, user: UserDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> models.SourcePage:
    """The sources the center gathers from, with their reliability and last gather."""
    at = position("sources", None, cursor)
    with store.read() as connection:
        found = [s for s in source_repo.list_all(connection) if _listed(s, user)]
        owners = {m.id: m.name for m in member_repo.list_members(connection)}
    items, following = page_of(sorted(found, key=lambda s: s.id), at, limit)
    return models.SourcePage(
        items=[
            models.SourceOut(
                name=s.name,
                kind=s.kind,
                url=s.url,
                owner=owners.get(s.owner_member_id, ""),
                tlp=s.tlp.value if s.tlp else None,
                reliability=s.reliability.value,
                every_seconds=s.every_seconds,
                enabled=s.enabled,
                last_polled_at=iso(s.last_polled_at) if s.last_polled_at else None,
                last_status=s.last_status,
                last_error=s.last_error,
                ownership_group=s.ownership_group,
            )
            for s in items
        ],
        next=following,
    )


@router.get("/audit", response_model=models.AuditPage, responses=responses(401, 403, 422))
def audit_log(
    store: StoreDep,
    user: UserDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> models.AuditPage:
    """The audit log, newest first: for officers; the chair's officers see every
    entry, other officers their own member's."""
    if user.role != "officer":
        raise OfficersOnly("the audit log is for officers", "ask an officer of your member")
    at = position("audit", None, cursor)
    with store.read() as connection:
        rotation = member_repo.rotation(connection)
        chairs = rotation.is_chair(user.member, datetime.now(UTC))
        # The store reads the newest entries only, so a page at offset N reads N more.
        found = audit.entries(
            connection, member=None if chairs else user.member, limit=at.offset + limit + 1
        )
    items, following = page_of(found, at, limit)
    return models.AuditPage(items=[models.AuditEntry(**entry) for entry in items], next=following)
