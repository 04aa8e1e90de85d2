"""Adding sources: what kind a URL is, and the sources file `jic up` keeps in step with."""

from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from jic.domain import TLP, Reliability
from jic.errors import InputError
from jic.gather.feeds import discover_feeds, parse_feed
from jic.gather.http import FEED_TYPES, HTML_TYPES, SITEMAP_TYPES, Fetcher
from jic.gather.poll import parse_every
from jic.store import audit
from jic.store import sources as source_repo
from jic.store.database import Store
from jic.store.members import Member
from jic.store.sources import NewSource


@dataclass(slots=True)
class Classified:
    kind: str
    url: str
    title: str | None = None
    note: str = ""


def classify(fetcher: Fetcher, url: str) -> Classified:
    """Fetch ``url`` once and tell a feed from a sitemap from a page (with feed discovery)."""
    result = fetcher.fetch(url, accept=(*FEED_TYPES, *SITEMAP_TYPES, *HTML_TYPES))
    head = result.body[:2048].lstrip().lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return Classified("sitemap", result.final_url)
    if result.content_type not in HTML_TYPES or not head.startswith((b"<!doctype html", b"<html")):
        feed = parse_feed(result.body, url=result.final_url, content_type=result.content_type)
        if feed.entries or feed.version:
            return Classified("feed", result.final_url, feed.title)
    links = discover_feeds(result.text().text, result.final_url)
    if links:
        return Classified("feed", links[0].url, links[0].title, f"found the feed {links[0].url}")
    return Classified("page", result.final_url, note="no feed found: the page itself is polled")


def new_source(
    url: str,
    *,
    kind: str,
    name: str | None = None,
    every: str | None = None,
    tlp: str | None = None,
    reliability: str | None = None,
) -> NewSource:
    """Check what the user wrote and make it a NewSource; raises InputError with a hint."""
    try:
        level = TLP.parse(tlp) if tlp else None
    except ValueError as error:
        raise InputError(str(error), "pass a TLP 2.0 level") from None
    grade = (reliability or "F").strip().upper()
    if grade not in Reliability.__members__:
        raise InputError(f"unknown reliability {reliability!r}", "use a letter A to F")
    return NewSource(
        name=name or url,
        kind=kind,
        url=url,
        tlp=level,
        reliability=Reliability(grade),
        every_seconds=parse_every(every) if every else None,
    )


def ensure_sources_file(path: Path) -> bool:
    """Put the default sources file at ``path`` if there is none; True if it was written."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    with resources.as_file(resources.files("jic.data").joinpath("sources.toml")) as default:
        shutil.copyfile(default, path)
    return True


def read_sources_file(path: Path) -> list[NewSource]:
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(
            f"cannot read the sources file {path}: {error}", "fix or remove it"
        ) from None
    entries = data.get("source", [])
    if not isinstance(entries, list):
        raise InputError(
            f"{path}: 'source' must be a list of [[source]] tables", "see the comments"
        )
    found = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            raise InputError(f"{path}: source {number} has no url", "give each [[source]] a url")
        found.append(
            new_source(
                entry["url"],
                kind=str(entry.get("kind", "feed")),
                name=entry.get("name"),
                every=entry.get("every"),
                tlp=entry.get("tlp"),
                reliability=entry.get("reliability"),
            )
        )
    return found


def sync_sources(store: Store, wanted: list[NewSource], owner: Member) -> list[str]:
    """Add each listed source the center lacks; returns the names added."""
    added = []
    with store.write() as connection:
        known = {source.name for source in source_repo.list_all(connection)}
        # Removed sources count as known: `jic sources remove` must stick across restarts.
        known_urls = source_repo.all_urls(connection)
        for new in wanted:
            if new.name in known or new.url in known_urls:
                continue
            source_repo.add(connection, new, owner=owner, actor=audit.Actor(member=owner.name))
            added.append(new.name)
    return added
