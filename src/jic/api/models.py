"""The API's response models, so that the OpenAPI schema says exactly what comes back.

The document record is not here: it is the export schema (src/jic/data/export-schema.json),
put into the OpenAPI components by ``jic.api.openapi``, so the API and the export
cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: str
    version: str


class Status(BaseModel):
    """Counts over the documents the reader may see."""

    documents: int
    sources: dict[str, int]
    languages: dict[str, int]
    tlp: dict[str, int]


class Hit(BaseModel):
    id: int
    title: str | None
    snippet: str = Field(description="HTML: user text escaped, matches in <mark>.")
    score: float
    source: str | None
    language: str | None
    published: str | None
    url: str | None


class FacetValue(BaseModel):
    value: str
    count: int


class SearchPage(BaseModel):
    query: str
    total: int = Field(
        description="Matches the reader may see, on every page; a lower bound when"
        " `total_exact` is false."
    )
    total_exact: bool = Field(
        default=True,
        description="False when there are more than `total` matches: a search counts up to"
        " 10,000 unless `exhaustive=true` (show it as 10,000+). The source, language and"
        " TLP facets then count the newest `total` matches.",
    )
    ranked_within: int | None = Field(
        default=None,
        description="Set when the hits are the best of only the newest this many matches"
        " (there were more); null when every match was ranked.",
    )
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] | None = Field(
        description=(
            "Counts per field (source, language, tlp, entity, place, event_type) over every"
            " match (null unless `facets=true`)."
        )
    )
    facets_sampled: int | None = Field(
        default=None,
        description=(
            "Set when the entity, place and event_type facets counted only this many of"
            " the newest matches; the total and the other facets are exact."
        ),
    )
    next: str | None = Field(description="Cursor of the next page; null on the last.")


class DocumentPage(BaseModel):
    total: int
    total_exact: bool = Field(
        default=True, description="False when `total` is a lower bound (past 10,000)."
    )
    items: list[Hit]
    next: str | None


class Outcome(BaseModel):
    item: str
    status: str = Field(description="stored, unchanged, duplicate, new_version or failed.")
    id: int | None
    message: str


class Submitted(BaseModel):
    outcomes: list[Outcome]


class SourceOut(BaseModel):
    name: str
    kind: str
    url: str | None
    owner: str
    tlp: str | None
    reliability: str
    every_seconds: int | None
    enabled: bool
    last_polled_at: str | None
    last_status: str | None
    last_error: str | None
    ownership_group: str | None


class SourcePage(BaseModel):
    items: list[SourceOut]
    next: str | None


class MemberOut(BaseModel):
    name: str
    founding: bool
    rotation_position: int | None = Field(description="1-based place in the rotation.")
    default_tlp: str


class MemberPage(BaseModel):
    items: list[MemberOut]
    next: str | None


class TermOut(BaseModel):
    chair: str
    start: str
    end: str


class Chair(BaseModel):
    at: str
    chair: str | None = Field(description="Null before the first term starts.")
    term_start: str | None
    term_end: str | None
    next: list[TermOut]


class AuditEntry(BaseModel):
    id: int
    at: str
    user: str | None
    member: str | None
    action: str
    object: str | None
    detail: dict[str, Any] | None


class AuditPage(BaseModel):
    items: list[AuditEntry]
    next: str | None


class StoryOut(BaseModel):
    id: int
    title: str
    start: str | None
    end: str | None
    places: list[str]
    entities: list[str]
    documents: list[int]
    copies: list[int]


class StoryPage(BaseModel):
    items: list[StoryOut]
    next: str | None
