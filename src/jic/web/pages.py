"""Server-rendered pages (Jinja2, no JavaScript needed): home with search, a document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from jic.analyse import search as search_view
from jic.errors import JicError
from jic.store import documents as document_repo
from jic.store.database import Store

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def add_pages(app: FastAPI) -> None:
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(
        store: Annotated[Store, Depends(_store)],
        q: Annotated[str, Query(max_length=1000)] = "",
    ) -> str:
        with store.read() as connection:
            counts = document_repo.status(connection)
        result, problem = None, None
        if q.strip():
            try:
                result = search_view.search(store, q, limit=25)
            except JicError as error:
                problem = error.one_line()
        hits = [search_view.hit_record(hit) for hit in result.hits] if result else []
        return _templates.get_template("home.html").render(
            q=q, counts=counts, result=result, hits=hits, problem=problem
        )

    @app.get("/documents/{document_id}", response_class=HTMLResponse, include_in_schema=False)
    def document(store: Annotated[Store, Depends(_store)], document_id: int) -> str:
        with store.read() as connection:
            doc = document_repo.get(connection, document_id)
        return _templates.get_template("document.html").render(doc=doc, link=web_link(doc.url))


def web_link(url: str | None) -> str | None:
    """``url`` if it is safe to put in an href: http(s) only, so a stored
    ``javascript:`` or ``data:`` address is shown as text and never runs."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None
