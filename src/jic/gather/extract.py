"""Main text and metadata out of an HTML page.

``extract_html`` is the one entry point the rest of jic uses for pages, whether they
come from a file, a feed entry's link or a member's submission. It works in three steps:

1. **draft** (``draft_page``): parse the page once, run trafilatura twice on that tree
   (its default extraction, which is recall-leaning, and ``favor_precision``), and
   describe every line of the default text by what the line says (length, punctuation,
   cue words, position) and where it sits in the page (inside a link, a list, a
   ``<footer>``, a block whose class says "related" or "share", ...).
2. **cut** (``LineModel``): a small logistic model over those features says how likely
   each line is to be boilerplate (newsletter boxes, related headlines, bylines, photo
   credits) and drops the likely ones. Its weights were fitted on the "tune" half of
   trafilatura's evaluation set by ``bench/extraction.py --fit``; the other half is
   held out. The cut never empties a page: if it would drop every line, nothing is cut.
3. **site templates** (optional, ``jic.gather.templates.SiteTemplates``): a center reads
   the same sites every day, so lines that recur on the other pages of the same site
   (navigation, disclaimers, "more from us") are dropped too. With no other page of the
   site known, this step does nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from jic.gather.decode import decode

if TYPE_CHECKING:
    from jic.gather.templates import SiteTemplates


@dataclass(slots=True)
class Extracted:
    text: str
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    sitename: str | None = None
    language: str | None = None
    url: str | None = None
    #: lines the boilerplate cut or the site templates removed, for the document's page
    dropped: list[str] = field(default_factory=list)


_SPACES = re.compile(r"\s+")


def norm(text: str) -> str:
    """Whitespace-collapsed text: the key under which lines and DOM blocks are compared."""
    return _SPACES.sub(" ", text).strip()


# Words that mark a line as the site talking about itself rather than the article. A
# generic multilingual list (en, de, fr, es, it, pt); the model decides how much it weighs.
_CUES = re.compile(
    r"newsletter|subscri|sign[ -]?up|abonn|anmelden|registrier|suscr[ií]b|inscri[bv]"
    r"|follow us|folgen? sie|s[ií]guenos|suivez|share|teilen|compartir|partager|condivid"
    r"|related|ähnliche|weitere (?:artikel|beiträge|themen|news)|mehr zu[m]? |lesen sie"
    r"|auch interessant|read (?:more|also)|see also|vea tambi[eé]n|lea tambi[eé]n"
    r"|lee tambi[eé]n|te puede interesar|puedes ver|relacionad|lire aussi|leggi anche"
    r"|copyright|©|all rights reserved|alle rechte|derechos reservados|droits r[ée]serv"
    r"|advertis|anzeige|werbung|publicidad|publicit[ée]|cookie|datenschutz|privacy"
    r"|impressum|kontakt|contact|tags?:|schlagw[öo]rt|kategorie|categor[yií]|temas"
    r"|foto:|photo:|bild:|image:|titelbild|beitragsbild|quelle:|fuente:|source:"
    r"|kommentar|comment|comentario|log ?in|eingeloggt|click here|hier klicken"
    r"|klicken sie|app store|google play|whatsapp|facebook|twitter|instagram|youtube"
    r"|telegram",
    re.I,
)
_TERMINAL = re.compile(r"[.!?…\"“”»«)\]]$")
# class/id words of page furniture; the more ancestors carry one, the likelier boilerplate
_FURNITURE = re.compile(
    r"related|share|sharing|social|footer|sidebar|widget|newsletter|promo|teaser|recommend"
    r"|read-?more|tags?\b|tag-|meta|byline|author|caption|credit|breadcrumb|nav|menu"
    r"|comment|subscri|\bads?\b|advert|banner|cookie|popular|trending|signup|login"
    r"|copyright|disclaimer|bio\b|profile|date|time",
    re.I,
)
_SEMANTIC_FURNITURE = frozenset({"aside", "footer", "nav", "header", "figure", "form"})
_BLOCK_TAGS = frozenset(
    [
        "p",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "td",
        "th",
        "dd",
        "dt",
        "blockquote",
        "figcaption",
        "caption",
        "div",
        "span",
        "a",
        "section",
        "article",
        "strong",
        "em",
        "b",
        "i",
        "pre",
        "address",
        "time",
        "small",
        "label",
        "button",
        "header",
        "footer",
        "aside",
        "nav",
        "ul",
        "ol",
        "table",
        "tr",
        "font",
        "center",
    ]
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_ANCESTOR_DEPTH = 12
_MIN_ANCHOR = 12
_LINK_PAGE_DENSITY = 0.8

FEATURE_NAMES: tuple[str, ...] = (
    "bias",
    "log_length",
    "shorter_than_30",
    "shorter_than_80",
    "ends_like_sentence",
    "ends_with_colon",
    "starts_with_bullet",
    "kept_by_precision_run",
    "closeness_to_end",
    "closeness_to_start",
    "in_last_three",
    "anchor_coverage",
    "is_anchor_text",
    "has_cue_word",
    "short_with_cue_word",
    "uppercase_share",
    "all_caps",
    "digit_share",
    "short_neighbours",
    "short_among_short",
    "table_row",
    "has_address",
    "few_lines",
    "not_found_in_dom",
    "furniture_ancestors",
    "any_furniture_ancestor",
    "semantic_furniture",
    "inside_link",
    "link_density",
    "heading",
    "list_item",
    "caption",
    "paragraph",
)


@dataclass(frozen=True, slots=True)
class LineModel:
    """Logistic boilerplate score per line; lines at or above ``threshold`` are cut."""

    weights: tuple[float, ...]
    threshold: float

    def probability(self, features: Sequence[float]) -> float:
        z = sum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


# Fitted by `python bench/extraction.py --fit` on the "tune" half only, one weight per
# FEATURE_NAMES entry in that order; 1,655 labelled lines of 536 pages.
DEFAULT_LINE_MODEL = LineModel(
    weights=(
        1.9964,
        -0.5901,
        0.1047,
        -0.2273,
        -0.7025,
        0.3646,
        -0.4868,
        -1.3917,
        1.2762,
        -0.1867,
        0.363,
        1.5854,
        -0.5422,
        0.6435,
        2.4266,
        1.1499,
        0.4566,
        -0.1088,
        0.4768,
        -0.6927,
        0.0469,
        -0.244,
        -1.4659,
        -0.9347,
        0.1206,
        -0.5148,
        0.5965,
        -0.7163,
        0.5043,
        -0.1778,
        -0.4373,
        0.0,
        -0.3223,
    ),
    threshold=0.5,
)


@dataclass(slots=True)
class Draft:
    """A page after trafilatura and before the cut: lines, their features, metadata."""

    lines: list[str]
    features: list[list[float]]
    metadata: dict[str, Any]


def _shortish(line: str) -> bool:
    return len(line) < 90 and not _TERMINAL.search(line)


def _text_features(
    lines: Sequence[str], i: int, precise: set[str], anchors: set[str], long_anchors: list[str]
) -> list[float]:
    """What line ``i`` says and where it stands in the extracted text."""
    line = lines[i]
    n = len(lines)
    size = max(len(line), 1)
    if line in anchors:
        coverage = 1.0
    else:
        coverage = min(1.0, sum(len(a) for a in long_anchors if a in line) / size)
    around = [lines[j] for j in range(max(0, i - 2), min(n, i + 3)) if j != i]
    short_around = sum(map(_shortish, around)) / len(around) if around else 0.0
    letters = [c for c in line if c.isalpha()]
    upper = sum(c.isupper() for c in letters) / len(letters) if letters else 0.0
    cue = bool(_CUES.search(line))
    return [
        1.0,
        math.log1p(size),
        float(size < 30),
        float(size < 80),
        float(bool(_TERMINAL.search(line))),
        float(line.endswith(":")),
        float(line.startswith(("-", "|", ">", "•", "*"))),
        float(line in precise),
        1.0 / (n - i),
        1.0 / (1 + i),
        float(i >= n - 3),
        coverage,
        float(coverage >= 0.9),
        float(cue),
        float(cue and size < 120),
        upper,
        float(upper > 0.8 and len(letters) > 3),
        sum(c.isdigit() for c in line) / size,
        short_around,
        short_around * float(_shortish(line)),
        float(line.startswith("|") and line.endswith("|")),
        float("@" in line or "http" in line or "www." in line),
        float(n < 5),
    ]


def _dom_features(element: HtmlElement | None) -> list[float]:
    """Where the block that holds the line sits in the page."""
    if element is None:
        return [1.0] + [0.0] * 9
    furniture = 0
    semantic = inside_link = False
    node: HtmlElement | None = element
    for _ in range(_ANCESTOR_DEPTH):
        if node is None:
            break
        semantic = semantic or node.tag in _SEMANTIC_FURNITURE
        inside_link = inside_link or node.tag == "a"
        if _FURNITURE.search(f"{node.get('class') or ''} {node.get('id') or ''}"):
            furniture += 1
        node = node.getparent()
    text_size = max(1, len(norm(element.text_content())))
    linked = sum(len(norm(a.text_content())) for a in element.iter("a"))
    return [
        0.0,
        min(furniture, 3) / 3,
        float(furniture > 0),
        float(semantic),
        float(inside_link),
        min(1.0, linked / text_size),
        float(element.tag in _HEADINGS),
        float(element.tag == "li"),
        float(element.tag in ("figcaption", "caption")),
        float(element.tag == "p"),
    ]


def block_index(tree: HtmlElement) -> tuple[dict[str, HtmlElement], set[str]]:
    """Innermost block element per normalised text, and the set of link texts, of a page."""
    blocks: dict[str, HtmlElement] = {}
    anchors: set[str] = set()
    body = tree.find(".//body")
    for element in (body if body is not None else tree).iter():
        tag = element.tag
        if not isinstance(tag, str) or tag not in _BLOCK_TAGS:
            continue
        text = norm(element.text_content())
        # iter() is document order, ancestors first: the last write is the innermost block
        if 3 <= len(text) <= 3000:
            blocks[text] = element
        if tag == "a" and len(text) >= 4:
            anchors.add(text)
    return blocks, anchors


def _run(tree: HtmlElement, url: str | None, **options: Any) -> dict[str, Any] | None:
    result = trafilatura.bare_extraction(
        tree, url=url, include_comments=False, include_tables=True, **options
    )
    if result is None:
        return None
    data: dict[str, Any] = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    return data


def parse_html(html: str | bytes) -> HtmlElement | None:
    """The page's lxml tree (bytes decoded as ``jic.gather.decode`` does), or None."""
    if isinstance(html, bytes):
        html = decode(html, html=True).text
    tree = load_html(html)
    return tree if isinstance(tree, HtmlElement) else None


