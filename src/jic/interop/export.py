"""Exports of documents as JSON Lines or CSV.

The field list is the export schema (docs/export-schema.json describes it; a test
validates exports against it). Timestamps are ISO 8601 in UTC with a trailing Z.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from jic.domain import Document
from jic.errors import InputError
from jic.store.times import iso

FORMATS = ("jsonl", "csv")
DOCUMENT_FIELDS = (
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
    "text",
)


def document_record(document: Document) -> dict[str, Any]:
    return {
        "id": document.id,
        "url": document.url,
        "location": document.location,
        "source": document.source,
        "member": document.member,
        "title": document.title,
        "language": document.language,
        "published": iso(document.published) if document.published else None,
        "fetched": iso(document.fetched) if document.fetched else None,
        "ingested": iso(document.ingested),
        "tlp": document.tlp.value,
        "sha256": document.sha256,
        "content_type": document.content_type,
        "lossy": document.lossy,
        "version_of": document.version_of,
        "text": document.text,
    }


def write_documents(documents: Iterable[Document], out: TextIO, fmt: str) -> int:
    """Write every document to ``out``; returns how many were written."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    records = (document_record(document) for document in documents)
    if fmt == "jsonl":
        return _write_jsonl(records, out)
    return _write_csv(records, out)


def _write_jsonl(records: Iterator[dict[str, Any]], out: TextIO) -> int:
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def _write_csv(records: Iterator[dict[str, Any]], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=DOCUMENT_FIELDS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow(record)
        count += 1
    return count
