"""The web workbench: server-rendered pages (Jinja2 + htmx) over the library.

``add_pages`` mounts the vendored and own static files, the sign-in pages, the
reading pages and the center's pages. Every page needs a signed-in user (or a bearer
token) and reads through that user's Reader. Errors on pages are pages: a missing
sign-in sends the browser to ``/login``; any other JicError renders with its code,
message and hint; under ``/api/`` the API's JSON envelope is kept.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from jic.errors import JicError
from jic.web import auth, center_pages, claim_pages, login_pages, read_pages, sitrep_pages
from jic.web.read_pages import web_link
from jic.web.render import page

STATIC = Path(__file__).parent / "static"

__all__ = ["add_pages", "web_link"]


def add_pages(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(login_pages.router)
    app.include_router(read_pages.router)
    app.include_router(claim_pages.router)
    app.include_router(sitrep_pages.router)
    app.include_router(center_pages.router)
    _page_errors(app)


def _page_errors(app: FastAPI) -> None:
    api_handler = app.exception_handlers.get(JicError)

    async def jic_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, JicError)
        if request.url.path.startswith("/api/") and api_handler is not None:
            answer = api_handler(request, error)
            return await answer if inspect.isawaitable(answer) else answer
        if isinstance(error, auth.SignInRequired) and request.method in auth.SAFE_METHODS:
            return RedirectResponse(auth.login_url(request), status_code=303)
        return page(request, None, "error.html", status=error.http_status, error=error)

    app.add_exception_handler(JicError, jic_error)
