"""Main text and metadata out of an HTML page.

``extract_html`` is the one entry point the rest of jic uses for pages, whether they
come from a file, a feed entry's link or a member's submission. It works in four steps:

1. **draft** (``draft_page``): parse the page once, run trafilatura once on that tree
   (its default extraction, which is recall-leaning, with metadata), index the page's
   blocks in one pass, and describe every line of the text by what the line says
   (length, punctuation, cue words, position) and where it sits in the page (inside a
   link, a list, a ``<footer>``, a block whose class says "related" or "share", ...).
2. **cut** (``LineModel``): a small logistic model over those features says how likely
   each line is to be boilerplate (newsletter boxes, related headlines, bylines, photo
   credits) and drops the likely ones. The cut never empties a page: if it would drop
   every line, nothing is cut.
3. **lead recovery** (a second ``LineModel``): headlines, standfirsts and lead paragraphs
   often sit outside the container trafilatura picks as the body. The few text blocks
   just before its first line are candidates; a model of their own decides which of
   them are the article's start and puts those back in front.
4. **site templates** (optional, ``jic.gather.templates.SiteTemplates``): a center reads
   the same sites every day, so lines that recur on the other pages of the same site
   (navigation, disclaimers, "more from us") are dropped too. With no other page of the
   site known, this step does nothing.

Both models were fitted on the "tune" half of trafilatura's evaluation set by
``bench/extraction.py --fit``; the other half is held out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from jic.gather.decode import decode
from jic.store.times import parse_iso

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
# Blocks that can hold a headline or a lead paragraph of their own: the candidates of
# lead recovery are those of them with no such block inside.
_LEAF_TAGS = frozenset(
    [
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "blockquote",
        "dd",
        "dt",
        "figcaption",
        "div",
        "td",
        "th",
        "pre",
        "address",
        "section",
        "article",
        "header",
    ]
)
_ANCESTOR_DEPTH = 12
_MIN_ANCHOR = 12
_LINK_PAGE_DENSITY = 0.8
# How far before the first extracted line lead recovery looks: blocks, then characters.
_LEAD_BLOCKS = 8
_LEAD_CHARS = 3000

FEATURE_NAMES: tuple[str, ...] = (
    "bias",
    "log_length",
    "shorter_than_30",
    "shorter_than_80",
    "ends_like_sentence",
    "ends_with_colon",
    "starts_with_bullet",
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
#: a lead candidate is described like a line, plus how close it stands to the body
LEAD_FEATURE_NAMES: tuple[str, ...] = (*FEATURE_NAMES, "closeness_to_body")


@dataclass(frozen=True, slots=True)
class LineModel:
    """Logistic boilerplate score per line; lines at or above ``threshold`` are cut."""

    weights: tuple[float, ...]
    threshold: float

    def probability(self, features: Sequence[float]) -> float:
        z = sum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def is_boilerplate(self, features: Sequence[float]) -> bool:
        return self.probability(features) >= self.threshold


# Fitted by `python bench/extraction.py --fit` on the "tune" half only, one weight per
# FEATURE_NAMES entry in that order; 1,655 labelled lines of 536 pages.
DEFAULT_LINE_MODEL = LineModel(
    weights=(
        0.8153,  # bias
        -0.6405,  # log_length
        0.0048,  # shorter_than_30
        -0.2112,  # shorter_than_80
        -0.6172,  # ends_like_sentence
        0.3944,  # ends_with_colon
        -0.4962,  # starts_with_bullet
        1.3722,  # closeness_to_end
        -0.055,  # closeness_to_start
        0.3668,  # in_last_three
        1.6406,  # anchor_coverage
        -0.5324,  # is_anchor_text
        0.6181,  # has_cue_word
        2.494,  # short_with_cue_word
        1.2001,  # uppercase_share
        0.4548,  # all_caps
        -0.0725,  # digit_share
        0.5518,  # short_neighbours
        -0.7275,  # short_among_short
        0.023,  # table_row
        -0.2249,  # has_address
        -1.3641,  # few_lines
        -0.8735,  # not_found_in_dom
        0.3441,  # furniture_ancestors
        -0.649,  # any_furniture_ancestor
        1.0601,  # semantic_furniture
        -0.5114,  # inside_link
        0.7232,  # link_density
        -0.1972,  # heading
        -0.2672,  # list_item
        0.0,  # caption
        -0.341,  # paragraph
    ),
    threshold=0.5,
)
# The same for lead candidates, one weight per LEAD_FEATURE_NAMES entry; 116 labelled
# candidates (27 of them article text). Cut at 0.3: a candidate is recovered only when
# the model is fairly sure, because a wrong lead lands at the top of the text.
DEFAULT_LEAD_MODEL = LineModel(
    weights=(
        3.0911,  # bias
        -0.297,  # log_length
        0.5993,  # shorter_than_30
        2.5547,  # shorter_than_80
        -0.9581,  # ends_like_sentence
        0.0069,  # ends_with_colon
        0.0,  # starts_with_bullet
        0.1558,  # closeness_to_end
        -1.6618,  # closeness_to_start
        0.0145,  # in_last_three
        -0.8358,  # anchor_coverage
        0.6365,  # is_anchor_text
        0.5528,  # has_cue_word
        1.243,  # short_with_cue_word
        0.568,  # uppercase_share
        0.0,  # all_caps
        0.1565,  # digit_share
        -1.3397,  # short_neighbours
        0.426,  # short_among_short
        0.0,  # table_row
        0.0,  # has_address
        0.0,  # few_lines
        0.0,  # not_found_in_dom
        1.0003,  # furniture_ancestors
        -0.0993,  # any_furniture_ancestor
        0.7975,  # semantic_furniture
        0.053,  # inside_link
        -0.8176,  # link_density
        -1.6829,  # heading
        -1.334,  # list_item
        0.906,  # caption
        -0.7277,  # paragraph
        -1.0045,  # closeness_to_body
    ),
    threshold=0.3,
)


@dataclass(slots=True)
class Draft:
    """A page after trafilatura and before the cut.

    ``lines`` and ``features`` describe trafilatura's text; ``leads`` and
    ``lead_features`` the blocks just before its first line, in page order.
    """

    lines: list[str]
    features: list[list[float]]
    metadata: dict[str, Any]
    leads: list[str] = field(default_factory=list)
    lead_features: list[list[float]] = field(default_factory=list)


@dataclass(slots=True)
class PageBlocks:
    """One pass over a page's body: what ``draft_page`` and the site templates look up.

    ``by_text``: innermost block element per normalised text; ``anchors``: link texts;
    ``leaves``: blocks with no block inside, with their text, in page order.
    """

    by_text: dict[str, HtmlElement]
    anchors: set[str]
    leaves: list[tuple[HtmlElement, str]]


def _shortish(line: str) -> bool:
    return len(line) < 90 and not _TERMINAL.search(line)


def _text_features(
    lines: Sequence[str], i: int, anchors: set[str], long_anchors: list[str]
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


def _leaf_parent(element: HtmlElement) -> HtmlElement | None:
    node = element.getparent()
    while node is not None and node.tag not in _LEAF_TAGS:
        node = node.getparent()
    return node


def page_blocks(tree: HtmlElement) -> PageBlocks:
    """Index a page's body blocks by text, its link texts, and its leaf blocks (one pass)."""
    by_text: dict[str, HtmlElement] = {}
    anchors: set[str] = set()
    candidates: list[tuple[HtmlElement, str]] = []
    not_leaves: set[HtmlElement] = set()
    body = tree.find(".//body")
    for element in (body if body is not None else tree).iter():
        tag = element.tag
        if not isinstance(tag, str) or tag not in _BLOCK_TAGS:
            continue
        text = norm(element.text_content())
        # iter() is document order, ancestors first: the last write is the innermost block
        if 3 <= len(text) <= 3000:
            by_text[text] = element
        if tag == "a" and len(text) >= 4:
            anchors.add(text)
        if tag in _LEAF_TAGS:
            parent = _leaf_parent(element)
            if parent is not None:
                not_leaves.add(parent)
            if text:
                candidates.append((element, text))
    leaves = [(element, text) for element, text in candidates if element not in not_leaves]
    return PageBlocks(by_text, anchors, leaves)


