"""The claims ledger's SQL: claims waiting for a proposition, propositions, manual
grades, and claims as a reader may see them.

``analyse/ledger.py`` decides which proposition a claim states and how a reader's
view of a proposition is graded; this module only reads and writes rows. Every read
that returns claims, or counts or orders propositions by them, carries the sharing
policy (``visibility.visible``) on the claim's document, so that nothing a reader
gets back rests on a document the reader may not see.

Claims that state no proposition (their content is too short, and they answer no
claim that does) point at a *left-out* proposition, with a negative id, whose
signature names the reason (``{"left_out": "..."}``): the claim is then no longer
pending, and the reason is kept with it. Views never list left-out propositions.
(SQLite numbers the first proposition after a left-out one 0: every real id is >= 0.)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    and_,
    bindparam,
    case,
    func,
    select,
    text,
)

from jic.store.database import new_id
from jic.store.schema import (
    doc_claims,
    doc_entities,
    documents,
    entity_names,
    members,
    proposition_grades,
    propositions,
    sources,
)
from jic.store.times import maybe_utc, now
from jic.store.visibility import Reader, visible

_PG_LEDGER_LOCK = 0x6A6C67  # one proposition assigner at a time across PostgreSQL machines
_CHUNK = 500
SUPPORT = ("assert", "confirm")


def at_column() -> ColumnElement[Any]:
    """When a document's claims were made public: published, else ingested."""
    return func.coalesce(documents.c.published_at, documents.c.ingested_at)


def lock(connection: Connection) -> None:
    """Serialise proposition assignment (it is one sequence of decisions)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LEDGER_LOCK})


@dataclass(frozen=True, slots=True)
class Pending:
    """A claim without a proposition yet."""

    id: int
    document_id: int
    position: int
    content: str
    content_start: int
    stance: str
    refers_to: int | None
    at: datetime


def pending(connection: Connection, limit: int) -> list[Pending]:
    """Claims without a proposition, oldest document first, in document order."""
    at = at_column().label("at")
    rows = connection.execute(
        select(
            doc_claims.c.id,
            doc_claims.c.document_id,
            doc_claims.c.position,
            doc_claims.c.content,
            doc_claims.c.content_start,
            doc_claims.c.stance,
            doc_claims.c.refers_to,
            at,
        )
        .join(documents, documents.c.id == doc_claims.c.document_id)
        .where(doc_claims.c.proposition_id.is_(None))
        .order_by(at, doc_claims.c.document_id, doc_claims.c.position)
        .limit(limit)
    )
    return [
        Pending(r.id, r.document_id, r.position, r.content, r.content_start, r.stance,
                r.refers_to, maybe_utc(r.at) or now())
        for r in rows
    ]  # fmt: skip


def live(
    connection: Connection, since: datetime | None, *, after_id: int = -1
) -> list[tuple[int, dict[str, Any], datetime]]:
    """(id, signature, last claim time) of every proposition numbered above
    ``after_id`` (never below -1, so left-out propositions never come back) with a claim
    at or after ``since`` (any time when None)."""
    at = at_column()
    last = func.max(at).label("last")
    query = (
        select(doc_claims.c.proposition_id, last)
        .join(documents, documents.c.id == doc_claims.c.document_id)
        .where(doc_claims.c.proposition_id > max(after_id, -1))
        .group_by(doc_claims.c.proposition_id)
    )
    if since is not None:
        query = query.where(at >= since)
    times = {row.proposition_id: maybe_utc(row.last) or now() for row in connection.execute(query)}
    found: list[tuple[int, dict[str, Any], datetime]] = []
    ids = sorted(times)
    for start in range(0, len(ids), _CHUNK):
        rows = connection.execute(
            select(propositions.c.id, propositions.c.signature).where(
                propositions.c.id.in_(ids[start : start + _CHUNK])
            )
        )
        found.extend((row.id, dict(row.signature or {}), times[row.id]) for row in rows)
    return found


def left_out_ids(connection: Connection) -> dict[int, str]:
    """The left-out propositions: id -> reason."""
    rows = connection.execute(
        select(propositions.c.id, propositions.c.signature).where(propositions.c.id < 0)
    )
    return {row.id: str(row.signature["left_out"]) for row in rows}


def left_out(connection: Connection, number: int, reason: str) -> int:
    """The left-out proposition for reason ``number`` (1, 2, ...), made on first use.
    Left-out propositions have negative ids, so every view skips them by id alone."""
    found = -abs(number)
    if not exists(connection, found):
        connection.execute(
            propositions.insert().values(
                id=found,
                text=f"(left out: {reason})",
                signature={"left_out": reason},
                created_at=now(),
            )
        )
    return found


def add(connection: Connection, statement: str, signature: dict[str, Any]) -> int:
    return new_id(
        connection.execute(
            propositions.insert().values(text=statement, signature=signature, created_at=now())
        )
    )


def add_many(connection: Connection, rows: Sequence[tuple[str, dict[str, Any]]]) -> list[int]:
    """Insert (text, signature) propositions; their ids, in the same order."""
    if not rows:
        return []
    at = now()
    statement = propositions.insert().returning(propositions.c.id, sort_by_parameter_order=True)
    result = connection.execute(
        statement, [{"text": t, "signature": sig, "created_at": at} for t, sig in rows]
    )
    return [int(found) for found in result.scalars()]


def assign(connection: Connection, pairs: Sequence[tuple[int, int]]) -> None:
    """Set (claim id, proposition id) pairs."""
    if not pairs:
        return
    statement = (
        doc_claims.update()
        .where(doc_claims.c.id == bindparam("claim"))
        .values(proposition_id=bindparam("proposition"))
    )
    connection.execute(statement, [{"claim": c, "proposition": p} for c, p in pairs])


def proposition_at(connection: Connection, document_id: int, position: int) -> int | None:
    """The proposition of a document's claim at ``position`` (None if not assigned)."""
    return connection.execute(
        select(doc_claims.c.proposition_id).where(
            doc_claims.c.document_id == document_id, doc_claims.c.position == position
        )
    ).scalar()


