"""Situation reports: generate and save a draft, read, submit for approval, approve
as the chair's officer (a joint product), and download as Markdown, HTML or PDF.

A report is built from what its author may see and read back only by those who may
see everything it cites (the library and the store decide; see analyse/sitrep.py).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from jic.analyse import sitrep
from jic.api import sitrep_models as sm
from jic.api.deps import ReaderDep, StoreDep, UserDep, WriterDep
from jic.api.errors import responses
from jic.api.paging import CursorQuery, LimitQuery, page_of, position
from jic.api.routes.views import as_utc

router = APIRouter(prefix="/api/v1", tags=["sitreps"])
ONE = responses(401, 404, 422)
MOVE = responses(401, 403, 404, 409, 422, 429)


def _out(report: sitrep.Sitrep) -> sm.Sitrep:
    return sm.Sitrep.model_validate(report.record())


@router.get("/sitreps", response_model=sm.SitrepPage, responses=responses(401, 422))
def sitreps(
    store: StoreDep,
    reader: ReaderDep,
    status: Annotated[str | None, Query(pattern="^(draft|submitted|approved)$")] = None,
    limit: LimitQuery = 20,
    cursor: CursorQuery = None,
) -> sm.SitrepPage:
    """Saved reports you may read, newest first."""
    at = position("sitreps", status, cursor)
    with store.read() as connection:
        found = sitrep.list_sitreps(connection, reader, status=status, limit=at.offset + limit + 1)
    items, following = page_of(found, at, limit)
    return sm.SitrepPage(items=[_out(r) for r in items], next=following)


@router.post("/sitreps", status_code=201, response_model=sm.Sitrep, responses=MOVE)
def create(store: StoreDep, user: UserDep, writer: WriterDep, body: sm.SitrepIn) -> sm.Sitrep:
    """Generate a report from what you may see and save it as your member's draft."""
    since, until = as_utc(body.since), as_utc(body.until)
    assert since is not None
    with store.read() as connection:
        built = sitrep.build(
            connection, writer.reader, since=since, until=until, place=body.place, title=body.title
        )
    with store.write() as connection:
        return _out(sitrep.save(connection, built, user=user))


@router.get("/sitreps/{sitrep_id}", response_model=sm.Sitrep, responses=ONE)
def one(store: StoreDep, reader: ReaderDep, sitrep_id: int) -> sm.Sitrep:
    with store.read() as connection:
        return _out(sitrep.get(connection, reader, sitrep_id))


@router.post("/sitreps/{sitrep_id}/submit", response_model=sm.Sitrep, responses=MOVE)
def submit(store: StoreDep, user: UserDep, _writer: WriterDep, sitrep_id: int) -> sm.Sitrep:
    """Submit your member's draft for the chair's approval."""
    with store.write() as connection:
        return _out(sitrep.submit(connection, user, sitrep_id))


@router.post("/sitreps/{sitrep_id}/approve", response_model=sm.Sitrep, responses=MOVE)
def approve(store: StoreDep, user: UserDep, _writer: WriterDep, sitrep_id: int) -> sm.Sitrep:
    """Approve a submitted report as a joint product: for officers of the member
    chairing now, who may read everything it cites."""
    with store.write() as connection:
        return _out(sitrep.approve(connection, user, sitrep_id))


ENVELOPE = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}


def _rendered(media: str, schema: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    """A rendering's answers: the document in ``media``; errors in the JSON envelope
    (stated here, since FastAPI would give them the rendering's media type)."""
    errors = {
        status: {"description": entry["description"], "content": ENVELOPE}
        for status, entry in ONE.items()
    }
    return {**errors, 200: {"description": "The report", "content": {media: schema}}}


@router.get(
    "/sitreps/{sitrep_id}/markdown",
    response_class=Response,
    responses=_rendered("text/markdown", {"schema": {"type": "string"}}),
)
def markdown(store: StoreDep, reader: ReaderDep, sitrep_id: int) -> Response:
    with store.read() as connection:
        report = sitrep.get(connection, reader, sitrep_id)
    return Response(sitrep.render_markdown(report), media_type="text/markdown; charset=utf-8")


@router.get(
    "/sitreps/{sitrep_id}/html",
    response_class=Response,
    responses=_rendered("text/html", {"schema": {"type": "string"}}),
)
def html(store: StoreDep, reader: ReaderDep, sitrep_id: int) -> Response:
    with store.read() as connection:
        report = sitrep.get(connection, reader, sitrep_id)
    return HTMLResponse(sitrep.render_html(report))


@router.get(
    "/sitreps/{sitrep_id}/pdf",
    response_class=Response,
    responses=_rendered("application/pdf", {}),
)
def pdf(store: StoreDep, reader: ReaderDep, sitrep_id: int) -> Response:
    with store.read() as connection:
        report = sitrep.get(connection, reader, sitrep_id)
    name = f"sitrep-{sitrep_id}.pdf"
    return Response(
        sitrep.render_pdf(report),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
