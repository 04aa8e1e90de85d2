"""Exports of documents as JSON Lines or CSV, with what processing found in them.

One JSON object per document; its shape is the export schema, src/jic/data/export-schema.json
(JSON Schema, versioned by ``SCHEMA_VERSION``; a test validates exports against it).
Timestamps are ISO 8601 in UTC with a trailing Z. ``text`` is the clean text once the
``clean`` stage has run (the raw text before), and every span in ``entities``,
``places``, ``dates``, ``claims`` and ``events`` is a character offset into it, given
with the text it covers. In CSV, list and object fields are JSON inside their cell.

``jic export claims`` and ``jic export events`` write one row per claim or event of the
documents the reader may see (the same read path as the document export), with the
document's id; in their CSV, the one-level objects (claimant, cue, content, ...) are
flattened into ``name_field`` columns, so a spreadsheet shows them directly.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from sqlalchemy import Connection

from jic.domain import Document
from jic.errors import InputError
from jic.store import documents as document_repo
from jic.store import processing
from jic.store import stories as story_repo
from jic.store.times import iso
from jic.store.visibility import OPERATOR, Reader

SCHEMA_VERSION = "3"
FORMATS = ("jsonl", "csv")
DOCUMENT_FIELDS = (
    "schema",
    "id",
    "url",
    "location",
    "source",
    "member",
    "title",
    "language",
    "published",
    "fetched",
    "ingested",
    "tlp",
    "sha256",
    "content_type",
    "lossy",
    "version_of",
    "duplicate_of",
    "story",
    "text",
    "entities",
    "places",
    "dates",
    "claims",
    "events",
)


def document_record(
    document: Document, found: dict[str, Any] | None = None, story: int | None = None
) -> dict[str, Any]:
    """A document and its processed fields (``found``: the stage outputs merged)."""
    found = found or {}
    text = found.get("clean_text", document.text)
    return {
        "schema": SCHEMA_VERSION,
        "id": document.id,
        "url": document.url,
        "location": document.location,
        "source": document.source,
        "member": document.member,
        "title": document.title,
        "language": found.get("language", document.language),
        "published": iso(document.published) if document.published else None,
        "fetched": iso(document.fetched) if document.fetched else None,
        "ingested": iso(document.ingested),
        "tlp": document.tlp.value,
        "sha256": document.sha256,
        "content_type": document.content_type,
        "lossy": document.lossy,
        "version_of": document.version_of,
        "duplicate_of": found.get("duplicate_of"),
        "story": story,
        "text": text,
        "entities": _entities(found, text),
        "places": [_place(place, text) for place in found.get("places", [])],
        "dates": [
            {
                "text": d["text"],
                "start": d["start"],
                "end": d["end"],
                "date": d["date"],
                "range": d["range"],
                "granularity": d["granularity"],
            }
            for d in found.get("dates", [])
        ],
        "claims": [_claim(claim, text) for claim in found.get("claims", [])],
        "events": [_event(event, text, found) for event in found.get("events", [])],
    }


def _entities(found: dict[str, Any], text: str) -> list[dict[str, Any]]:
    spans: dict[str, list[dict[str, Any]]] = {}
    for start, end, key, _label in found.get("entity_mentions", []):
        spans.setdefault(key, []).append({"start": start, "end": end, "text": text[start:end]})
    return [
        {
            "id": e["id"],
            "name": e["name"],
            "type": e["type"],
            "aliases": e["aliases"],
            "country": e["country"],
            "mentions": spans.get(e["id"], []),
        }
        for e in found.get("entities", [])
    ]


def _place(place: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "name": place["name"],
        "geonames_id": place["geonames_id"] or None,
        "lat": place["lat"],
        "lon": place["lon"],
        "country": place["country"],
        "admin1": place["admin1"] or None,
        "feature_class": place["feature_class"],
        "approximate": place.get("approximate", False),
        "mentions": [
            {"start": start, "end": end, "text": text[start:end]}
            for start, end in place["mentions"]
        ],
    }


def _span(span: dict[str, Any] | None, text: str) -> dict[str, Any] | None:
    """A stored span as exported: offsets into the clean text and the words they cover."""
    if span is None:
        return None
    start, end = span["start"], span["end"]
    return {"start": start, "end": end, "text": text[start:end]}


def _day(value: str | None) -> str | None:
    """An ISO date or date-time as its day (claim dates are stored as midnight UTC)."""
    return value[:10] if value else None


def _claim(claim: dict[str, Any], text: str) -> dict[str, Any]:
    claimant = claim.get("claimant")
    return {
        "claimant": (
            None
            if claimant is None
            else {
                **_span(claimant, text),  # type: ignore[dict-item]
                "kind": claimant["kind"],
                "entity_id": claimant.get("entity_id"),
                "resolved": claimant.get("resolved"),
            }
        ),
        "cue": {**_span(claim["cue"], text), "lemma": claim["cue"]["lemma"]},  # type: ignore[dict-item]
        "stance": claim["stance"],
        "content": _span(claim["content"], text),
        "sentence": _span(claim["sentence"], text),
        "channel": claim.get("channel"),
        "refers_to": claim.get("refers_to"),
        "claim_time": _span(claim.get("claim_time"), text),
        "claim_date": _day(claim.get("claim_date")),
    }


def _event(event: dict[str, Any], text: str, found: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": event["type"],
        "trigger": _span(event["trigger"], text),
        "sentence": _span(event["sentence"], text),
        "sources": [_actor(actor, text) for actor in event["sources"]],
        "targets": [_actor(actor, text) for actor in event["targets"]],
        "place": _event_place(event, text, found.get("places", [])),
        "date": _event_date(event.get("date"), text, found.get("dates", [])),
        "mode": event.get("mode") or None,
        "context": event.get("context") or None,
        "negated": event.get("negated", False),
        "intended": event.get("intended"),
    }


def _actor(actor: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        **_span(actor["span"], text),  # type: ignore[dict-item]
        "entity_id": actor.get("entity_id"),
        "country": actor.get("country"),
        "state": actor.get("state", False),
        "armed": actor.get("armed", False),
    }


def _event_place(
    event: dict[str, Any], text: str, places: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The event's place with the gazetteer record the places stage gave its words."""
    span = event.get("place")
    if span is None:
        return None
    record = next(
        (
            place
            for place in places
            for start, end in place["mentions"]
            if start <= span["start"] and span["end"] <= end
        ),
        None,
    )
    place_id = event.get("place_id") or ""
    return {
        **_span(span, text),  # type: ignore[dict-item]
        "name": record["name"] if record else None,
        "geonames_id": (
            (record["geonames_id"] or None)
            if record
            else (int(place_id) if place_id.isdigit() else None)
        ),
        "country": record["country"] if record else None,
    }