def block_index(tree: HtmlElement) -> tuple[dict[str, HtmlElement], set[str]]:
    """Innermost block element per normalised text, and the set of link texts, of a page."""
    blocks = page_blocks(tree)
    return blocks.by_text, blocks.anchors


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


def _body_start(leaves: Sequence[tuple[HtmlElement, str]], first: str) -> int | None:
    """Index of the leaf block where the extracted text begins, if it can be found."""
    for i, (_, text) in enumerate(leaves):
        if text == first or (len(text) >= 20 and (text in first or first in text)):
            return i
    return None


def lead_candidates(blocks: PageBlocks, lines: Sequence[str]) -> list[tuple[HtmlElement, str, int]]:
    """Leaf blocks just before the first of ``lines``, as (element, text, blocks back)."""
    start = _body_start(blocks.leaves, lines[0])
    if start is None:
        return []
    known = set(lines)
    found = []
    chars = 0
    window = blocks.leaves[max(0, start - _LEAD_BLOCKS) : start]
    for back, (element, text) in enumerate(reversed(window), 1):
        chars += len(text)
        if chars > _LEAD_CHARS:
            break
        # the title often comes back inside the first lines: do not repeat it
        if text in known or any(text in line for line in lines[:3]):
            continue
        found.append((element, text, back))
    found.reverse()
    return found


