"""The audit log: append-only and hash-chained.

Each entry's ``digest`` is the SHA-256 of its canonical detail, and its ``hash`` the
SHA-256 of the entry's fields together with the previous entry's hash. Changing,
deleting or reordering any row breaks the chain from that row on, and ``verify``
names the first entry where it breaks. A head row (``audit_head``) keeps the newest
hash and the count, so deleting the last entries is caught as well.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, select, text

from jic.store.schema import audit_head, audit_log
from jic.store.times import as_utc, iso

GENESIS = "0" * 64
_PG_AUDIT_LOCK = 0x6A6963  # any constant: serialises appends across PostgreSQL writers


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _entry_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(fields).encode()).hexdigest()


def _hashed_fields(row: Any) -> dict[str, Any]:
    return {
        "at": iso(as_utc(row.at)),
        "actor_user": row.actor_user,
        "actor_member": row.actor_member,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "digest": row.digest,
        "prev_hash": row.prev_hash,
    }


class _Named(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def member(self) -> str: ...


@dataclass(slots=True)
class Actor:
    """Who did something: a user of a member, or jic itself (``user`` None)."""

    member: str | None = None
    user: str | None = None

    @classmethod
    def of(cls, user: _Named | None) -> Actor:
        """The actor for a user (anything with ``name`` and ``member``), or jic itself
        (the local operator) for None."""
        return cls(member=user.member, user=user.name) if user is not None else cls()


def append(
    connection: Connection,
    actor: Actor,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | int | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> str:
    """Add one entry in the caller's transaction; returns its hash."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK})
    tip = connection.execute(
        select(audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
    ).scalar()
    # Microseconds are dropped so the time hashes the same after any backend round trip.
    when = (at or datetime.now(UTC)).replace(microsecond=0)
    row = {
        "at": when,
        "actor_user": actor.user,
        "actor_member": actor.member,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "detail": detail or {},
        "digest": hashlib.sha256(canonical(detail or {}).encode()).hexdigest(),
        "prev_hash": tip or GENESIS,
    }
    row["hash"] = _entry_hash(_hashed_fields(_Row(row)))
    key = connection.execute(audit_log.insert().values(**row)).inserted_primary_key
    assert key is not None
    _move_head(connection, int(key[0]), str(row["hash"]))
    return str(row["hash"])


def _move_head(connection: Connection, last_id: int, last_hash: str) -> None:
    """The head row records the newest entry and the count, in the same transaction, so
    deleting the last entries (which leaves a valid chain behind) is noticed too."""
    moved = connection.execute(
        audit_head.update()
        .where(audit_head.c.id == 1)
        .values(last_id=last_id, last_hash=last_hash, entries=audit_head.c.entries + 1)
    )
    if moved.rowcount == 0:
        connection.execute(
            audit_head.insert().values(id=1, last_id=last_id, last_hash=last_hash, entries=1)
        )


class _Row:
    """Attribute access over a dict, so new and stored entries hash the same way."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


@dataclass(slots=True)
class VerifyResult:
    ok: bool
    entries: int
    first_bad_id: int | None = None
    reason: str = ""


def verify(connection: Connection) -> VerifyResult:
    """Check the whole chain; report the first entry that does not hold."""
    prev = GENESIS
    count = 0
    rows = connection.execute(select(audit_log).order_by(audit_log.c.id))
    for row in rows:
        count += 1
        if row.prev_hash != prev:
            return VerifyResult(False, count, row.id, "does not follow the entry before it")
        digest = hashlib.sha256(canonical(row.detail or {}).encode()).hexdigest()
        if digest != row.digest:
            return VerifyResult(False, count, row.id, "its detail was changed")
        if _entry_hash(_hashed_fields(row)) != row.hash:
            return VerifyResult(False, count, row.id, "its fields were changed")
        prev = row.hash
    head = connection.execute(select(audit_head).where(audit_head.c.id == 1)).first()
    if head is not None and (head.last_hash != prev or head.entries != count):
        return VerifyResult(
            False,
            count,
            head.last_id,
            f"the log should end at entry {head.last_id} after {head.entries} entries; "
            f"it holds {count}",
        )
    return VerifyResult(True, count)


def entries(
    connection: Connection,
    *,
    since: datetime | None = None,
    actor: str | None = None,
    object_id: str | None = None,
    member: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Entries, newest first; ``member`` limits them to that member's own actions."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    if actor is not None:
        query = query.where((audit_log.c.actor_user == actor) | (audit_log.c.actor_member == actor))
    if object_id is not None:
        query = query.where(audit_log.c.object_id == object_id)
    if member is not None:
        query = query.where(audit_log.c.actor_member == member)
    return [
        {
            "id": row.id,
            "at": iso(as_utc(row.at)),
            "user": row.actor_user,
            "member": row.actor_member,
            "action": row.action,
            "object": f"{row.object_type}:{row.object_id}" if row.object_type else None,
            "detail": row.detail,
        }
        for row in connection.execute(query)
    ]
