"""Members and the center record: who runs this center, in which rotation order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select

from jic.center.rotation import Admission, Rotation
from jic.domain import TLP
from jic.errors import InputError, NotFoundError
from jic.store import audit
from jic.store.database import new_id
from jic.store.schema import center, members
from jic.store.times import as_utc, now


@dataclass(slots=True)
class Member:
    id: int
    name: str
    founding: bool
    rotation_position: int | None
    default_tlp: TLP


@dataclass(slots=True)
class CenterInfo:
    name: str
    created_at: datetime
    term_months: int
    rotation_start: datetime
    first_chair: str


def create_center(
    connection: Connection,
    *,
    name: str,
    founders: list[str],
    first_chair: str,
    term_months: int,
    rotation_start: datetime,
    default_tlp: TLP = TLP.AMBER,
) -> CenterInfo:
    """Record the center and its founding members, in rotation order."""
    if not founders:
        raise InputError("a center needs at least one founding member", "pass --member NAME")
    if len(set(founders)) != len(founders):
        raise InputError("a founding member is named twice", "name each member once")
    if first_chair not in founders:
        raise InputError(
            f"the first chair {first_chair!r} is not a founding member",
            "pass --first-chair with one of the --member names",
        )
    if term_months < 1:
        raise InputError("the term must be at least one month", "pass --term-months 1 or more")
    created = now()
    ids = {}
    for position, member in enumerate(founders):
        ids[member] = new_id(
            connection.execute(
                members.insert().values(
                    name=member,
                    founding=True,
                    rotation_position=position,
                    default_tlp=default_tlp.value,
                    admitted_at=created,
                )
            )
        )
    connection.execute(
        center.insert().values(
            id=1,
            name=name,
            created_at=created,
            term_months=term_months,
            rotation_start=as_utc(rotation_start),
            first_chair_id=ids[first_chair],
        )
    )
    audit.append(
        connection,
        audit.Actor(),
        "center.init",
        object_type="center",
        object_id=1,
        detail={
            "name": name,
            "founders": founders,
            "first_chair": first_chair,
            "term_months": term_months,
            "rotation_start": as_utc(rotation_start).isoformat(),
        },
    )
    return center_info(connection)


def center_info(connection: Connection) -> CenterInfo:
    row = connection.execute(
        select(center, members.c.name.label("chair_name")).join(
            members, members.c.id == center.c.first_chair_id
        )
    ).first()
    if row is None:
        raise NotFoundError("this database holds no center", "run `jic init`")
    return CenterInfo(
        name=row.name,
        created_at=as_utc(row.created_at),
        term_months=row.term_months,
        rotation_start=as_utc(row.rotation_start),
        first_chair=row.chair_name,
    )


def get_member(connection: Connection, name: str) -> Member:
    row = connection.execute(select(members).where(members.c.name == name)).first()
    if row is None:
        known = ", ".join(m.name for m in list_members(connection)) or "none"
        raise NotFoundError(f"no member named {name!r}", f"members of this center: {known}")
    return to_member(row)


def member_by_id(connection: Connection, member_id: int) -> Member:
    row = connection.execute(select(members).where(members.c.id == member_id)).first()
    if row is None:
        raise NotFoundError(f"no member with id {member_id}", "the database may be damaged")
    return to_member(row)


def list_members(connection: Connection) -> list[Member]:
    rows = connection.execute(select(members).order_by(members.c.id))
    return [to_member(row) for row in rows]


def to_member(row: Row[Any]) -> Member:
    return Member(
        id=row.id,
        name=row.name,
        founding=row.founding,
        rotation_position=row.rotation_position,
        default_tlp=TLP(row.default_tlp),
    )


def rotation(connection: Connection) -> Rotation[str]:
    """The center's chair rotation: founding order, first chair, start, term, and the
    members admitted into the rotation later."""
    info = center_info(connection)
    everyone = list_members(connection)
    founders = sorted(
        (m for m in everyone if m.founding and m.rotation_position is not None),
        key=lambda m: m.rotation_position or 0,
    )
    admitted = connection.execute(
        select(members.c.name, members.c.admitted_at)
        .where(members.c.founding.is_(False), members.c.rotation_position.is_not(None))
        .order_by(members.c.rotation_position)
    )
    admissions = [Admission(row.name, as_utc(row.admitted_at)) for row in admitted]
    return Rotation(
        [m.name for m in founders],
        info.first_chair,
        info.rotation_start,
        info.term_months,
        admissions,
    )


def add_member(
    connection: Connection,
    name: str,
    *,
    in_rotation: bool,
    actor: audit.Actor,
    default_tlp: TLP = TLP.AMBER,
) -> Member:
    """Admit a member (a chair action: the caller checks who may)."""
    if not name.strip() or len(name) > 200:
        raise InputError("a member name must be 1 to 200 characters", "choose another name")
    if connection.execute(select(members.c.id).where(members.c.name == name)).first():
        raise InputError(f"a member named {name!r} exists already", "choose another name")
    position = None
    if in_rotation:
        highest = connection.execute(select(func.max(members.c.rotation_position))).scalar()
        position = (highest or 0) + 1
    member_id = new_id(
        connection.execute(
            members.insert().values(
                name=name,
                founding=False,
                rotation_position=position,
                default_tlp=default_tlp.value,
                admitted_at=now(),
            )
        )
    )
    audit.append(
        connection,
        actor,
        "member.admit",
        object_type="member",
        object_id=member_id,
        detail={"name": name, "in_rotation": in_rotation},
    )
    return get_member(connection, name)
