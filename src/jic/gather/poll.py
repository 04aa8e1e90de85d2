"""Polling sources: feeds, pages and sitemaps, each entry stored with its provenance.

    gatherer = Gatherer(store, Fetcher(fetch_options(settings)), GatherOptions())
    for report in gatherer.gather_due():      # every source whose interval has passed, once
        print(report.line())

A feed entry is fetched, its main text extracted, and stored in its own transaction
together with the note that the entry is done, so a gatherer killed mid-run loses
nothing it stored and repeats nothing on restart. An entry that fails (a forbidden
address, a 404, a PDF where a page was expected) is recorded with its reason, retried
on later polls up to ``entry_attempts`` times, and never stops the other entries.
"""

from __future__ import annotations

import hashlib
import ipaddress
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from jic.domain import DocumentIn, IngestStatus
from jic.errors import GatherError, InputError
from jic.gather.extract import extract_html
from jic.gather.feeds import FeedEntry, fetch_feed
from jic.gather.http import HTML_TYPES, Fetcher, FetchOptions, FetchResult, user_agent
from jic.gather.sitemaps import fetch_sitemap
from jic.settings import Settings
from jic.store import audit, feed_items
from jic.store import documents as document_repo
from jic.store import sources as source_repo
from jic.store.database import Store
from jic.store.documents import BatchContext, Offer
from jic.store.members import member_by_id
from jic.store.sources import PollState, Source

_FEED_TEXT_MIN = 200  # characters of feed-carried text worth keeping when the page fails


def parse_every(value: str) -> int:
    """'90s', '15m', '2h', '1d' or plain seconds, as seconds."""
    text = value.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    number, unit = (text[:-1], text[-1]) if text and text[-1] in units else (text, "s")
    try:
        seconds = int(float(number) * units[unit])
    except ValueError:
        raise InputError(f"cannot read {value!r} as an interval", "write 15m, 2h or 1d") from None
    if seconds < 60:
        raise InputError(f"polling every {seconds}s is too often", "poll at most once a minute")
    return seconds


