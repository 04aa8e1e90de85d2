"""Sign-in and sign-out pages."""

from __future__ import annotations

import math
import threading
import time
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from jic.store import sessions as session_repo
from jic.store import users as user_repo
from jic.web import auth
from jic.web.deps import StoreDep, WhoDep
from jic.web.render import SECURITY_HEADERS, page

router = APIRouter(include_in_schema=False)

# After this many refused sign-ins for one name from one address within the window,
# that pair waits for the window to pass: guessing costs time, and nobody can lock a
# user out from somewhere else.
MAX_REFUSALS = 5
WINDOW_SECONDS = 15 * 60


class LoginThrottle:
    """Refused sign-ins per (name, client address), kept in this process's memory."""

    def __init__(self, limit: int = MAX_REFUSALS, window: float = WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window = window
        self._refused: dict[tuple[str, str], list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], at: float) -> list[float]:
        times = [t for t in self._refused.get(key, []) if at - t < self.window]
        if times:
            self._refused[key] = times
        else:
            self._refused.pop(key, None)
        return times

    def wait(self, key: tuple[str, str], at: float) -> int:
        """Seconds until this pair may try again (0: now)."""
        with self._lock:
            times = self._recent(key, at)
            if len(times) < self.limit:
                return 0
            return max(1, math.ceil(times[-self.limit] + self.window - at))

    def refused(self, key: tuple[str, str], at: float) -> None:
        with self._lock:
            self._recent(key, at)
            self._refused.setdefault(key, []).append(at)
            if len(self._refused) > 100_000:  # bounded memory under a spray of names
                self._refused.pop(next(iter(self._refused)))

    def succeeded(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._refused.pop(key, None)


def _throttle(request: Request) -> LoginThrottle:
    state = request.app.state
    if not hasattr(state, "login_throttle"):
        state.login_throttle = LoginThrottle()
    throttle: LoginThrottle = state.login_throttle
    return throttle


def _form(request: Request, target: str, problem: str | None, status: int = 200) -> HTMLResponse:
    token = auth.login_token(request)
    response = page(
        request, None, "login.html", next=target, problem=problem, login_token=token, status=status
    )
    auth.set_login_cookie(request, response, token)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, next: Annotated[str, Query(max_length=2000)] = "/"
) -> HTMLResponse:
    return _form(request, auth.safe_next(next), None)


@router.post("/login")
def login(
    request: Request,
    store: StoreDep,
    name: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    auth.check_login_csrf(request, csrf_token)
    target = auth.safe_next(next)
    throttle = _throttle(request)
    key = (name.strip().lower(), request.client.host if request.client else "")
    wait = throttle.wait(key, time.monotonic())
    if wait:
        minutes = math.ceil(wait / 60)
        problem = f"too many refused sign-ins: try again in {minutes} minute(s)"
        held = _form(request, target, problem, status=429)
        held.headers["Retry-After"] = str(wait)
        return held
    try:
        with store.write() as connection:
            user = user_repo.check_password(connection, name.strip(), password)
            opened = session_repo.open_session(connection, user)
    except user_repo.LoginRefused as refused:
        # The refusal rolled that transaction back: record it in one of its own.
        with store.write() as connection:
            session_repo.note_refused(connection, name.strip())
        throttle.refused(key, time.monotonic())
        return _form(request, target, refused.message, status=401)
    throttle.succeeded(key)
    response = RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)
    auth.set_session_cookie(request, response, opened.token)
    response.delete_cookie(auth.LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(
    request: Request,
    store: StoreDep,
    who: WhoDep,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    auth.require_form_csrf(request, store, who, csrf_token)
    if who.session is not None:
        with store.write() as connection:
            session_repo.revoke(connection, who.session)
    response = RedirectResponse("/login", status_code=303, headers=SECURITY_HEADERS)
    auth.clear_session_cookie(request, response)
    return response
