"""What a site repeats on every page, learned from the pages of it we have seen.

A center reads the same sites day after day. A one-page extractor has to guess which
blocks are the article; with several pages of one site we can see it: the newsletter
box, the "more from us" list, the disclaimer and the menu are the same on every page,
the article is not. ``SiteTemplates`` keeps, per site, the text blocks of the last pages
seen (as hashes, so memory stays small) and tells ``extract_html`` which of a page's lines
recur on other pages of the same site.

Two guards keep it from hurting:

- a page never counts as evidence about itself (the same bytes learned twice are one page);
- another page that shares most of this page's text is a version of the same article
  (an update at a new URL, a syndicated copy), not a template, and is not counted.

With no other page of the site known, nothing is dropped.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from jic.errors import InputError
from jic.gather.extract import block_index, norm, parse_html

_ARCHIVE_HOSTS = frozenset({"web.archive.org"})


def site_of(url: str | None) -> str | None:
    """A URL's site: its host without ``www.``; an archived copy counts as the original."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.hostname in _ARCHIVE_HOSTS:
        # https://web.archive.org/web/<stamp>/<original url>
        _, _, rest = parts.path.lstrip("/").partition("/")
        _, _, original = rest.partition("/")
        return site_of(original if "://" in original else f"http://{original}")
    host = (parts.hostname or "").lower()
    if not host:
        return None
    return host.removeprefix("www.")


def _page_key(html: str | bytes) -> str:
    data = html.encode("utf-8", "surrogatepass") if isinstance(html, str) else html
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _line_key(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


@dataclass(frozen=True, slots=True)
class TemplateOptions:
    """How much evidence makes a line site furniture.

    ``max_pages_per_site``: pages remembered per site (the oldest are forgotten).
    ``same_article_share``: another page holding at least this share of a page's text is
    taken for a version of the same article and ignored.
    ``min_pages_when_many``: with more than two other pages known, a line must recur on
    at least this many of them (one chance repeat is not a template).
    ``long_line``: lines this long or longer must recur on two other pages in any case.
    """

    max_pages_per_site: int = 50
    same_article_share: float = 0.5
    min_pages_when_many: int = 2
    long_line: int = 300


class SiteTemplates:
    """Per-site memory of page blocks; create one per center (or per run) and pass it in."""

    def __init__(self, options: TemplateOptions | None = None) -> None:
        self.options = options or TemplateOptions()
        if self.options.max_pages_per_site < 1:
            raise InputError(
                "max_pages_per_site must be at least 1",
                "give a positive number of pages to remember per site",
            )
        self._sites: dict[str, OrderedDict[str, frozenset[int]]] = {}

    def learn(self, html: str | bytes, url: str | None) -> bool:
        """Remember the blocks of one page; False when the page has no site or no HTML."""
        site = site_of(url)
        tree = parse_html(html) if site else None
        if site is None or tree is None:
            return False
        blocks, _ = block_index(tree)
        pages = self._sites.setdefault(site, OrderedDict())
        pages[_page_key(html)] = frozenset(_line_key(text) for text in blocks)
        pages.move_to_end(_page_key(html))
        while len(pages) > self.options.max_pages_per_site:
            pages.popitem(last=False)
        return True

    def pages(self, url: str | None) -> int:
        """How many pages of ``url``'s site are remembered."""
        site = site_of(url)
        return len(self._sites.get(site, ())) if site else 0

    def recurring(self, html: str | bytes, url: str | None, lines: Sequence[str]) -> frozenset[str]:
        """Those of ``lines`` (a page's extracted lines) that recur on other pages of its site."""
        site = site_of(url)
        if site is None or site not in self._sites:
            return frozenset()
        own = _page_key(html)
        keys = {line: _line_key(norm(line)) for line in lines}
        total = sum(len(line) for line in lines) or 1
        others = []
        for page, blocks in self._sites[site].items():
            shared = sum(len(line) for line, k in keys.items() if k in blocks)
            if page != own and shared / total < self.options.same_article_share:
                others.append(blocks)
        if not others:
            return frozenset()
        needed = 1 if len(others) <= 2 else self.options.min_pages_when_many
        found = set()
        for line, key in keys.items():
            hits = sum(key in blocks for blocks in others)
            if hits >= (max(needed, 2) if len(line) >= self.options.long_line else needed):
                found.add(line)
        return frozenset(found)
