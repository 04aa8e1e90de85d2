"""Sitemaps: urlset, sitemap index, gzipped and plain-text sitemaps, with a cap on URLs.

    sitemap = parse_sitemap(body, url=url, max_urls=10_000)       # one file
    sitemap = fetch_sitemap(fetcher, url, max_urls=10_000)        # follows an index

XML is read with defusedxml's streaming parser with DTDs forbidden outright (no
sitemap needs one), so entity bombs and external entities are refused
(``UnsafeXMLError``) before anything is expanded. A ``.xml.gz`` body is decompressed
with the same byte cap as a response. Parsing stops at ``max_urls`` (``truncated``
says so). Locations that are not absolute http(s) URLs are skipped and counted in
``problems``; a document with nothing usable raises ``MalformedSitemapError``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree

from jic.gather.errors import FetchError, MalformedSitemapError, UnsafeXMLError
from jic.gather.http import SITEMAP_TYPES, Fetcher
from jic.gather.safety import gunzip_capped

MAX_URLS = 50_000  # the sitemaps.org limit for one file
MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # decompressed; the sitemaps.org limit is 50 MB


@dataclass(frozen=True, slots=True)
class SitemapURL:
    loc: str
    lastmod: datetime | None = None


@dataclass(slots=True)
class Sitemap:
    """``kind`` is "urlset", "sitemapindex" or "text"; ``sitemaps`` are an index's children."""

    kind: str
    urls: list[SitemapURL] = field(default_factory=list)
    sitemaps: list[SitemapURL] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    truncated: bool = False


def parse_sitemap(
    data: bytes,
    *,
    url: str = "",
    max_urls: int = MAX_URLS,
    max_bytes: int = MAX_SITEMAP_BYTES,
) -> Sitemap:
    """Parse one sitemap file (XML, gzipped XML or plain text, one URL a line)."""
    if data.startswith(b"\x1f\x8b"):
        data = gunzip_capped(data, max_bytes, url=url)
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        return _parse_text(head, url, max_urls)
    sitemap = Sitemap(kind="")
    skipped = _parse_xml(data, url, max_urls, sitemap)
    if skipped:
        sitemap.problems.append(f"{skipped} location(s) were not http(s) URLs and were skipped")
    if not sitemap.urls and not sitemap.sitemaps and sitemap.kind not in ("urlset", "sitemapindex"):
        raise MalformedSitemapError(
            f"{url or 'the document'} is not a sitemap"
            + (f" ({'; '.join(sitemap.problems)})" if sitemap.problems else ""),
            "give the address of a sitemap.xml or a sitemap index",
            url=url,
        )
    return sitemap


def _parse_xml(data: bytes, url: str, max_urls: int, sitemap: Sitemap) -> int:
    """Fill ``sitemap`` from XML; return how many locations were skipped."""
    skipped = 0
    events = defusedxml.ElementTree.iterparse(
        io.BytesIO(data),
        events=("start", "end"),
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )
    try:
        for event, element in events:
            name = _local(element.tag)
            if event == "start":
                sitemap.kind = sitemap.kind or name
                continue
            if name not in ("url", "sitemap"):
                continue
            entry = _entry(element, url)
            element.clear()
            if entry is None:
                skipped += 1
                continue
            target = sitemap.urls if name == "url" else sitemap.sitemaps
            if len(sitemap.urls) + len(sitemap.sitemaps) >= max_urls:
                sitemap.truncated = True
                sitemap.problems.append(f"stopped at {max_urls} locations (the cap)")
                break
            target.append(entry)
    except defusedxml.DefusedXmlException as exc:
        raise UnsafeXMLError(
            f"refused sitemap with a DTD or entities: {exc!r}",
            "sitemaps never need a DTD; this one may be a billion-laughs or XXE attempt",
            url=url,
        ) from exc
    except ParseError as exc:
        sitemap.problems.append(f"malformed XML: {exc}; kept what was read before it")
    return skipped


def _entry(element: Any, base: str) -> SitemapURL | None:
    loc = lastmod = None
    for child in element:
        name = _local(child.tag)
        if name == "loc":
            loc = (child.text or "").strip()
        elif name == "lastmod":
            lastmod = _w3c_date((child.text or "").strip())
    if not loc:
        return None
    absolute = urljoin(base, loc) if base else loc
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return SitemapURL(absolute, lastmod)


def _parse_text(data: bytes, url: str, max_urls: int) -> Sitemap:
    sitemap = Sitemap(kind="text")
    skipped = 0
    for line in data.decode("utf-8", errors="replace").splitlines():
        line = line.strip()
        if not line:
            continue
        parts = urlsplit(line)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            skipped += 1
            continue
        if len(sitemap.urls) >= max_urls:
            sitemap.truncated = True
            sitemap.problems.append(f"stopped at {max_urls} locations (the cap)")
            break
        sitemap.urls.append(SitemapURL(line))
    if skipped:
        sitemap.problems.append(f"{skipped} line(s) were not http(s) URLs and were skipped")
    if not sitemap.urls:
        raise MalformedSitemapError(
            f"{url or 'the document'} is neither an XML sitemap nor a list of URLs", url=url
        )
    return sitemap


def _local(tag: object) -> str:
    return str(tag).rpartition("}")[2]


def _w3c_date(text: str) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


def fetch_sitemap(
    fetcher: Fetcher,
    url: str,
    *,
    max_urls: int = MAX_URLS,
    max_depth: int = 2,
    max_files: int = 50,
) -> Sitemap:
    """Fetch a sitemap and, for an index, its children (breadth first, ``max_depth``
    levels, at most ``max_files`` files) until ``max_urls`` page URLs are collected.

    A child that cannot be fetched or parsed is a line in ``problems``; the first
    file's failure is raised.
    """
    first = _fetch_one(fetcher, url, max_urls)
    combined = Sitemap(kind=first.kind, urls=list(first.urls), problems=list(first.problems))
    combined.truncated = first.truncated
    queue = [(child, 1) for child in first.sitemaps]
    files = 1
    while queue and files < max_files and len(combined.urls) < max_urls:
        child, depth = queue.pop(0)
        combined.sitemaps.append(child)
        files += 1
        try:
            part = _fetch_one(fetcher, child.loc, max_urls - len(combined.urls))
        except FetchError as exc:
            combined.problems.append(f"{child.loc}: {exc.one_line()}")
            continue
        combined.urls.extend(part.urls)
        combined.problems.extend(f"{child.loc}: {problem}" for problem in part.problems)
        combined.truncated = combined.truncated or part.truncated
        if depth < max_depth:
            queue.extend((grandchild, depth + 1) for grandchild in part.sitemaps)
    if queue:
        combined.truncated = True
        combined.problems.append(f"{len(queue)} sitemap(s) of the index were not read (caps)")
    return combined


def _fetch_one(fetcher: Fetcher, url: str, max_urls: int) -> Sitemap:
    result = fetcher.fetch(url, accept=SITEMAP_TYPES)
    return parse_sitemap(
        result.body, url=result.final_url, max_urls=max_urls, max_bytes=fetcher.options.max_bytes
    )
