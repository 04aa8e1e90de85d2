"""Users and their API tokens.

A user belongs to one member and has a role (analyst, officer, admin). Tokens are
random, shown once, and stored as a SHA-256 hash with a short public prefix; a token
that is revoked, expired, or whose user is disabled authenticates nobody.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, select

from jic.center.policy import ROLES, Viewer
from jic.center.secrets import (
    hash_password,
    hash_token,
    needs_rehash,
    new_token,
    verify_password,
)
from jic.errors import AccessError, InputError, NotFoundError
from jic.store import audit
from jic.store.database import Store, new_id
from jic.store.members import Member, member_by_id
from jic.store.schema import api_tokens, members, users
from jic.store.times import maybe_utc, now


class TokenRefused(AccessError):
    code = "JIC-E601"
    http_status = 401


@dataclass(slots=True)
class User:
    id: int
    name: str
    member_id: int
    member: str
    role: str
    disabled: bool

    @property
    def viewer(self) -> Viewer:
        return Viewer(user_id=self.id, member_id=self.member_id, role=self.role)


@dataclass(slots=True)
class TokenInfo:
    id: int
    user: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


def _user(row: Row[Any]) -> User:
    return User(row.id, row.name, row.member_id, row.member_name, row.role, row.disabled)


def _select() -> Any:
    return select(users, members.c.name.label("member_name")).join(
        members, members.c.id == users.c.member_id
    )


def add_user(
    connection: Connection,
    name: str,
    *,
    member: Member,
    role: str,
    actor: audit.Actor,
    password: str | None = None,
) -> User:
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}", f"use one of {', '.join(ROLES)}")
    if not name.strip() or len(name) > 200:
        raise InputError("a user name must be 1 to 200 characters", "choose another name")
    if connection.execute(select(users.c.id).where(users.c.name == name)).first():
        raise InputError(f"a user named {name!r} exists already", "choose another name")
    user_id = new_id(
        connection.execute(
            users.insert().values(
                member_id=member.id,
                name=name,
                role=role,
                password_hash=hash_password(password) if password else None,
                disabled=False,
                created_at=now(),
            )
        )
    )
    audit.append(
        connection,
        actor,
        "user.add",
        object_type="user",
        object_id=user_id,
        detail={"name": name, "member": member.name, "role": role},
    )
    return get_user(connection, name)


def get_user(connection: Connection, name: str) -> User:
    row = connection.execute(_select().where(users.c.name == name)).first()
    if row is None:
        raise NotFoundError(f"no user named {name!r}", "list them with `jic users list`")
    return _user(row)


def list_users(connection: Connection, member_id: int | None = None) -> list[User]:
    query = _select().order_by(users.c.name)
    if member_id is not None:
        query = query.where(users.c.member_id == member_id)
    return [_user(row) for row in connection.execute(query)]


def disable_user(connection: Connection, name: str, *, actor: audit.Actor) -> User:
    user = get_user(connection, name)
    connection.execute(users.update().where(users.c.id == user.id).values(disabled=True))
    audit.append(
        connection,
        actor,
        "user.disable",
        object_type="user",
        object_id=user.id,
        detail={"name": name},
    )
    return get_user(connection, name)


def create_token(
    connection: Connection,
    user: User,
    *,
    name: str,
    expires_at: datetime | None,
    actor: audit.Actor,
) -> tuple[str, TokenInfo]:
    """A new token for ``user``: the plaintext (shown once) and what is stored."""
    if expires_at is not None and expires_at <= now():
        raise InputError("the expiry is in the past", "give a future date or none")
    token = new_token()
    token_id = new_id(
        connection.execute(
            api_tokens.insert().values(
                user_id=user.id,
                name=name,
                token_hash=token.hash,
                prefix=token.prefix,
                created_at=now(),
                expires_at=expires_at,
            )
        )
    )
    audit.append(
        connection,
        actor,
        "token.create",
        object_type="token",
        object_id=token_id,
        detail={
            "user": user.name,
            "name": name,
            "prefix": token.prefix,
            "expires": expires_at.isoformat() if expires_at else None,
        },
    )
    return token.plaintext, _token_info(connection, token_id)


def _token_info(connection: Connection, token_id: int) -> TokenInfo:
    row = connection.execute(
        select(api_tokens, users.c.name.label("user_name"))
        .join(users, users.c.id == api_tokens.c.user_id)
        .where(api_tokens.c.id == token_id)
    ).one()
    return TokenInfo(
        row.id,
        row.user_name,
        row.name,
        row.prefix,
        maybe_utc(row.created_at) or now(),
        maybe_utc(row.expires_at),
        maybe_utc(row.revoked_at),
        maybe_utc(row.last_used_at),
    )


def list_tokens(connection: Connection, user: User | None = None) -> list[TokenInfo]:
    query = select(api_tokens.c.id).order_by(api_tokens.c.id)
    if user is not None:
        query = query.where(api_tokens.c.user_id == user.id)
    return [_token_info(connection, token_id) for token_id in connection.execute(query).scalars()]


def revoke_token(connection: Connection, prefix: str, *, actor: audit.Actor) -> TokenInfo:
    row = connection.execute(select(api_tokens.c.id).where(api_tokens.c.prefix == prefix)).first()
    if row is None:
        raise NotFoundError(f"no token starting {prefix!r}", "list them with `jic tokens list`")
    connection.execute(
        api_tokens.update().where(api_tokens.c.id == row.id).values(revoked_at=now())
    )
    audit.append(
        connection,
        actor,
        "token.revoke",
        object_type="token",
        object_id=row.id,
        detail={"prefix": prefix},
    )
    return _token_info(connection, row.id)


def authenticate(connection: Connection, token: str) -> User:
    """The user a bearer token stands for; raises TokenRefused (never says which part
    was wrong beyond what the holder of the token may know). Notes the token's use."""
    user, due = _check_token(connection, token)
    if due is not None:
        _touch_token(connection, due)
    return user


