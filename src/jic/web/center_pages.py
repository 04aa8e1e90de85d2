"""The center's pages: members and the chair's rotation, sources, the audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from jic.center.rotation import NoChairError
from jic.domain import TLP, Reliability
from jic.errors import AccessError
from jic.gather.sources import new_source
from jic.store import audit
from jic.store import feed_items as feed_item_repo
from jic.store import members as member_repo
from jic.store import sources as source_repo
from jic.web import auth
from jic.web.deps import StoreDep, WhoDep
from jic.web.render import SECURITY_HEADERS, page

router = APIRouter(include_in_schema=False)

CALENDAR_TERMS = 8


@router.get("/center", response_class=HTMLResponse)
def center(request: Request, store: StoreDep, who: WhoDep) -> HTMLResponse:
    now = datetime.now(UTC)
    with store.read() as connection:
        info = member_repo.center_info(connection)
        everyone = member_repo.list_members(connection)
        rotation = member_repo.rotation(connection)
    try:
        current = rotation.term_at(now).index
    except NoChairError:
        current = -1
    first = max(current, 0)
    terms = [rotation.term(first + n) for n in range(CALENDAR_TERMS)]
    return page(
        request,
        who,
        "center.html",
        tlp=TLP.GREEN,  # the center's own record: for its members, not the public
        info=info,
        members=everyone,
        terms=terms,
        current=current,
        now=now,
    )


@router.get("/sources", response_class=HTMLResponse)
def sources(
    request: Request, store: StoreDep, who: WhoDep, done: str = "", problem: str = ""
) -> HTMLResponse:
    with store.read() as connection:
        rows = source_repo.list_all(connection)
        owners = {m.id: m.name for m in member_repo.list_members(connection)}
        failures = {s.id: feed_item_repo.counts(connection, s.id) for s in rows}
    return page(
        request,
        who,
        "sources.html",
        tlp=TLP.GREEN,
        sources=rows,
        owners=owners,
        counts=failures,
        kinds=source_repo.KINDS,
        reliabilities=[r.value for r in Reliability],
        tlps=[t.value for t in TLP],
        done=done,
        problem=problem,
    )


@router.post("/sources")
def add_source(
    request: Request,
    store: StoreDep,
    who: WhoDep,
    url: Annotated[str, Form(max_length=2000)],
    kind: Annotated[str, Form(max_length=20)],
    name: Annotated[str, Form(max_length=200)] = "",
    reliability: Annotated[str, Form(max_length=1)] = "F",
    tlp: Annotated[str, Form(max_length=20)] = "",
    every: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    auth.require_form_csrf(request, store, who, csrf_token)
    if not who.is_officer:
        raise AccessError("adding a source is for officers", "ask an officer of your member")
    new = new_source(
        url.strip(),
        kind=kind,
        name=name.strip() or None,
        every=every.strip() or None,
        tlp=tlp or None,
        reliability=reliability or None,
    )
    with store.write() as connection:
        owner = member_repo.get_member(connection, who.user.member)
        added = source_repo.add(connection, new, owner=owner, actor=audit.Actor.of(who.user))
    return _back("/sources", f"Added source {added.name}")


@router.post("/sources/{name}/reliability")
def set_reliability(
    request: Request,
    store: StoreDep,
    who: WhoDep,
    name: str,
    reliability: Annotated[str, Form(max_length=1)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    auth.require_form_csrf(request, store, who, csrf_token)
    with store.write() as connection:
        source_repo.update(
            connection, name, actor=audit.Actor.of(who.user), user=who.user, reliability=reliability
        )
    return _back("/sources", f"Source {name} is now graded {reliability.upper()}")


def _back(path: str, done: str) -> Response:
    from urllib.parse import urlencode

    return RedirectResponse(
        f"{path}?{urlencode({'done': done})}", status_code=303, headers=SECURITY_HEADERS
    )


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, store: StoreDep, who: WhoDep) -> HTMLResponse:
    """Officers see their member's entries; the chair's officers see all (as ``jic
    audit log`` decides for ``--as``)."""
    if not who.is_officer:
        raise AccessError("the audit log is for officers", "ask an officer of your member")
    with store.read() as connection:
        try:
            chair = member_repo.rotation(connection).term_at(datetime.now(UTC)).chair
        except NoChairError:
            chair = None
        member = None if who.user.member == chair else who.user.member
        entries = audit.entries(connection, member=member, limit=300)
        verified = audit.verify(connection)
    return page(
        request,
        who,
        "audit.html",
        # Entries name users, members and the titles of restricted products: the log
        # does not leave the center.
        tlp=TLP.AMBER_STRICT,
        entries=entries,
        everyone=member is None,
        verified=verified,
    )
