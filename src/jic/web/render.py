"""Rendering pages: the Jinja environment, the page's TLP, and the headers every page
carries (a Content-Security-Policy that allows this site's own scripts only)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from jic.domain import TLP
from jic.store.times import iso
from jic.web.auth import CSRF_FIELD, PageUser

TEMPLATES = Path(__file__).parent / "templates"

# Pages run this site's scripts only (no inline script); data for scripts travels in
# <script type="application/json">, which is never executed. Leaflet and Cytoscape
# position their elements with inline styles, hence 'unsafe-inline' for styles only.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def _when(value: datetime | str | None, length: int = 16) -> str:
    """A time as the pages show it: ISO, UTC, to the minute (``length`` 10: the day)."""
    if value is None:
        return "—"
    text = iso(value) if isinstance(value, datetime) else str(value)
    return text[:length].replace("T", " ")


def _json_script(value: Any) -> Markup:
    """``value`` as JSON safe inside <script type="application/json">."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # escaped above for a script element


environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters["when"] = _when
environment.filters["json_script"] = _json_script


def strictest(levels: Iterable[TLP | str]) -> TLP:
    """The most restrictive TLP among ``levels`` (CLEAR when there are none): the TLP
    of a page that shows them together."""
    ranked = [level if isinstance(level, TLP) else TLP.parse(level) for level in levels]
    return max(ranked, key=lambda level: level.rank, default=TLP.CLEAR)


def page(
    request: Request,
    who: PageUser | None,
    template: str,
    *,
    tlp: TLP | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` for ``who``; ``tlp`` is the TLP of what the page shows."""
    body = environment.get_template(template).render(
        request=request,
        who=who,
        csrf_field=CSRF_FIELD,
        page_tlp=(tlp or TLP.CLEAR).value,
        path=request.url.path,
        **context,
    )
    return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)
