"""Situation reports: generate from what the user may see, preview, submit for the
chair's approval, approve (officers of the member chairing now), download as
Markdown, HTML or PDF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from jic.analyse import sitrep
from jic.center.rotation import NoChairError
from jic.store import members as member_repo
from jic.web import auth
from jic.web.deps import StoreDep, WhoDep
from jic.web.render import SECURITY_HEADERS, page

router = APIRouter(include_in_schema=False)

SitrepId = Annotated[int, Path(ge=1, le=2**63 - 1)]
DOWNLOADS = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


def _chair(store: StoreDep) -> str | None:
    with store.read() as connection:
        try:
            return member_repo.rotation(connection).term_at(datetime.now(UTC)).chair
        except NoChairError:
            return None


@router.get("/sitreps", response_class=HTMLResponse)
def sitreps(request: Request, store: StoreDep, who: WhoDep) -> HTMLResponse:
    with store.read() as connection:
        reports = sitrep.list_sitreps(connection, who.reader)
    return page(
        request,
        who,
        "sitreps.html",
        tlp=sitrep.most_restrictive([r.tlp.value for r in reports]),
        reports=reports,
        chair=_chair(store),
    )


@router.post("/sitreps")
def generate(
    request: Request,
    store: StoreDep,
    who: WhoDep,
    days: Annotated[int, Form(ge=1, le=366)] = 1,
    place: Annotated[str, Form(max_length=200)] = "",
    title: Annotated[str, Form(max_length=300)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    auth.require_form_csrf(request, store, who, csrf_token)
    until = datetime.now(UTC).replace(microsecond=0)
    with store.write() as connection:
        report = sitrep.build(
            connection,
            who.reader,
            since=until - timedelta(days=days),
            until=until,
            place=place.strip() or None,
            title=title.strip() or None,
        )
        saved = sitrep.save(connection, report, user=who.user)
    return _to(saved.id)


def _to(sitrep_id: int | None, done: str = "") -> Response:
    suffix = f"?done={done.replace(' ', '+')}" if done else ""
    return RedirectResponse(
        f"/sitreps/{sitrep_id}{suffix}", status_code=303, headers=SECURITY_HEADERS
    )


@router.get("/sitreps/{sitrep_id}", response_class=HTMLResponse)
def preview(
    request: Request, store: StoreDep, who: WhoDep, sitrep_id: SitrepId, done: str = ""
) -> HTMLResponse:
    with store.read() as connection:
        report = sitrep.get(connection, who.reader, sitrep_id)
    chair = _chair(store)
    return page(
        request,
        who,
        "sitrep.html",
        tlp=report.tlp,
        report=report,
        status_line=sitrep.status_line(report),
        titles={c.id: c.title for c in report.citations},
        may_submit=report.status == "draft" and report.member == who.user.member,
        may_approve=report.status == "submitted" and who.is_officer and who.user.member == chair,
        done=done,
    )


@router.post("/sitreps/{sitrep_id}/submit")
def submit(
    request: Request,
    store: StoreDep,
    who: WhoDep,
    sitrep_id: SitrepId,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    auth.require_form_csrf(request, store, who, csrf_token)
    with store.write() as connection:
        sitrep.submit(connection, who.user, sitrep_id)
    return _to(sitrep_id, "Submitted for the chair's approval")


@router.post("/sitreps/{sitrep_id}/approve")
def approve(
    request: Request,
    store: StoreDep,
    who: WhoDep,
    sitrep_id: SitrepId,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    auth.require_form_csrf(request, store, who, csrf_token)
    with store.write() as connection:
        sitrep.approve(connection, who.user, sitrep_id)
    return _to(sitrep_id, "Approved as a joint product of the center")


@router.get("/sitreps/{sitrep_id}/download.{fmt}")
def download(store: StoreDep, who: WhoDep, sitrep_id: SitrepId, fmt: str) -> Response:
    if fmt not in DOWNLOADS:
        from jic.errors import NotFoundError

        raise NotFoundError(f"no {fmt!r} download", "choose md, html or pdf")
    with store.read() as connection:
        report = sitrep.get(connection, who.reader, sitrep_id)
    if fmt == "md":
        body: bytes = sitrep.render_markdown(report).encode()
    elif fmt == "html":
        body = sitrep.render_html(report).encode()
    else:
        body = sitrep.render_pdf(report)
    name = f"sitrep-{sitrep_id}-TLP-{report.tlp.value.replace('+', '-')}.{fmt}"
    headers = {
        **SECURITY_HEADERS,
        "Content-Disposition": f'attachment; filename="{name}"',
    }
    return Response(body, media_type=DOWNLOADS[fmt], headers=headers)
