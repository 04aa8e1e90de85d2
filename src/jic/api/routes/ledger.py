"""The claims ledger: propositions with their claims side by side, the computed
Admiralty grade with its explanation, officers' grades, and sources' track records.
Everything rests on the claims in documents the reader may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from jic.analyse import ledger
from jic.api import ledger_models as lm
from jic.api.deps import ReaderDep, StoreDep, UserDep, WriterDep
from jic.api.errors import responses
from jic.api.paging import MAX_OFFSET, CursorQuery, LimitQuery, page_of, position
from jic.api.routes.views import EntityQuery, SinceQuery, UntilQuery, as_utc

router = APIRouter(prefix="/api/v1", tags=["ledger"])


def _out(view: ledger.PropositionView) -> lm.Proposition:
    return lm.Proposition.model_validate(view.record())


@router.get("/propositions", response_model=lm.PropositionPage, responses=responses(401, 422))
def propositions(
    store: StoreDep,
    reader: ReaderDep,
    since: SinceQuery = None,
    until: UntilQuery = None,
    entity: EntityQuery = None,
    disputed: Annotated[bool | None, Query(description="Only disputed, or undisputed.")] = None,
    limit: LimitQuery = 20,
    cursor: CursorQuery = None,
) -> lm.PropositionPage:
    """Propositions with a claim in [since, until), newest claim first."""
    start, end = as_utc(since), as_utc(until)
    at = position("propositions", [start, end, entity, disputed], cursor)
    with store.read() as connection:
        views = ledger.propositions(
            connection,
            reader,
            since=start,
            until=end,
            disputed=disputed,
            entity=entity,
            limit=min(limit + 1, MAX_OFFSET - at.offset),
            offset=at.offset,
        )
    # ``views`` starts at the cursor's offset: page it from there.
    items = views[:limit]
    following = at.next_cursor(limit, len(views) > limit)
    return lm.PropositionPage(items=[_out(v) for v in items], next=following)


@router.get(
    "/propositions/{proposition_id}",
    response_model=lm.Proposition,
    responses=responses(401, 404, 422),
)
def proposition(store: StoreDep, reader: ReaderDep, proposition_id: int) -> lm.Proposition:
    with store.read() as connection:
        return _out(ledger.proposition(connection, reader, proposition_id))


@router.put(
    "/propositions/{proposition_id}/grade",
    response_model=lm.Proposition,
    responses=responses(401, 403, 404, 422, 429),
)
def set_grade(
    store: StoreDep, user: UserDep, writer: WriterDep, proposition_id: int, body: lm.GradeIn
) -> lm.Proposition:
    """An officer sets the proposition's grade (null clears it); the computed grade
    and its explanation stay beside it. Audited."""
    with store.write() as connection:
        ledger.set_grade(connection, user, proposition_id, body.grade, body.note)
    with store.read() as connection:
        return _out(ledger.proposition(connection, writer.reader, proposition_id))


@router.get(
    "/sources/track-records", response_model=lm.TrackRecordPage, responses=responses(401, 422)
)
def track_records(
    store: StoreDep, reader: ReaderDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> lm.TrackRecordPage:
    """Each source with a claim you may see: how often an independent source later
    confirmed or contradicted it, and the reliability that suggests (not applied)."""
    at = position("track-records", None, cursor)
    with store.read() as connection:
        found = ledger.track_records(connection, reader)
    items, following = page_of(found, at, limit)
    return lm.TrackRecordPage(
        items=[lm.TrackRecord.model_validate(r.record()) for r in items], next=following
    )
