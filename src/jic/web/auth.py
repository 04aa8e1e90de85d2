"""Sign-in for the web pages: the session cookie, CSRF checks, who is reading.

* The cookie ``jic_session`` holds the session token (``store/sessions.py``): HttpOnly,
  SameSite=Lax, Path=/, and Secure whenever the request came over https.
* Every state-changing request made with the cookie carries the session's CSRF token,
  in the form field ``csrf_token`` or the header ``X-CSRF-Token`` (htmx sends the
  header from ``<body hx-headers>``); the sign-in form, which has no session yet, uses a
  double-submit cookie instead. A request whose ``Origin`` names another host is refused
  as well.
* A page is read by the signed-in user, or by the holder of a bearer token (a header a
  foreign site cannot make a browser send, so it needs no CSRF token). Anyone else is
  sent to ``/login``.

The API calls :func:`bearer_token`, :func:`reader_from_cookie` and :func:`check_csrf`, so
a token or a cookie is read the same way by the pages and the API.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import Connection

from jic.errors import AccessError
from jic.settings import Settings
from jic.store import sessions as session_repo
from jic.store import users as user_repo
from jic.store.database import Store
from jic.store.sessions import WebSession
from jic.store.users import User
from jic.store.visibility import Reader

COOKIE = "jic_session"
LOGIN_CSRF_COOKIE = "jic_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SignInRequired(AccessError):
    """A page or action that needs a signed-in user, asked for without one."""

    code = "JIC-E631"
    http_status = 401


class CsrfRefused(AccessError):
    """A state-changing request without the session's CSRF token, or from another site."""

    code = "JIC-E632"
    http_status = 403


@dataclass(frozen=True, slots=True)
class PageUser:
    """Who reads a page: the user, their Reader, and the CSRF token for its forms
    (empty when the user came with a bearer token: no forms are checked then)."""

    user: User
    reader: Reader
    csrf: str
    session: WebSession | None

    @property
    def is_officer(self) -> bool:
        return self.user.role == "officer"


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def session_from_cookie(
    request: Request, connection: Connection, *, touch: bool = True
) -> WebSession | None:
    """The live session the request's cookie names, or None. With ``touch`` (and a
    write connection) its last use is noted, keeping it from idling out."""
    token = request.cookies.get(COOKIE, "")
    session = session_repo.lookup(connection, token) if token else None
    if session is not None and touch and session_repo.needs_touch(session):
        session_repo.touch(connection, session)
    return session


def reader_from_cookie(request: Request, store: Store) -> Reader | None:
    """The Reader of the signed-in user whose session cookie the request carries, or
    None when it carries none that is live (the session's last use is noted when due).
    Sets ``request.state.user`` and ``request.state.web_session``."""
    session = live_session(request, store)
    if session is None:
        return None
    return Reader(session.user.viewer, publish_clear=_settings(request).publish_clear)


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header, None without the header;
    any other scheme, or an empty token, is refused."""
    header = request.headers.get("authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise user_repo.TokenRefused(
            "only bearer tokens are accepted", "send Authorization: Bearer TOKEN"
        )
    return token.strip()


def check_csrf(request: Request, connection: Connection, presented: str | None = None) -> None:
    """Refuse (CsrfRefused, SignInRequired) a state-changing request made with the
    session cookie unless it carries the session's CSRF token (``presented``, else the
    ``X-CSRF-Token`` header) and comes from this site. Safe methods pass."""
    if request.method.upper() in SAFE_METHODS:
        return
    _same_origin(request)
    session = getattr(request.state, "web_session", None) or session_from_cookie(
        request, connection, touch=False
    )
    if session is None:
        raise SignInRequired("this needs a signed-in user", "sign in at /login")
    token = presented if presented is not None else request.headers.get(CSRF_HEADER)
    if not session_repo.csrf_matches(session, token):
        raise CsrfRefused(
            "the form's security token is missing or does not match your session",
            "reload the page and try again",
        )


def _same_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        # Browsers send Origin on every cross-site POST; "null" comes from sandboxed
        # frames and privacy modes, and the CSRF token still has to match.
        return
    host = request.headers.get("host", "")
    if urlsplit(origin).netloc.lower() != host.lower():
        raise CsrfRefused(f"a request from {origin} is not accepted here", "use this site's pages")


def page_user(request: Request, store: Store) -> PageUser:
    """Who reads this page; raises SignInRequired (the pages send that to /login)."""
    token = bearer_token(request)
    if token is not None:
        user = user_repo.authenticate_in(store, token)
        reader = Reader(user.viewer, publish_clear=_settings(request).publish_clear)
        return PageUser(user, reader, "", None)
    session = live_session(request, store)
    if session is None:
        raise SignInRequired("this page needs a signed-in user", "sign in at /login")
    reader = Reader(session.user.viewer, publish_clear=_settings(request).publish_clear)
    csrf = session_repo.csrf_token(request.cookies.get(COOKIE, ""))
    return PageUser(session.user, reader, csrf, session)


def live_session(request: Request, store: Store) -> WebSession | None:
    """The live session the request's cookie names, or None; sets
    ``request.state.user`` and ``request.state.web_session``. Most requests only read:
    the lookup is on a read connection, and a write is opened only when the session's
    last use is old enough to be worth noting."""
    if not request.cookies.get(COOKIE):
        return None
    with store.read() as connection:
        session = session_from_cookie(request, connection, touch=False)
    if session is None:
        return None
    if session_repo.needs_touch(session):
        with store.write() as connection:
            session_repo.touch(connection, session)
    request.state.user = session.user
    request.state.web_session = session
    return session


def require_form_csrf(request: Request, store: Store, who: PageUser, presented: str) -> None:
    """check_csrf for a page's form post (bearer-token callers need none)."""
    if who.session is None:
        return
    with store.read() as connection:
        check_csrf(request, connection, presented or None)


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(session_repo.DEFAULT_POLICY.lifetime.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https"
    )


def login_token(request: Request) -> str:
    """The double-submit token of the sign-in form: the one its cookie holds, or new."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)


def set_login_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def check_login_csrf(request: Request, presented: str) -> None:
    _same_origin(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, presented):
        raise CsrfRefused(
            "the sign-in form's security token is missing or stale",
            "reload the sign-in page and try again",
        )


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never ``//host``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(target, safe="")