@dataclass(frozen=True, slots=True)
class PageQuery:
    """Which propositions a reader lists, newest claim first."""

    since: datetime | None = None
    until: datetime | None = None
    disputed: bool | None = None
    entity_keys: tuple[str, ...] | None = None
    document_ids: tuple[int, ...] | None = None
    limit: int = 50
    offset: int = 0


def page(connection: Connection, reader: Reader, query: PageQuery) -> list[int]:
    """Ids of the propositions with a claim the reader may see that matches ``query``,
    by their newest such claim, newest first."""
    at = at_column()
    shown = visible(connection, reader)
    last = func.max(at).label("last")
    statement = (
        select(doc_claims.c.proposition_id, last)
        .join(documents, documents.c.id == doc_claims.c.document_id)
        .where(shown, doc_claims.c.proposition_id >= 0)
        .group_by(doc_claims.c.proposition_id)
        .order_by(last.desc(), doc_claims.c.proposition_id.desc())
        .limit(query.limit)
        .offset(query.offset)
    )
    if query.since is not None:
        statement = statement.where(at >= query.since)
    if query.until is not None:
        statement = statement.where(at < query.until)
    if query.document_ids is not None:
        statement = statement.where(doc_claims.c.document_id.in_(list(query.document_ids)))
    if query.entity_keys is not None:
        mentioning = select(doc_entities.c.document_id).where(
            doc_entities.c.entity_key.in_(list(query.entity_keys))
        )
        statement = statement.where(doc_claims.c.document_id.in_(mentioning))
    if query.disputed is not None:
        both = _disputed(connection, reader)
        statement = statement.where(
            doc_claims.c.proposition_id.in_(both)
            if query.disputed
            else doc_claims.c.proposition_id.not_in(both)
        )
    return [row.proposition_id for row in connection.execute(statement)]


def _disputed(connection: Connection, reader: Reader) -> Any:
    """Propositions with a visible supporting claim and a visible denial."""
    supports = func.sum(case((doc_claims.c.stance.in_(SUPPORT), 1), else_=0))
    denials = func.sum(case((doc_claims.c.stance == "deny", 1), else_=0))
    return (
        select(doc_claims.c.proposition_id)
        .join(documents, documents.c.id == doc_claims.c.document_id)
        .where(visible(connection, reader), doc_claims.c.proposition_id >= 0)
        .group_by(doc_claims.c.proposition_id)
        .having(and_(supports > 0, denials > 0))
    )


