"""Web sessions: sign-in with a password, the session behind a browser cookie, sign-out.

A session token is random (as an API token, 320 bits) and the store keeps only its
SHA-256 (``token_hash``), so a copy of the database signs nobody in. Each session has
a CSRF token *derived* from the session token (HMAC-SHA256 keyed by the session token),
so the server can put it in every form without storing it in clear; ``csrf_hash`` is
its SHA-256, checked against what a form or header presents.

A session ends at the first of: sign-out (``revoked_at``), its absolute lifetime
(``expires_at``), ``idle`` time without a request (``last_seen_at``), or its user
being disabled. Passwords are checked by ``users.check_password``; sign-ins, refused
sign-ins and sign-outs are written to the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, select

from jic.center.secrets import hash_token, new_token
from jic.store import audit
from jic.store.database import new_id
from jic.store.schema import users, web_sessions
from jic.store.times import maybe_utc, now
from jic.store.users import User, get_user


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """How long a web session lasts: at most ``lifetime`` after sign-in, and ends after
    ``idle`` without a request. ``touch_every`` limits writes of ``last_seen_at``."""

    lifetime: timedelta = timedelta(hours=12)
    idle: timedelta = timedelta(hours=2)
    touch_every: timedelta = timedelta(minutes=1)


DEFAULT_POLICY = SessionPolicy()


@dataclass(frozen=True, slots=True)
class WebSession:
    id: int
    user: User
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime | None
    csrf_hash: str


@dataclass(frozen=True, slots=True)
class Opened:
    """A new session: ``token`` goes into the cookie (shown nowhere else)."""

    token: str
    session: WebSession

    def __repr__(self) -> str:
        return f"Opened(session={self.session.id})"


def csrf_token(session_token: str) -> str:
    """The CSRF token of the session whose cookie holds ``session_token``."""
    return hmac.new(session_token.encode(), b"jic csrf", hashlib.sha256).hexdigest()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def note_refused(connection: Connection, name: str) -> None:
    """Write a refused sign-in (``users.check_password`` said no) to the audit log."""
    audit.append(
        connection,
        audit.Actor(),
        "session.refused",
        object_type="user",
        detail={"name": name[:200]},
    )


def open_session(
    connection: Connection, user: User, policy: SessionPolicy = DEFAULT_POLICY
) -> Opened:
    """Start a session for ``user``, whose password ``users.check_password`` checked."""
    token = new_token().plaintext
    at = now()
    session_id = new_id(
        connection.execute(
            web_sessions.insert().values(
                token_hash=hash_token(token),
                csrf_hash=_sha256(csrf_token(token)),
                user_id=user.id,
                created_at=at,
                expires_at=at + policy.lifetime,
                last_seen_at=at,
            )
        )
    )
    audit.append(
        connection,
        audit.Actor.of(user),
        "session.open",
        object_type="user",
        object_id=user.id,
        detail={"session": session_id},
    )
    session = lookup(connection, token, policy)
    assert session is not None  # just written
    return Opened(token, session)


def lookup(
    connection: Connection, token: str, policy: SessionPolicy = DEFAULT_POLICY
) -> WebSession | None:
    """The live session behind ``token``, or None (unknown, signed out, expired, idle
    too long, or its user disabled)."""
    if not token:
        return None
    row = connection.execute(
        select(web_sessions).where(web_sessions.c.token_hash == hash_token(token))
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    at = now()
    expires = maybe_utc(row.expires_at)
    seen = maybe_utc(row.last_seen_at) or maybe_utc(row.created_at)
    if expires is None or expires <= at or seen is None or seen + policy.idle <= at:
        return None
    user = _user_by_id(connection, row.user_id)
    if user is None or user.disabled:
        return None
    return WebSession(row.id, user, maybe_utc(row.created_at) or at, expires, seen, row.csrf_hash)


def _user_by_id(connection: Connection, user_id: int) -> User | None:
    name = connection.execute(select(users.c.name).where(users.c.id == user_id)).scalar()
    return get_user(connection, name) if name is not None else None


def needs_touch(session: WebSession, policy: SessionPolicy = DEFAULT_POLICY) -> bool:
    """Whether ``last_seen_at`` is old enough to be worth a write."""
    return session.last_seen_at is None or session.last_seen_at + policy.touch_every <= now()


def touch(connection: Connection, session: WebSession) -> None:
    """Note that the session was used now (keeps it from idling out)."""
    connection.execute(
        web_sessions.update().where(web_sessions.c.id == session.id).values(last_seen_at=now())
    )


def csrf_matches(session: WebSession, presented: str | None) -> bool:
    """Whether ``presented`` is the session's CSRF token (compared in constant time)."""
    if not presented:
        return False
    return hmac.compare_digest(_sha256(presented.strip()), session.csrf_hash)


def revoke(connection: Connection, session: WebSession) -> None:
    """Sign out: the session's cookie no longer signs anyone in."""
    connection.execute(
        web_sessions.update()
        .where(web_sessions.c.id == session.id, web_sessions.c.revoked_at.is_(None))
        .values(revoked_at=now())
    )
    audit.append(
        connection,
        audit.Actor.of(session.user),
        "session.close",
        object_type="user",
        object_id=session.user.id,
        detail={"session": session.id},
    )


def revoke_all(connection: Connection, user: User, *, actor: audit.Actor) -> int:
    """End every open session of ``user`` (after a password change, say); how many."""
    result = connection.execute(
        web_sessions.update()
        .where(web_sessions.c.user_id == user.id, web_sessions.c.revoked_at.is_(None))
        .values(revoked_at=now())
    )
    audit.append(
        connection,
        actor,
        "session.revoke_all",
        object_type="user",
        object_id=user.id,
        detail={"sessions": result.rowcount},
    )
    return int(result.rowcount)
