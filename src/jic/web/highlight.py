"""A document's clean text as HTML with what processing found marked in place.

Spans are character offsets into the clean text (as every stage stores them). Spans
may nest or overlap (a place inside a claim's content, an entity inside a place); the
text is cut at every span boundary and each piece is wrapped in the marks that cover
it, innermost last, so the result is always well-formed. The text is escaped; only
the marks are markup.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

KINDS = ("claim", "event", "entity", "place", "date")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    kind: str  # one of KINDS
    title: str  # shown on hover and read by screen readers
    href: str | None = None


def spans_of(record: Mapping[str, Any]) -> list[Span]:
    """The spans to mark in an exported document record (``interop.export``)."""
    spans: list[Span] = []
    for claim in record.get("claims", []):
        content = claim.get("content")
        if content:
            who = (claim.get("claimant") or {}).get("text") or "unattributed"
            title = f"claim ({claim['stance']}) by {who}: {claim['cue']['text']}"
            spans.append(Span(content["start"], content["end"], "claim", title))
    for event in record.get("events", []):
        trigger = event["trigger"]
        spans.append(Span(trigger["start"], trigger["end"], "event", f"event: {event['type']}"))
    for entity in record.get("entities", []):
        href = "/entities/" + quote(str(entity["id"]), safe="")
        for mention in entity.get("mentions", []):
            title = f"{entity['type']}: {entity['name']}"
            spans.append(Span(mention["start"], mention["end"], "entity", title, href))
    for place in record.get("places", []):
        key = place.get("geonames_id") or place["name"]
        for mention in place.get("mentions", []):
            title = f"place: {place['name']} ({place.get('country') or '?'})"
            href = "/places/" + quote(str(key), safe="")
            spans.append(Span(mention["start"], mention["end"], "place", title, href))
    for found in record.get("dates", []):
        title = f"date: {found.get('date') or '?'}"
        spans.append(Span(found["start"], found["end"], "date", title))
    return spans


def _open(span: Span) -> str:
    title = html.escape(span.title, quote=True)
    if span.href:
        href = html.escape(span.href, quote=True)
        return f'<a class="hl hl-{span.kind}" href="{href}" title="{title}">'
    return f'<mark class="hl hl-{span.kind}" title="{title}">'


def _close(span: Span) -> str:
    return "</a>" if span.href else "</mark>"


def highlight(text: str, spans: Iterable[Span]) -> Markup:
    """``text`` escaped, with each span wrapped in its mark (see the module docstring)."""
    usable = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    cuts = sorted({0, len(text), *(s.start for s in usable), *(s.end for s in usable)})
    # Longer spans outside, so a place mark sits inside its claim; a link never
    # holds another link (nested <a> is invalid), so inner links become plain marks.
    order = {kind: n for n, kind in enumerate(KINDS)}
    usable.sort(key=lambda s: (s.start, -s.end, order.get(s.kind, 9)))
    out: list[str] = []
    for left, right in itertools.pairwise(cuts):
        covering = [s for s in usable if s.start <= left and right <= s.end]
        piece = html.escape(text[left:right], quote=False)
        linked = False
        opened: list[Span] = []
        for span in covering:
            if span.href and linked:
                span = Span(span.start, span.end, span.kind, span.title)
            linked = linked or bool(span.href)
            opened.append(span)
        out.append("".join(_open(s) for s in opened) + piece)
        out.append("".join(_close(s) for s in reversed(opened)))
    return Markup("".join(out))  # text escaped above; the marks are ours
