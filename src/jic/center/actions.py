"""Chair actions and sharing changes: who may, at which instant, and the record of it.

Chair actions (approving a joint product, admitting a member, changing the shared
watchlist) are for officers of the member chairing at that instant, so a handover
takes effect on the second even if nobody is logged in. ``note_handovers`` writes
each handover that has happened into the audit log, at the instant it happened.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from jic.center.policy import Item, may_change
from jic.center.rotation import NoChairError, Rotation
from jic.domain import TLP
from jic.errors import AccessError
from jic.store import audit
from jic.store.overview import fold_counts
from jic.store.schema import audit_log, documents
from jic.store.users import User


def require_chair(rotation: Rotation[str], user: User | None, at: datetime, action: str) -> str:
    """The chairing member at ``at`` if ``user`` is one of its officers; else AccessError."""
    try:
        chair = rotation.term_at(at).chair
    except NoChairError as error:
        raise AccessError(f"{action} is a chair action and nobody chairs yet", error.hint) from None
    if user is None or user.role != "officer" or user.member != chair:
        who = "the local operator" if user is None else f"{user.name} ({user.role}, {user.member})"
        raise AccessError(
            f"{action} is a chair action; {chair} chairs at {at.isoformat()}, not {who}",
            f"act as an officer of {chair}: jic --as USER ...",
        )
    return chair


def note_handovers(connection: Connection, rotation: Rotation[str], at: datetime) -> int:
    """Write every handover up to ``at`` that the audit log does not show yet; returns
    how many were written. Each entry carries the instant the term began."""
    last = connection.execute(
        select(audit_log.c.object_id)
        .where(audit_log.c.action == "chair.handover")
        .order_by(audit_log.c.id.desc())
        .limit(1)
    ).scalar()
    try:
        current = rotation.term_at(at).index
    except NoChairError:
        return 0
    start = int(last) + 1 if last is not None else 0
    for index in range(start, current + 1):
        term = rotation.term(index)
        audit.append(
            connection,
            audit.Actor(),
            "chair.handover",
            object_type="term",
            object_id=index,
            detail={
                "chair": term.chair,
                "start": term.start.isoformat(),
                "end": term.end.isoformat(),
                "noticed": at.isoformat(),
            },
            at=term.start,
        )
    return max(0, current + 1 - start)


def change_tlp(connection: Connection, user: User, document_id: int, new: TLP, item: Item) -> None:
    """Raise or lower a document's TLP if the policy allows ``user`` to; audited."""
    decision = may_change(user.viewer, item, new)
    if not decision.allowed:
        raise AccessError(
            f"cannot set TLP:{new.value}: {decision.reason}", "ask the owner's officer"
        )
    connection.execute(
        documents.update().where(documents.c.id == document_id).values(tlp=new.value)
    )
    fold_counts(connection)
    audit.append(
        connection,
        audit.Actor.of(user),
        "document.share",
        object_type="document",
        object_id=document_id,
        detail={"from": item.tlp.value, "to": new.value},
    )


WATCH_KINDS = ("query", "entity", "place")


def watch(
    connection: Connection, user: User, kind: str, value: str, note: str | None, at: datetime
) -> None:
    """Add to the shared watchlist: a chair action."""
    from jic.errors import InputError
    from jic.store.schema import watchlist

    require_chair(_rotation(connection), user, at, "changing the shared watchlist")
    if kind not in WATCH_KINDS or not value.strip() or len(value) > 500:
        raise InputError(f"cannot watch {kind} {value!r}", f"kinds: {', '.join(WATCH_KINDS)}")
    exists = connection.execute(
        select(watchlist.c.id).where(watchlist.c.kind == kind, watchlist.c.value == value)
    ).first()
    if exists:
        raise InputError(f"the watchlist has {kind} {value!r} already", "nothing to add")
    connection.execute(
        watchlist.insert().values(
            kind=kind, value=value, note=note, added_at=at, added_by=user.name
        )
    )
    audit.append(
        connection,
        audit.Actor.of(user),
        "watchlist.add",
        object_type="watchlist",
        object_id=f"{kind}:{value}",
        detail={"note": note},
    )


def unwatch(connection: Connection, user: User, kind: str, value: str, at: datetime) -> None:
    """Remove from the shared watchlist: a chair action."""
    from jic.errors import NotFoundError
    from jic.store.schema import watchlist

    require_chair(_rotation(connection), user, at, "changing the shared watchlist")
    gone = connection.execute(
        watchlist.delete().where(watchlist.c.kind == kind, watchlist.c.value == value)
    )
    if not gone.rowcount:
        raise NotFoundError(f"the watchlist has no {kind} {value!r}", "see `jic watchlist list`")
    audit.append(
        connection,
        audit.Actor.of(user),
        "watchlist.remove",
        object_type="watchlist",
        object_id=f"{kind}:{value}",
    )


def watched(connection: Connection) -> list[dict[str, str | None]]:
    from jic.store.schema import watchlist

    rows = connection.execute(select(watchlist).order_by(watchlist.c.kind, watchlist.c.value))
    return [
        {"kind": r.kind, "value": r.value, "note": r.note, "added_by": r.added_by} for r in rows
    ]


def _rotation(connection: Connection) -> Rotation[str]:
    from jic.store import members as member_repo

    return member_repo.rotation(connection)