def _event_date(
    span: dict[str, Any] | None, text: str, dates: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The event's date words with the day the dates stage resolved them to, if any."""
    if span is None:
        return None
    resolved = next(
        (d for d in dates if d["start"] <= span["start"] and span["end"] <= d["end"]), None
    )
    return {
        **_span(span, text),  # type: ignore[dict-item]
        "date": resolved["date"] if resolved else None,
        "range": resolved["range"] if resolved else None,
    }


def records(
    connection: Connection, *, batch: int = 500, reader: Reader = OPERATOR
) -> Iterator[dict[str, Any]]:
    """Every document the reader may see, with its processed fields, in id order."""
    pending: list[Document] = []
    for document in document_repo.iterate(connection, batch=batch, reader=reader):
        pending.append(document)
        if len(pending) == batch:
            yield from _with_outputs(connection, pending)
            pending = []
    yield from _with_outputs(connection, pending)


def full_record(connection: Connection, document: Document) -> dict[str, Any]:
    """One document with everything processing found in it (the API's document view)."""
    return next(_with_outputs(connection, [document]))


def _with_outputs(connection: Connection, documents: list[Document]) -> Iterator[dict[str, Any]]:
    if not documents:
        return
    ids = [d.id for d in documents]
    outputs = processing.outputs(connection, ids)
    in_story = story_repo.story_of(connection, ids)
    for document in documents:
        merged: dict[str, Any] = {}
        for output in outputs.get(document.id, {}).values():
            merged.update(output)
        yield document_record(document, merged, in_story.get(document.id))


def write_records(
    rows: Iterable[dict[str, Any]],
    out: TextIO,
    fmt: str,
    fields: tuple[str, ...] = DOCUMENT_FIELDS,
) -> int:
    """Write export records to ``out``; returns how many were written."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    if fmt == "jsonl":
        return _write_jsonl(iter(rows), out)
    return _write_csv(iter(rows), out, fields)


def _write_jsonl(rows: Iterator[dict[str, Any]], out: TextIO) -> int:
    count = 0
    for record in rows:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def _write_csv(rows: Iterator[dict[str, Any]], out: TextIO, fields: tuple[str, ...]) -> int:
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    count = 0
    for record in rows:
        writer.writerow(
            {
                k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
                for k, v in record.items()
            }
        )
        count += 1
    return count


STORY_FIELDS = ("id", "title", "start", "end", "places", "entities", "documents", "copies")


def write_stories(views: Iterable[Any], out: TextIO, fmt: str) -> int:
    """Stories as JSON Lines (one object each) or CSV (lists as JSON in their cells)."""
    return write_records((view.record() for view in views), out, fmt, STORY_FIELDS)


def _columns(prefix: str, names: str) -> tuple[str, ...]:
    return tuple(f"{prefix}_{name}" for name in names.split())


SPAN_COLUMNS = "text start end"
ROW_FIELDS = ("schema", "document", "tlp", "index")
CLAIM_FIELDS = (
    *ROW_FIELDS,
    *_columns("claimant", f"{SPAN_COLUMNS} kind entity_id resolved"),
    *_columns("cue", f"{SPAN_COLUMNS} lemma"),
    "stance",
    *_columns("content", SPAN_COLUMNS),
    *_columns("sentence", SPAN_COLUMNS),
    "channel",
    "refers_to",
    *_columns("claim_time", SPAN_COLUMNS),
    "claim_date",
)
EVENT_FIELDS = (
    *ROW_FIELDS,
    "type",
    *_columns("trigger", SPAN_COLUMNS),
    *_columns("sentence", SPAN_COLUMNS),
    "sources",
    "targets",
    *_columns("place", f"{SPAN_COLUMNS} name geonames_id country"),
    *_columns("date", f"{SPAN_COLUMNS} date range"),
    "mode",
    "context",
    "negated",
    "intended",
)
FACTS = {"claims": CLAIM_FIELDS, "events": EVENT_FIELDS}


def fact_rows(
    connection: Connection, what: str, *, batch: int = 500, reader: Reader = OPERATOR
) -> Iterator[dict[str, Any]]:
    """One row per claim or event (``what``) of every document the reader may see.

    The rows come from the document records themselves, so they pass the same sharing
    policy; each carries its document's id and TLP, and its place in the document's
    list (``index``, which ``refers_to`` points at).
    """
    if what not in FACTS:
        raise InputError(f"nothing called {what!r} to export", f"use one of {', '.join(FACTS)}")
    for record in records(connection, batch=batch, reader=reader):
        for index, item in enumerate(record[what]):
            yield {
                "schema": SCHEMA_VERSION,
                "document": record["id"],
                "tlp": record["tlp"],
                "index": index,
                **item,
            }


def write_facts(rows: Iterable[dict[str, Any]], out: TextIO, fmt: str, what: str) -> int:
    """Claim or event rows as JSON Lines, or as CSV with their objects flattened."""
    if fmt == "csv":
        rows = (_flatten(row, FACTS[what]) for row in rows)
    return write_records(rows, out, fmt, FACTS[what])


def _flatten(row: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """One-level objects become ``name_field`` columns; an absent object, empty cells."""
    flat: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            flat.update({f"{key}_{name}": inner for name, inner in value.items()})
        elif value is not None or key in fields:
            flat[key] = value
    return flat