def authenticate_in(store: Store, token: str) -> User:
    """``authenticate`` for one request: the token is checked on a read connection, and
    a write transaction is opened only when its last use is due to be noted, so that
    requests do not queue for the write lock (SQLite) to read."""
    with store.read() as connection:
        user, due = _check_token(connection, token)
    if due is not None:
        with store.write() as connection:
            _touch_token(connection, due)
    return user


def _check_token(connection: Connection, token: str) -> tuple[User, int | None]:
    """The token's user, and the token's id when its last use should be noted now."""
    row = connection.execute(
        select(api_tokens).where(api_tokens.c.token_hash == hash_token(token))
    ).first()
    at = now()
    if row is None:
        raise TokenRefused("the token is not valid", "create one with `jic tokens create`")
    if row.revoked_at is not None:
        raise TokenRefused("the token was revoked", "ask an officer for a new one")
    expires = maybe_utc(row.expires_at)
    if expires is not None and expires <= at:
        raise TokenRefused("the token has expired", "ask an officer for a new one")
    user_row = connection.execute(_select().where(users.c.id == row.user_id)).one()
    user = _user(user_row)
    if user.disabled:
        raise TokenRefused("the token's user is disabled", "ask an officer of your member")
    used = maybe_utc(row.last_used_at)
    # Noted at most once a minute (as web sessions note theirs), so that a burst of
    # reads with one token is not a burst of writes.
    due = used is None or used + TOKEN_TOUCH_EVERY <= at
    return user, (row.id if due else None)


def _touch_token(connection: Connection, token_id: int) -> None:
    connection.execute(
        api_tokens.update().where(api_tokens.c.id == token_id).values(last_used_at=now())
    )


TOKEN_TOUCH_EVERY = timedelta(minutes=1)  # how often a token's last_used_at is written


MIN_PASSWORD = 12


# Checked against when the user name is unknown, so that a wrong name costs as long as
# a wrong password and the answer's timing does not tell which names exist.
@functools.cache
def _dummy_hash() -> str:
    return hash_password("not a password of anyone's")


class LoginRefused(AccessError):
    code = "JIC-E602"
    http_status = 401


def set_password(connection: Connection, name: str, password: str, *, actor: audit.Actor) -> User:
    """Set a user's password for signing in to the web UI (stored as a scrypt hash)."""
    if len(password) < MIN_PASSWORD:
        raise InputError(
            f"a password needs at least {MIN_PASSWORD} characters", "choose a longer one"
        )
    if len(password) > 1024:
        raise InputError("a password is at most 1024 characters", "choose a shorter one")
    user = get_user(connection, name)
    connection.execute(
        users.update().where(users.c.id == user.id).values(password_hash=hash_password(password))
    )
    audit.append(
        connection, actor, "user.password", object_type="user", object_id=user.id,
        detail={"name": name},
    )  # fmt: skip
    return user


def check_password(connection: Connection, name: str, password: str) -> User:
    """The user whose name and password these are; LoginRefused otherwise, with one
    message for every reason a stranger may not learn (unknown name, wrong password,
    no password set). A disabled user is told so only after the password matched."""
    row = connection.execute(
        select(users.c.name, users.c.password_hash).where(users.c.name == name)
    ).first()
    stored = row.password_hash if row is not None and row.password_hash else None
    matches = verify_password(password, stored or _dummy_hash()) and stored is not None
    if not matches or stored is None:
        raise LoginRefused("the user name or password is wrong", "try again, or ask an officer")
    user = get_user(connection, name)
    if user.disabled:
        raise LoginRefused("this user is disabled", "ask an officer of your member")
    if needs_rehash(stored):
        connection.execute(
            users.update()
            .where(users.c.id == user.id)
            .values(password_hash=hash_password(password))
        )
    return user


def member_of(connection: Connection, user: User) -> Member:
    return member_by_id(connection, user.member_id)