def describe(lines: list[str], blocks: PageBlocks, metadata: dict[str, Any]) -> Draft:
    """Features of the extracted ``lines`` and of the lead candidates before them."""
    leads = lead_candidates(blocks, lines)
    # one search per link text over the whole text, so each line only checks the few
    # link texts that occur at all (pages with thousands of links made this quadratic)
    whole = "\n".join([*(text for _, text, _ in leads), *lines])
    long_anchors = [a for a in blocks.anchors if len(a) >= _MIN_ANCHOR and a in whole]
    features = [
        _text_features(lines, i, blocks.anchors, long_anchors)
        + _dom_features(blocks.by_text.get(line))
        for i, line in enumerate(lines)
    ]
    # a candidate is read in the place it would take: in front of the extracted lines
    extended = [text for _, text, _ in leads] + lines
    lead_features = [
        _text_features(extended, i, blocks.anchors, long_anchors)
        + _dom_features(element)
        + [1.0 / back]
        for i, (element, _, back) in enumerate(leads)
    ]
    return Draft(
        lines=lines,
        features=features,
        metadata=metadata,
        leads=[text for _, text, _ in leads],
        lead_features=lead_features,
    )


def draft_page(html: str | bytes, url: str | None = None) -> Draft | None:
    """Run the extractor on ``html`` and describe each line; None when there is no text."""
    tree = parse_html(html)
    if tree is None:
        return None
    data = _run(tree, url, with_metadata=True)
    text = (data or {}).get("text") or ""
    lines = [norm(line) for line in text.split("\n") if line.strip()]
    if data is None or not lines:
        return None
    return describe(lines, page_blocks(tree), data)


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
    lead_model: LineModel = DEFAULT_LEAD_MODEL,
    template_lines: frozenset[str] = frozenset(),
) -> tuple[list[str], list[str]]:
    """Split a draft's lines into (kept, dropped), recovered lead blocks first in kept.

    When every line looks like boilerplate the cut is undone (a short page is better
    than none), unless every line is link text: then the page is a menu or an index
    and nothing is kept. Lead candidates the model rejects were never part of the text,
    so they are not listed as dropped.
    """
    kept: list[str] = []
    dropped: list[str] = []
    for line, features in zip(draft.lines, draft.features, strict=True):
        boiler = line in template_lines or model.is_boilerplate(features)
        (dropped if boiler else kept).append(line)
    if not kept and not all(map(_is_link_text, draft.features)):
        kept, dropped = list(draft.lines), []
    if not kept:
        return kept, dropped
    leads = [
        line
        for line, features in zip(draft.leads, draft.lead_features, strict=True)
        if line not in template_lines and not lead_model.is_boilerplate(features)
    ]
    return leads + kept, dropped


def extract_html(
    html: str | bytes,
    url: str | None = None,
    *,
    templates: SiteTemplates | None = None,
    model: LineModel = DEFAULT_LINE_MODEL,
    lead_model: LineModel = DEFAULT_LEAD_MODEL,
) -> Extracted | None:
    """The article in ``html`` with its metadata, or None when it holds no main text.

    ``templates``, when given, holds other pages of the same sites (see
    ``SiteTemplates.learn``); lines that recur on them are dropped as site furniture.
    ``model`` and ``lead_model`` replace the shipped boilerplate and lead models.
    """
    draft = draft_page(html, url)
    if draft is None:
        return None
    template_lines = (
        templates.recurring(html, url, [*draft.leads, *draft.lines])
        if templates is not None
        else frozenset()
    )
    kept, dropped = cut(draft, model, lead_model=lead_model, template_lines=template_lines)
    if not kept:
        return None
    data = draft.metadata
    return Extracted(
        text="\n".join(kept),
        title=data.get("title") or None,
        author=data.get("author") or None,
        published=parse_iso(data.get("date")),
        sitename=data.get("sitename") or None,
        language=data.get("language") or None,
        url=data.get("url") or url,
        dropped=dropped,
    )
