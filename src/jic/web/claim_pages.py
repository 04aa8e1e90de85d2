"""The claims board: propositions with their claims side by side by stance, the
independent-source counts, the grade and its explanation; officers set grades."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from jic.analyse import credibility, ledger
from jic.analyse.ledger import PropositionView
from jic.domain import TLP
from jic.store import documents as document_repo
from jic.store.visibility import Reader
from jic.web import auth
from jic.web.deps import StoreDep, WhoDep
from jic.web.render import SECURITY_HEADERS, page, strictest

router = APIRouter(include_in_schema=False)

SIDES = ("support", "deny", "hedge")
PAGE_SIZE = 30


def sides(view: PropositionView) -> dict[str, list[ledger.ClaimView]]:
    """The proposition's claims by side: support (asserts, confirms), deny, hedge."""
    found: dict[str, list[ledger.ClaimView]] = {side: [] for side in SIDES}
    for claim in view.claims:
        found["support" if claim.stance not in ("deny", "hedge") else claim.stance].append(claim)
    return found


def tlp_of(store: StoreDep, reader: Reader, views: list[PropositionView]) -> TLP:
    """The TLP of a page showing ``views``: the strictest among their documents."""
    ids = sorted({c.document_id for v in views for c in v.claims})
    if not ids:
        return TLP.CLEAR
    with store.read() as connection:
        return strictest(d.tlp for d in document_repo.get_many(connection, ids, reader))


@router.get("/claims", response_class=HTMLResponse)
def board(
    request: Request,
    store: StoreDep,
    who: WhoDep,
    disputed: Annotated[str, Query(pattern="^(|yes|no)$")] = "",
    entity: Annotated[str, Query(max_length=300)] = "",
    days: Annotated[str, Query(pattern="^(7|30|90|all)$")] = "all",
    page_number: Annotated[int, Query(alias="page", ge=1, le=500)] = 1,
) -> HTMLResponse:
    since = None if days == "all" else datetime.now(UTC) - timedelta(days=int(days))
    with store.read() as connection:
        views = ledger.propositions(
            connection,
            who.reader,
            since=since,
            disputed={"yes": True, "no": False}.get(disputed),
            entity=entity.strip() or None,
            limit=PAGE_SIZE,
            offset=(page_number - 1) * PAGE_SIZE,
        )
    return page(
        request,
        who,
        "claims.html",
        tlp=tlp_of(store, who.reader, views),
        propositions=[(view, sides(view)) for view in views],
        disputed=disputed,
        entity=entity,
        days=days,
        page_number=page_number,
        more=len(views) == PAGE_SIZE,
    )


PropositionId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/claims/{proposition_id}", response_class=HTMLResponse)
def proposition(
    request: Request, store: StoreDep, who: WhoDep, proposition_id: PropositionId, done: str = ""
) -> HTMLResponse:
    with store.read() as connection:
        view = ledger.proposition(connection, who.reader, proposition_id)
    return page(
        request,
        who,
        "proposition.html",
        tlp=tlp_of(store, who.reader, [view]),
        p=view,
        sides=sides(view),
        grades=list(credibility.LABELS.items()),
        done=done,
    )


@router.post("/claims/{proposition_id}/grade")
def set_grade(
    request: Request,
    store: StoreDep,
    who: WhoDep,
    proposition_id: PropositionId,
    grade: Annotated[str, Form(pattern="^[1-6]?$")] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    auth.require_form_csrf(request, store, who, csrf_token)
    with store.write() as connection:
        ledger.set_grade(
            connection, who.user, proposition_id, int(grade) if grade else None, note or None
        )
    done = f"Grade set to {grade}" if grade else "Manual grade cleared"
    return RedirectResponse(
        f"/claims/{proposition_id}?done={done.replace(' ', '+')}",
        status_code=303,
        headers=SECURITY_HEADERS,
    )