def split_allow(entries: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Settings' allow-list as (networks, hosts): addresses and networks, with or without
    a port, go to the first; host names to the second."""
    networks, hosts = [], []
    for entry in entries:
        address = entry.strip()
        bare = address[1 : address.index("]")] if address.startswith("[") else address
        if not address.startswith("["):
            bare = bare.rsplit(":", 1)[0] if bare.count(":") == 1 else bare
        try:
            ipaddress.ip_network(bare, strict=False)
        except ValueError:
            hosts.append(address)
        else:
            networks.append(address)
    return tuple(networks), tuple(hosts)


def fetch_options(settings: Settings) -> FetchOptions:
    networks, hosts = split_allow(settings.fetch_allow)
    return FetchOptions(
        user_agent=user_agent(settings.contact_url),
        per_host_rate=settings.per_host_rate,
        max_bytes=settings.max_file_bytes,
        total_timeout=settings.request_timeout,
        respect_robots=settings.respect_robots,
        allow_networks=networks,
        allow_hosts=hosts,
    )


@dataclass(slots=True)
class GatherOptions:
    default_every: int = 900
    entry_attempts: int = 3
    max_new_per_poll: int = 500

    @classmethod
    def from_settings(cls, settings: Settings) -> GatherOptions:
        return cls(
            default_every=parse_every(settings.default_every),
            entry_attempts=settings.gather_entry_attempts,
        )


@dataclass(slots=True)
class SourceReport:
    """What one poll of one source did."""

    source: str
    status: str = "ok"  # ok, not-modified, failed
    stored: int = 0
    unchanged: int = 0
    failed: int = 0
    error: str | None = None
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        if self.status == "failed":
            return f"{self.source}: unreachable — {self.error}"
        if self.status == "not-modified":
            return f"{self.source}: not modified since the last poll"
        extra = f", {self.failed} failed" if self.failed else ""
        return f"{self.source}: {self.stored} new{extra}, {self.unchanged} already stored"


def page_document(result: FetchResult, location: str, entry: FeedEntry | None = None) -> DocumentIn:
    """A fetched page as a document, with its provenance; raises GatherError if empty."""
    decoded = result.text()
    extracted = extract_html(decoded.text, result.final_url)
    text, title = (extracted.text, extracted.title) if extracted else ("", None)
    meta: dict[str, Any] = {
        "final_url": result.final_url,
        "http_status": result.status,
        "content_type": result.content_type,
        "encoding": decoded.encoding,
    }
    if result.redirects:
        meta["redirects"] = result.redirects
    if extracted and extracted.author:
        meta["author"] = extracted.author
    if extracted and extracted.sitename:
        meta["site"] = extracted.sitename
    feed_text = _entry_text(entry)
    if len(text) < _FEED_TEXT_MIN and len(feed_text) > len(text):
        text, meta["text_from"] = feed_text, "feed entry"
    if not text:
        raise GatherError(f"no main text found at {result.final_url}", "the page may be empty")
    if entry is not None:
        meta["feed_entry"] = entry.id
    return DocumentIn(
        text=text,
        sha256=hashlib.sha256(result.body).hexdigest(),
        location=location,
        title=(entry.title if entry and entry.title else None) or title,
        url=result.final_url,
        language=(extracted.language if extracted else None) or (entry.language if entry else None),
        published=(entry.published if entry else None)
        or (extracted.published if extracted else None),
        fetched=datetime.now(UTC),
        content_type=result.content_type or "text/html",
        size=len(result.body),
        lossy=decoded.lossy,
        notes=list(decoded.notes),
        meta=meta,
    )


def _entry_text(entry: FeedEntry | None) -> str:
    if entry is None:
        return ""
    if entry.content_html:
        extracted = extract_html(entry.content_html)
        if extracted:
            return extracted.text
    return entry.summary or ""


def entry_key(entry: FeedEntry) -> str:
    """Entries are identified by their id, and again when the feed says they changed."""
    return entry.id + (f"@{entry.updated.isoformat()}" if entry.updated else "")


class Gatherer:
    """Polls sources through one Fetcher and stores what they list."""

    def __init__(self, store: Store, fetcher: Fetcher, options: GatherOptions) -> None:
        self.store = store
        self.fetcher = fetcher
        self.options = options

    def gather_due(self, at: datetime | None = None, only: str | None = None) -> list[SourceReport]:
        when = at or datetime.now(UTC)
        with self.store.read() as connection:
            if only:
                todo = [source_repo.get(connection, only)]
                if todo[0].kind not in ("feed", "page", "sitemap"):
                    raise InputError(
                        f"{only!r} is a {todo[0].kind} source, not gathered from the network",
                        "ingest its files with `jic ingest`",
                    )
            else:
                todo = source_repo.due(connection, when, self.options.default_every)
        return [self.poll(source) for source in todo]

    def poll(self, source: Source) -> SourceReport:
        report = SourceReport(source.name)
        at = datetime.now(UTC)
        state = PollState("ok")
        try:
            if source.kind == "feed":
                state = self._poll_feed(source, report)
            elif source.kind == "sitemap":
                self._poll_sitemap(source, report)
            else:
                self._poll_page(source, report)
        except GatherError as error:
            report.status, report.error = "failed", error.message
            state = PollState("failed", error=error.message)
        except Exception as error:  # one source's surprise must not stop the others
            message = f"unexpected {type(error).__name__}: {error}"[:500]
            report.status, report.error = "failed", message
            state = PollState("failed", error=message)
        report.status = "failed" if state.status == "failed" else state.status
        with self.store.write() as connection:
            source_repo.record_poll(connection, source, state, at)
        return report

    def _context(self, source: Source) -> BatchContext:
        with self.store.read() as connection:
            owner = member_by_id(connection, source.owner_member_id)
        return BatchContext(
            member=owner,
            actor=audit.Actor(member=owner.name),
            source_id=source.id,
            source_tlp=source.tlp,
        )

    def _poll_feed(self, source: Source, report: SourceReport) -> PollState:
        assert source.url
        with self.store.read() as connection:
            etag, modified = source_repo.validators(connection, source)
        fetched = fetch_feed(self.fetcher, source.url, etag=etag, last_modified=modified)
        validators = PollState(
            "ok", etag=fetched.result.etag, last_modified=fetched.result.last_modified
        )
        if fetched.feed is None:
            validators.status = "not-modified"
            # The feed did not change, but entries that failed last time may work now.
            with self.store.read() as connection:
                retry = feed_items.retryable(connection, source.id, self.options.entry_attempts)
            self._store_entries(
                source,
                [FeedEntry(id=key, url=url, title=title) for key, url, title in retry],
                report,
            )
            return validators
        report.problems.extend(fetched.feed.problems)
        self._store_entries(source, fetched.feed.entries, report)
        return validators

    def _store_entries(
        self, source: Source, entries: Iterable[FeedEntry], report: SourceReport
    ) -> None:
        entries = list(entries)
        with self.store.read() as connection:
            known = feed_items.states(connection, source.id, (entry_key(e) for e in entries))
        context = self._context(source)
        todo = 0
        for entry in entries:
            state = known.get(entry_key(entry))
            if state and (state.state == "stored" or state.attempts >= self.options.entry_attempts):
                report.unchanged += state.state == "stored"
                continue
            if todo >= self.options.max_new_per_poll:
                break
            todo += 1
            self._store_entry(source, entry, context, report)

    def _store_entry(
        self, source: Source, entry: FeedEntry, context: BatchContext, report: SourceReport
    ) -> None:
        key, at = entry_key(entry), datetime.now(UTC)
        location = entry.url or f"{source.url}#entry={entry.id}"
        try:
            if entry.url:
                result = self.fetcher.fetch(entry.url, accept=HTML_TYPES)
                item = page_document(result, location, entry)
            else:
                item = _feed_only_document(entry, location)
        except GatherError as error:
            self._entry_failed(source, key, entry, at, f"{error.code}: {error.message}", report)
            return
        except Exception as error:  # an extractor's bug fails this entry only
            self._entry_failed(source, key, entry, at, f"{type(error).__name__}: {error}", report)
            return
        with self.store.write() as connection:
            outcome = document_repo.store_batch(connection, [Offer(location, item)], context)[0]
            document_id = outcome.document_id or outcome.existing_id
            feed_items.record(
                connection, source.id, key, entry, "stored", at, document_id=document_id
            )
        if outcome.status in (IngestStatus.STORED, IngestStatus.NEW_VERSION):
            report.stored += 1
        else:
            report.unchanged += 1

    def _entry_failed(
        self,
        source: Source,
        key: str,
        entry: FeedEntry,
        at: datetime,
        note: str,
        report: SourceReport,
    ) -> None:
        report.failed += 1
        with self.store.write() as connection:
            feed_items.record(connection, source.id, key, entry, "failed", at, error=note[:1000])

    def _poll_sitemap(self, source: Source, report: SourceReport) -> None:
        assert source.url
        sitemap = fetch_sitemap(
            self.fetcher, source.url, max_urls=self.options.max_new_per_poll * 4
        )
        report.problems.extend(sitemap.problems)
        entries = [
            FeedEntry(id=page.loc, url=page.loc, updated=page.lastmod) for page in sitemap.urls
        ]
        self._store_entries(source, entries, report)

    def _poll_page(self, source: Source, report: SourceReport) -> None:
        assert source.url
        result = self.fetcher.fetch(source.url, accept=HTML_TYPES)
        item = page_document(result, source.url)
        context = self._context(source)
        with self.store.read() as connection:
            latest = document_repo.latest_text(connection, context.member.id, source.url)
        if latest == item.text:  # same article, other bytes (a token, a timestamp, an ad)
            report.unchanged += 1
            return
        with self.store.write() as connection:
            outcome = document_repo.store_batch(connection, [Offer(source.url, item)], context)[0]
        if outcome.status in (IngestStatus.STORED, IngestStatus.NEW_VERSION):
            report.stored += 1
        else:
            report.unchanged += 1

    def watch(
        self, stop: threading.Event, on_report: Callable[[SourceReport], None], tick: float = 30.0
    ) -> None:
        """Poll whatever is due, then sleep ``tick`` seconds, until ``stop`` is set."""
        while not stop.is_set():
            for report in self.gather_due():
                on_report(report)
                if stop.is_set():
                    return
            stop.wait(tick)


def _feed_only_document(entry: FeedEntry, location: str) -> DocumentIn:
    text = _entry_text(entry)
    if not text:
        raise GatherError(f"the entry {entry.id!r} has neither a link nor text", "nothing to store")
    raw = (entry.content_html or entry.summary or "").encode()
    return DocumentIn(
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        location=location,
        title=entry.title,
        language=entry.language,
        published=entry.published,
        fetched=datetime.now(UTC),
        content_type="text/html",
        size=len(raw),
        meta={"feed_entry": entry.id, "text_from": "feed entry"},
    )
