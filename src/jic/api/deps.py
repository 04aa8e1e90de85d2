"""What every route depends on: the store, the settings, who is asking, write limits.

FastAPI resolves these per request, so tests can override any of them. Who is
asking: the user behind an ``Authorization: Bearer`` token; without a token, the
user of the web session cookie (``jic.web.auth``, with its CSRF check on unsafe
methods); without either, the public, which reads TLP:CLEAR only and only when the
center publishes it (``JIC_PUBLISH_CLEAR``), and otherwise gets 401.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from jic.api.errors import RateLimited, SignedInOnly
from jic.center.policy import Viewer
from jic.settings import Settings
from jic.store import users as user_repo
from jic.store.database import Store
from jic.store.users import TokenRefused, User
from jic.store.visibility import Reader


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is asking: the reader the policy sees, the user (None for the public), and
    the key their writes are counted under (one per token or session)."""

    reader: Reader
    user: User | None = None
    key: str | None = None


def _cookie_caller(request: Request, store: Store) -> Caller | None:
    """The web session's user, when the request carries a live session cookie; unsafe
    methods must also carry the session's CSRF token and come from this site."""
    from jic.web import auth as web_auth  # the web face owns sessions

    reader = web_auth.reader_from_cookie(request, store)
    if reader is None:
        return None
    if request.method.upper() not in web_auth.SAFE_METHODS:
        with store.read() as connection:
            web_auth.check_csrf(request, connection)
    user: User = request.state.user
    session = request.cookies[web_auth.COOKIE]
    return Caller(reader, user, "session:" + hashlib.sha256(session.encode()).hexdigest()[:16])


def get_caller(request: Request, store: StoreDep, settings: SettingsDep) -> Caller:
    from jic.web import auth as web_auth

    token = web_auth.bearer_token(request)
    if token is None:
        from_cookie = _cookie_caller(request, store)
        if from_cookie is not None:
            return from_cookie
        if settings.publish_clear:
            return Caller(Reader(Viewer.public(), publish_clear=True))
        raise TokenRefused(
            "this center needs a token", "send Authorization: Bearer TOKEN (jic tokens create)"
        )
    user = user_repo.authenticate_in(store, token)
    request.state.user = user
    key = "token:" + hashlib.sha256(token.encode()).hexdigest()[:16]
    return Caller(Reader(user.viewer, publish_clear=settings.publish_clear), user, key)


CallerDep = Annotated[Caller, Depends(get_caller)]


def get_reader(caller: CallerDep) -> Reader:
    return caller.reader


ReaderDep = Annotated[Reader, Depends(get_reader)]


def get_user(caller: CallerDep) -> User:
    """The signed-in user; the public is refused."""
    if caller.user is None:
        raise SignedInOnly("this needs a signed-in user", "send Authorization: Bearer TOKEN")
    return caller.user


UserDep = Annotated[User, Depends(get_user)]


@dataclass(slots=True)
class WriteLimit:
    """A token bucket per token: ``burst`` writes at once, refilled at ``per_minute``."""

    per_minute: float = 60.0
    burst: int = 20
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, key: str, now: float | None = None) -> None:
        """Count one write under ``key``; raises RateLimited when the bucket is empty."""
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60.0
        with self._lock:
            tokens, then = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                wait = max(1, math.ceil((1.0 - tokens) / rate))
                raise RateLimited(
                    f"too many writes with this token: {self.per_minute:g} a minute",
                    f"wait {wait} s",
                    retry_after=wait,
                )
            self._buckets[key] = (tokens - 1.0, now)


def limit_writes(request: Request, caller: CallerDep) -> Caller:
    """A dependency for write routes: counts the write against the caller's token."""
    limit: WriteLimit = request.app.state.write_limit
    if caller.key is not None:
        limit.take(caller.key)
    return caller


WriterDep = Annotated[Caller, Depends(limit_writes)]