def draft_page(html: str | bytes, url: str | None = None) -> Draft | None:
    """Run the extractors on ``html`` and describe each line; None when there is no text."""
    tree = parse_html(html)
    if tree is None:
        return None
    data = _run(tree, url, with_metadata=True)
    text = (data or {}).get("text") or ""
    lines = [norm(line) for line in text.split("\n") if line.strip()]
    if data is None or not lines:
        return None
    precise_data = _run(tree, url, with_metadata=False, favor_precision=True)
    precise_text = (precise_data or {}).get("text") or ""
    precise = {norm(line) for line in precise_text.split("\n")}
    blocks, anchors = block_index(tree)
    long_anchors = [a for a in anchors if len(a) >= _MIN_ANCHOR]
    features = [
        _text_features(lines, i, precise, anchors, long_anchors) + _dom_features(blocks.get(line))
        for i, line in enumerate(lines)
    ]
    return Draft(lines=lines, features=features, metadata=data)


def _is_link_text(features: Sequence[float]) -> bool:
    named = dict(zip(FEATURE_NAMES, features, strict=True))
    return (
        named["anchor_coverage"] >= 0.9
        or named["inside_link"] > 0
        or named["link_density"] >= _LINK_PAGE_DENSITY
    )


def cut(
    draft: Draft,
    model: LineModel = DEFAULT_LINE_MODEL,
    *,
    template_lines: frozenset[str] = frozenset(),
) -> tuple[list[str], list[str]]:
    """Split a draft's lines into (kept, dropped).

    When every line looks like boilerplate the cut is undone (a short page is better
    than none), unless every line is link text: then the page is a menu or an index
    and nothing is kept.
    """
    kept: list[str] = []
    dropped: list[str] = []
    for line, features in zip(draft.lines, draft.features, strict=True):
        boiler = line in template_lines or model.probability(features) >= model.threshold
        (dropped if boiler else kept).append(line)
    if not kept and not all(map(_is_link_text, draft.features)):
        return list(draft.lines), []
    return kept, dropped


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def extract_html(
    html: str | bytes,
    url: str | None = None,
    *,
    templates: SiteTemplates | None = None,
    model: LineModel = DEFAULT_LINE_MODEL,
) -> Extracted | None:
    """The article in ``html`` with its metadata, or None when it holds no main text.

    ``templates``, when given, holds other pages of the same sites (see
    ``SiteTemplates.learn``); lines that recur on them are dropped as site furniture.
    """
    draft = draft_page(html, url)
    if draft is None:
        return None
    template_lines = (
        templates.recurring(html, url, draft.lines) if templates is not None else frozenset()
    )
    kept, dropped = cut(draft, model, template_lines=template_lines)
    if not kept:
        return None
    data = draft.metadata
    return Extracted(
        text="\n".join(kept),
        title=data.get("title") or None,
        author=data.get("author") or None,
        published=_date(data.get("date")),
        sitename=data.get("sitename") or None,
        language=data.get("language") or None,
        url=data.get("url") or url,
        dropped=dropped,
    )
