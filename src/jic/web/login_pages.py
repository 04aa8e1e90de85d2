"""Sign-in and sign-out pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from jic.store import sessions as session_repo
from jic.store import users as user_repo
from jic.web import auth
from jic.web.deps import StoreDep, WhoDep
from jic.web.render import SECURITY_HEADERS, page

router = APIRouter(include_in_schema=False)


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
    try:
        with store.write() as connection:
            user = user_repo.check_password(connection, name.strip(), password)
            opened = session_repo.open_session(connection, user)
    except user_repo.LoginRefused as refused:
        # The refusal rolled that transaction back: record it in one of its own.
        with store.write() as connection:
            session_repo.note_refused(connection, name.strip())
        return _form(request, target, refused.message, status=401)
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
