"""Typed records shared by every layer.

These are plain dataclasses: the store turns rows into them, the CLI, API and
exports turn them into text. No layer passes database rows upwards.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class TLP(enum.StrEnum):
    """Traffic Light Protocol 2.0 levels, least to most restricted."""

    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"

    @classmethod
    def parse(cls, value: str) -> TLP:
        """Accept 'amber+strict', 'TLP:AMBER', 'amber_strict', 'white' (TLP 1.0) and so on."""
        text = value.strip().upper().removeprefix("TLP:").replace("_", "+").replace(" ", "")
        if text == "WHITE":
            text = "CLEAR"
        for level in cls:
            if level.value == text:
                return level
        names = ", ".join(level.value for level in cls)
        raise ValueError(f"unknown TLP level {value!r}; use one of {names}")

    @property
    def rank(self) -> int:
        return list(TLP).index(self)


class Reliability(enum.StrEnum):
    """Admiralty scale source reliability."""

    A = "A"  # completely reliable
    B = "B"  # usually reliable
    C = "C"  # fairly reliable
    D = "D"  # not usually reliable
    E = "E"  # unreliable
    F = "F"  # reliability cannot be judged


class IngestStatus(enum.StrEnum):
    """What storing one incoming item did."""

    STORED = "stored"  # a new document
    NEW_VERSION = "new-version"  # same location, changed bytes: a new version of a document
    DUPLICATE = "duplicate"  # these exact bytes are already stored (from another location)
    UNCHANGED = "unchanged"  # same bytes from the same location: nothing to do
    FAILED = "failed"  # could not be stored; see the message
    SKIPPED = "skipped"  # not a kind of file jic reads (inside a folder)


@dataclass(slots=True)
class DocumentIn:
    """A document as received, before it is stored.

    ``location`` identifies where the bytes came from (a URL or a file:// URL); the
    same location with new bytes is a new version of the same document.
    """

    text: str
    sha256: str
    location: str
    title: str | None = None
    url: str | None = None
    language: str | None = None
    published: datetime | None = None
    fetched: datetime | None = None
    source: str | None = None
    tlp: TLP | None = None
    content_type: str = "text/plain"
    size: int = 0
    lossy: bool = False
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Document:
    """A stored document."""

    id: int
    title: str | None
    text: str
    url: str | None
    location: str
    language: str | None
    published: datetime | None
    fetched: datetime | None
    ingested: datetime
    source: str | None
    member: str | None
    tlp: TLP
    sha256: str
    content_type: str
    lossy: bool
    version_of: int | None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class IngestOutcome:
    """The result of offering one item to the store."""

    label: str  # what the user named: a path, a path:line, a URL
    status: IngestStatus
    document_id: int | None = None
    existing_id: int | None = None  # for duplicates and new versions: the document already stored
    message: str = ""


@dataclass(slots=True)
class SearchHit:
    document_id: int
    title: str | None
    snippet: str
    score: float
    source: str | None
    language: str | None
    published: datetime | None
    url: str | None


@dataclass(slots=True)
class SearchResult:
    """A page of search hits. ``total_exact`` is false when there were more than
    ``total`` matches (a bounded search stops counting at 10,000: show "10,000+");
    ``ranked_within`` is set when the page is the best of only the newest that many
    matches (docs/search.md)."""

    query: str
    total: int
    hits: list[SearchHit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    total_exact: bool = True
    ranked_within: int | None = None
