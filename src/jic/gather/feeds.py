"""Feeds: RSS 0.9x/1.0/2.0, Atom and JSON Feed into one ``Feed`` record; feed discovery.

    feed = parse_feed(body, url=url, content_type=ctype, charset=charset)
    fetched = fetch_feed(fetcher, url, etag=etag, last_modified=stamp)   # fetch + parse
    links = find_feeds(fetcher, "https://news.example/")                 # discovery

XML goes through ``safety.guard_xml`` first: a document with entity declarations
(billion laughs, XXE) is refused with ``UnsafeXMLError`` and never reaches feedparser,
and the DOCTYPE is stripped so feedparser never sees a DTD. feedparser is then given
the bytes as a stream (never as a string, which it would treat as a path or URL).

A broken feed is read as far as it goes: the entries that parsed are kept and each
problem (malformed XML, a wrong charset declaration, a link that is not http(s)) is a
line in ``Feed.problems``. Only a document with nothing usable in it raises
``MalformedFeedError``. Entry links are not checked here: the fetcher checks every
address when, and each time, a link is fetched.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from jic.gather.errors import FetchError, MalformedFeedError
from jic.gather.http import FEED_TYPES, Fetcher, FetchResult
from jic.gather.safety import guard_xml

MAX_ENTRIES = 5000
FEED_LINK_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
        "application/xml",
        "text/xml",
    }
)
# Where feeds usually live when a page does not link to one.
COMMON_FEED_PATHS = ("/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml")

_BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|ul|ol|h[1-6]|tr|td|blockquote|section)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_LOOKS_HTML = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)


@dataclass(slots=True)
class FeedEntry:
    """One item of a feed. ``summary`` is plain text; ``content_html`` the full content
    when the feed carries it (sanitized by feedparser for RSS/Atom)."""

    id: str
    url: str | None
    title: str | None = None
    summary: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    author: str | None = None
    language: str | None = None
    content_html: str | None = None


@dataclass(slots=True)
class Feed:
    """A parsed feed. ``version`` is feedparser's ("rss20", "atom10", ...) or "json1"."""

    title: str | None
    link: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    version: str = ""
    language: str | None = None


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed a page points to."""

    url: str
    type: str | None = None
    title: str | None = None


@dataclass(slots=True)
class FetchedFeed:
    """A feed fetch: the HTTP result, and the feed unless the server said 304."""

    result: FetchResult
    feed: Feed | None


def parse_feed(
    data: bytes,
    *,
    url: str = "",
    content_type: str | None = None,
    charset: str | None = None,
    max_entries: int = MAX_ENTRIES,
) -> Feed:
    """Parse RSS, Atom or JSON Feed bytes; ``url`` resolves relative links."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")) or (content_type or "").endswith("json"):
        return _parse_json_feed(data, url, max_entries)
    guarded = guard_xml(data, url=url)
    headers = {"content-location": url} if url else {}
    if content_type:
        headers["content-type"] = content_type + (f"; charset={charset}" if charset else "")
    parsed = feedparser.parse(io.BytesIO(guarded.data), response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        is_page = bool(_LOOKS_HTML.match(data))
        detail = f" ({guarded.problem})" if guarded.problem and not is_page else ""
        raise MalformedFeedError(
            f"{url or 'the document'} is {'an HTML page' if is_page else 'not a feed'}: "
            f"no RSS, Atom or JSON Feed in it{detail}",
            "give the feed's own address, or let jic discover it from the page",
            url=url,
        )
    info = parsed.feed
    language = _clean(info.get("language")) or _detail_language(info, "title_detail")
    feed = Feed(
        title=_plain(info.get("title")),
        link=info.get("link"),
        version=str(parsed.get("version") or "unknown"),
        language=language,
    )
    if parsed.get("bozo"):
        feed.problems.append(_describe_bozo(parsed.get("bozo_exception"), len(parsed.entries)))
    for raw in parsed.entries[:max_entries]:
        _keep(feed, _rss_entry(raw, language, feed.problems))
    if len(parsed.entries) > max_entries:
        feed.problems.append(
            f"the feed has {len(parsed.entries)} entries; kept the first {max_entries}"
        )
    return feed


def _keep(feed: Feed, entry: FeedEntry) -> None:
    """Add ``entry`` unless it has nothing to go on (what a cut-off document leaves)."""
    if entry.url or entry.title or entry.summary or entry.content_html:
        feed.entries.append(entry)
    else:
        feed.problems.append("an entry with no link, title or text was skipped")


def _rss_entry(raw: Any, feed_language: str | None, problems: list[str]) -> FeedEntry:
    url = _web_url(raw.get("link"), problems)
    content = raw.get("content") or []
    content_html = content[0].get("value") if content else None
    summary = _plain(raw.get("summary")) or _plain(content_html)
    published = _struct_time(raw.get("published_parsed"))
    # dict.get skips feedparser's deprecated fallback from updated to published.
    updated = _struct_time(dict.get(raw, "updated_parsed"))
    title = _plain(raw.get("title"))
    return FeedEntry(
        id=_clean(raw.get("id")) or url or _fallback_id(title, summary, published),
        url=url,
        title=title,
        summary=summary,
        published=published,
        updated=updated,
        author=_clean(raw.get("author")),
        language=_detail_language(raw, "summary_detail")
        or _detail_language(raw, "title_detail")
        or feed_language,
        content_html=content_html,
    )


def _describe_bozo(exc: object, kept: int) -> str:
    name = type(exc).__name__
    if name == "CharacterEncodingOverride":
        return f"the declared character encoding was wrong; feedparser read it otherwise ({exc})"
    if name == "NonXMLContentType":
        return f"served with a content type that is not XML ({exc})"
    return f"malformed feed: {exc}; kept the {kept} entries that could be read"


def _parse_json_feed(data: bytes, url: str, max_entries: int) -> Feed:
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise MalformedFeedError(
            f"{url or 'the document'} is not valid JSON: {exc}", url=url
        ) from exc
    if not isinstance(doc, dict) or "jsonfeed.org" not in str(doc.get("version", "")):
        raise MalformedFeedError(
            f"{url or 'the document'} is JSON but not a JSON Feed (no jsonfeed.org version)",
            "give the feed's own address",
            url=url,
        )
    base = url or str(doc.get("feed_url") or doc.get("home_page_url") or "")
    language = _clean(doc.get("language"))
    feed = Feed(
        title=_clean(doc.get("title")),
        link=_clean(doc.get("home_page_url")),
        version="json1",
        language=language,
    )
    items = doc.get("items")
    if not isinstance(items, list):
        feed.problems.append("the JSON Feed has no list of items")
        items = []
    for item in items[:max_entries]:
        if not isinstance(item, dict):
            feed.problems.append(f"an item is not an object and was skipped: {item!r:.60}")
            continue
        _keep(feed, _json_entry(item, base, language, feed.problems))
    if len(items) > max_entries:
        feed.problems.append(f"the feed has {len(items)} entries; kept the first {max_entries}")
    return feed


def _json_entry(
    item: dict[str, Any], base: str, language: str | None, problems: list[str]
) -> FeedEntry:
    link = item.get("url") or item.get("external_url")
    url = _web_url(urljoin(base, str(link)) if link else None, problems)
    title = _clean(item.get("title"))
    content_html = _clean(item.get("content_html"))
    summary = (
        _clean(item.get("summary")) or _clean(item.get("content_text")) or _plain(content_html)
    )
    published = _iso_date(item.get("date_published"), problems)
    authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
    first = authors[0] if authors and isinstance(authors[0], dict) else {}
    return FeedEntry(
        id=_clean(item.get("id")) or url or _fallback_id(title, summary, published),
        url=url,
        title=title,
        summary=summary,
        published=published,
        updated=_iso_date(item.get("date_modified"), problems),
        author=_clean(first.get("name")),
        language=_clean(item.get("language")) or language,
        content_html=content_html,
    )


def _web_url(link: object, problems: list[str]) -> str | None:
    """The entry's link if it is an absolute http(s) URL; otherwise None and a problem."""
    if not link:
        return None
    text = str(link).strip()
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.netloc:
        return text
    problems.append(f"an entry link is not an http(s) URL and was ignored: {text[:80]!r}")
    return None


def _struct_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        year, month, day, hour, minute, second = value[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _iso_date(value: object, problems: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        problems.append(f"a date is not RFC 3339 and was ignored: {str(value)[:40]!r}")
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


def _detail_language(record: Any, key: str) -> str | None:
    detail = record.get(key) or {}
    return _clean(detail.get("language"))


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _plain(value: object) -> str | None:
    """Markup to plain text: block tags become spaces, other tags vanish."""
    if not value:
        return None
    text = _TAG.sub("", _BLOCK_TAG.sub(" ", str(value)))
    return _clean(_SPACE.sub(" ", html.unescape(text)))


def _fallback_id(title: str | None, summary: str | None, published: datetime | None) -> str:
    seed = "\x1f".join([title or "", summary or "", published.isoformat() if published else ""])
    return "sha1:" + hashlib.sha1(seed.encode(), usedforsecurity=False).hexdigest()


def fetch_feed(
    fetcher: Fetcher,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_entries: int = MAX_ENTRIES,
) -> FetchedFeed:
    """Fetch and parse a feed, conditionally when ``etag``/``last_modified`` are known."""
    result = fetcher.fetch(url, etag=etag, last_modified=last_modified, accept=FEED_TYPES)
    if result.not_modified:
        return FetchedFeed(result, None)
    feed = parse_feed(
        result.body,
        url=result.final_url,
        content_type=result.content_type,
        charset=result.charset,
        max_entries=max_entries,
    )
    return FetchedFeed(result, feed)


class _AlternateLinks(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.links: list[FeedLink] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "base" and values.get("href"):
            self.base = urljoin(self.base, values["href"])
        if tag not in ("link", "a"):
            return
        rels = values.get("rel", "").lower().split()
        media = values.get("type", "").split(";")[0].strip().lower()
        if "alternate" in rels and media in FEED_LINK_TYPES and values.get("href"):
            url = urljoin(self.base, values["href"].strip())
            if urlsplit(url).scheme in ("http", "https"):
                self.links.append(FeedLink(url, media, values.get("title") or None))


def discover_feeds(page: str, base_url: str) -> list[FeedLink]:
    """Feeds a page announces with ``<link rel="alternate" type="...rss/atom/json">``."""
    finder = _AlternateLinks(base_url)
    finder.feed(page)
    finder.close()
    unique: dict[str, FeedLink] = {}
    for link in finder.links:
        unique.setdefault(link.url, link)
    return list(unique.values())


def find_feeds(
    fetcher: Fetcher, page_url: str, *, probe_common_paths: bool = True
) -> list[FeedLink]:
    """Feeds for a page URL: the URL itself if it is a feed, the feeds it links to, or
    else the first of ``COMMON_FEED_PATHS`` on its site that answers with a feed."""
    result = fetcher.fetch(page_url, accept=FEED_TYPES)
    itself = _as_feed_link(result)
    if itself is not None:
        return [itself]
    links = discover_feeds(result.text().text, result.final_url)
    if links or not probe_common_paths:
        return links
    for path in COMMON_FEED_PATHS:
        candidate = urljoin(result.final_url, path)
        try:
            probe = fetcher.fetch(candidate, accept=FEED_TYPES)
        except FetchError:
            continue  # most sites have none of these paths; a 404 is the usual answer
        found = _as_feed_link(probe)
        if found is not None:
            return [found]
    return []


def _as_feed_link(result: FetchResult) -> FeedLink | None:
    """A link to ``result`` if its body is a feed, else None."""
    if _LOOKS_HTML.match(result.body):
        return None
    try:
        feed = parse_feed(
            result.body,
            url=result.final_url,
            content_type=result.content_type,
            charset=result.charset,
            max_entries=1,
        )
    except FetchError:
        return None
    return FeedLink(result.final_url, result.content_type, feed.title)
