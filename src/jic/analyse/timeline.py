"""Timelines: events, claims and documents over time, as one reader may see them.

An item's time is its event date, else its claim date, else its document's published
time (else the time jic ingested it); ``dated_by`` says which. Counts per bucket and
kind cover everything in scope; the item list holds the newest ``limit`` items, in
time order, and says when it was cut.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from jic.store import views as view_repo
from jic.store.times import iso
from jic.store.visibility import Reader


@dataclass(slots=True)
class TimelineItem:
    """One thing that happened, with the document and span it rests on."""

    kind: str  # "event", "claim" or "document"
    at: datetime
    dated_by: str  # "event", "claim", "published" or "ingested"
    document_id: int
    title: str | None
    span: tuple[int, int] | None  # character offsets into the document's clean text
    text: str
    type: str | None = None  # the event type, or the claim's stance
    detail: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "at": iso(self.at),
            "dated_by": self.dated_by,
            "document_id": self.document_id,
            "title": self.title,
            "span": list(self.span) if self.span else None,
            "text": self.text,
            "type": self.type,
            "detail": self.detail,
        }


@dataclass(slots=True)
class Bucket:
    start: datetime
    counts: dict[str, int]  # kind -> count

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def record(self) -> dict[str, Any]:
        return {"start": iso(self.start), "counts": self.counts, "total": self.total}


@dataclass(slots=True)
class Timeline:
    bucket: str
    since: datetime | None
    until: datetime | None
    items: list[TimelineItem]
    buckets: list[Bucket]
    totals: dict[str, int]  # kind -> count over the whole scope and period
    truncated: bool

    def record(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "since": iso(self.since) if self.since else None,
            "until": iso(self.until) if self.until else None,
            "totals": self.totals,
            "truncated": self.truncated,
            "buckets": [b.record() for b in self.buckets],
            "items": [i.record() for i in self.items],
        }


KINDS = ("event", "claim", "document")


def timeline(
    connection: Connection,
    reader: Reader,
    *,
    story: int | None = None,
    entity: str | None = None,
    place: str | None = None,
    query: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    bucket: str = "day",
    limit: int = 500,
) -> Timeline:
    """Events, claims and documents over time from the documents ``reader`` may see,
    narrowed to a story, an entity (key or name), a place (key, GeoNames id or name)
    or a search query; ``since`` inclusive, ``until`` exclusive."""
    if bucket not in view_repo.BUCKETS:
        raise view_repo.ViewInputError(
            f"unknown bucket {bucket!r}", f"use one of {', '.join(view_repo.BUCKETS)}"
        )
    if not 1 <= limit <= 10_000:
        raise view_repo.ViewInputError(f"limit {limit} is out of range", "give 1 to 10000")
    view_repo.check_period(since, until)
    scope = view_repo.Scope(story=story, entity=entity, place=place, query=query)
    where = view_repo.clauses(connection, reader, scope)
    counted: dict[str, dict[str, int]] = {}
    totals = dict.fromkeys(KINDS, 0)
    for label, kind, n in view_repo.timeline_counts(connection, where, since, until, bucket):
        counted.setdefault(label, dict.fromkeys(KINDS, 0))[kind] += n
        totals[kind] += n
    buckets = [Bucket(view_repo.bucket_start(label), counted[label]) for label in sorted(counted)]
    items = _items(connection, where, since, until, limit)
    return Timeline(
        bucket=bucket,
        since=since,
        until=until,
        items=items,
        buckets=buckets,
        totals=totals,
        truncated=sum(totals.values()) > len(items),
    )


def _items(
    connection: Connection,
    where: list[Any],
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> list[TimelineItem]:
    events = view_repo.timeline_events(connection, where, since, until, limit)
    texts = view_repo.clean_texts(connection, {e["document_id"] for e in events})
    items = [_event_item(e, texts.get(e["document_id"], "")) for e in events]
    items += [
        _claim_item(c) for c in view_repo.timeline_claims(connection, where, since, until, limit)
    ]
    items += [
        _document_item(d)
        for d in view_repo.timeline_documents(connection, where, since, until, limit)
    ]
    order = {kind: n for n, kind in enumerate(KINDS)}
    items.sort(key=lambda i: (i.at, i.document_id, order[i.kind]), reverse=True)
    kept = items[:limit]
    kept.reverse()
    return kept


def _event_item(row: dict[str, Any], clean: str) -> TimelineItem:
    start, end = row["sentence_start"], row["sentence_end"]
    sentence = clean[start:end] if clean else ""
    return TimelineItem(
        kind="event",
        at=row["at"],
        dated_by=row["dated_by"],
        document_id=row["document_id"],
        title=row["title"],
        span=(start, end),
        text=sentence or row["trigger"],
        type=row["type"],
        detail={
            "trigger": row["trigger"],
            "trigger_span": [row["trigger_start"], row["trigger_end"]],
            "sources": [a.get("text") for a in row["sources"] or []],
            "targets": [a.get("text") for a in row["targets"] or []],
            "place": row["place_name"],
            "place_key": row["place_key"],
        },
    )


def _claim_item(row: dict[str, Any]) -> TimelineItem:
    return TimelineItem(
        kind="claim",
        at=row["at"],
        dated_by=row["dated_by"],
        document_id=row["document_id"],
        title=row["title"],
        span=(row["content_start"], row["content_end"]),
        text=row["content"],
        type=row["stance"],
        detail={
            "claimant": row["claimant"],
            "claimant_entity": row["claimant_entity"],
            "cue": row["cue"],
            "proposition_id": row["proposition_id"],
        },
    )


def _document_item(row: dict[str, Any]) -> TimelineItem:
    return TimelineItem(
        kind="document",
        at=row["at"],
        dated_by=row["dated_by"],
        document_id=row["document_id"],
        title=row["title"],
        span=None,
        text=row["title"] or " ".join(str(row["opening"] or "").split()),
        detail={"url": row["url"], "tlp": row["tlp"]},
    )