def claims(
    connection: Connection, reader: Reader, proposition_ids: Iterable[int] | None
) -> list[Row[Any]]:
    """The claims of these propositions (all when None, left-out ones excepted) that the
    reader may see, with their document, source and member, oldest first."""
    at = at_column().label("at")
    statement = (
        select(
            doc_claims,
            documents.c.title,
            documents.c.published_at,
            documents.c.duplicate_of,
            documents.c.source_id,
            at,
            sources.c.name.label("source_name"),
            sources.c.reliability,
            sources.c.ownership_group,
            members.c.name.label("member_name"),
        )
        .join(documents, documents.c.id == doc_claims.c.document_id)
        .join(members, members.c.id == documents.c.member_id)
        .outerjoin(sources, sources.c.id == documents.c.source_id)
        .where(visible(connection, reader), doc_claims.c.proposition_id >= 0)
        .order_by(at, doc_claims.c.document_id, doc_claims.c.position)
    )
    if proposition_ids is None:
        return list(connection.execute(statement))
    ids = sorted(set(proposition_ids))
    found: list[Row[Any]] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = statement.where(doc_claims.c.proposition_id.in_(ids[start : start + _CHUNK]))
        found.extend(connection.execute(chunk))
    found.sort(key=lambda r: (maybe_utc(r.at) or now(), r.document_id, r.position))
    return found


def roots(connection: Connection, document_ids: Iterable[int]) -> dict[int, int]:
    """document -> the original it copies, following chains of copies (a document that
    copies nothing is its own root). The ids are used as keys only: nothing of a
    hidden original is read or shown."""
    root = {doc: doc for doc in document_ids}
    todo = {doc: doc for doc in root}  # document -> the id whose link is looked up next
    for _hop in range(8):  # dedup links to the earliest copy; a chain is short
        asked = sorted(set(todo.values()))
        if not asked:
            break
        links: dict[int, int | None] = {}
        for start in range(0, len(asked), _CHUNK):
            rows = connection.execute(
                select(documents.c.id, documents.c.duplicate_of).where(
                    documents.c.id.in_(asked[start : start + _CHUNK])
                )
            )
            links.update({row.id: row.duplicate_of for row in rows})
        following = {}
        for doc, at in todo.items():
            parent = links.get(at)
            if parent and parent != at:
                root[doc] = parent
                following[doc] = parent
        todo = following
    return root


def manual_grades(connection: Connection, proposition_ids: Iterable[int]) -> dict[int, Row[Any]]:
    """The newest manual grade row of each proposition (its grade may be None: cleared)."""
    ids = sorted(set(proposition_ids))
    newest: dict[int, Row[Any]] = {}
    for start in range(0, len(ids), _CHUNK):
        rows = connection.execute(
            select(proposition_grades, members.c.name.label("member_name"))
            .join(members, members.c.id == proposition_grades.c.member_id)
            .where(proposition_grades.c.proposition_id.in_(ids[start : start + _CHUNK]))
            .order_by(proposition_grades.c.id)
        )
        for row in rows:
            newest[row.proposition_id] = row
    return newest


def add_grade(
    connection: Connection,
    proposition_id: int,
    grade: int | None,
    note: str | None,
    *,
    set_by: str,
    member_id: int,
) -> None:
    connection.execute(
        proposition_grades.insert().values(
            proposition_id=proposition_id,
            grade=grade,
            note=note,
            set_by=set_by,
            member_id=member_id,
            set_at=now(),
        )
    )


def exists(connection: Connection, proposition_id: int) -> bool:
    row = connection.execute(
        select(propositions.c.id).where(propositions.c.id == proposition_id)
    ).first()
    return row is not None


def visible_ids(connection: Connection, reader: Reader, ids: Iterable[int]) -> set[int]:
    """Those of these documents the reader may see."""
    wanted = sorted(set(ids))
    found: set[int] = set()
    for start in range(0, len(wanted), _CHUNK):
        found.update(
            connection.execute(
                select(documents.c.id).where(
                    documents.c.id.in_(wanted[start : start + _CHUNK]), visible(connection, reader)
                )
            ).scalars()
        )
    return found


def aliases(connection: Connection, keys: Iterable[str]) -> list[str]:
    """Every name and alias (lower-cased) of these entities."""
    rows = connection.execute(
        select(entity_names.c.name).where(entity_names.c.entity_key.in_(list(keys)))
    )
    return sorted(set(rows.scalars()))
