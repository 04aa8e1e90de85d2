"""Exports of documents as JSON Lines or CSV, with what processing found in them.

One JSON object per document; its shape is the export schema, docs/export-schema.json
(JSON Schema, versioned by ``SCHEMA_VERSION``; a test validates exports against it).
Timestamps are ISO 8601 in UTC with a trailing Z. ``text`` is the clean text once the
``clean`` stage has run (the raw text before), and every span in ``entities``,
``places`` and ``dates`` is a character offset into it. In CSV, list and object fields
are JSON inside their cell.
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

SCHEMA_VERSION = "2"
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
