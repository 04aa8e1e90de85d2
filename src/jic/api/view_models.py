"""Response models of the views (entities, events, claims, places, timeline, graph)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from jic.store.times import iso


class EntityOut(BaseModel):
    key: str
    name: str
    type: str
    documents: int = Field(description="Documents you may see that mention it.")
    mentions: int


class EntityPage(BaseModel):
    items: list[EntityOut]
    next: str | None


class Actor(BaseModel):
    text: str | None
    entity_id: str | None
    country: str | None


class EventOut(BaseModel):
    id: int
    document_id: int
    title: str | None
    type: str = Field(description="PLOVER event type.")
    trigger: str
    trigger_span: list[int] = Field(description="[start, end] in the clean text.")
    sentence: str
    sentence_span: list[int]
    sources: list[Actor]
    targets: list[Actor]
    place: str | None
    place_key: str | None
    at: str
    dated_by: str = Field(description="event, published or ingested.")


def _actor(found: dict[str, Any]) -> Actor:
    return Actor(
        text=found.get("text"), entity_id=found.get("entity_id"), country=found.get("country")
    )


def event_out(row: dict[str, Any], texts: dict[int, str]) -> EventOut:
    start, end = row["sentence_start"], row["sentence_end"]
    return EventOut(
        id=row["id"],
        document_id=row["document_id"],
        title=row["title"],
        type=row["type"],
        trigger=row["trigger"],
        trigger_span=[row["trigger_start"], row["trigger_end"]],
        sentence=texts.get(row["document_id"], "")[start:end],
        sentence_span=[start, end],
        sources=[_actor(a) for a in row["sources"] or []],
        targets=[_actor(a) for a in row["targets"] or []],
        place=row["place_name"],
        place_key=row["place_key"],
        at=iso(row["at"]),
        dated_by=row["dated_by"],
    )


class EventPage(BaseModel):
    items: list[EventOut]
    next: str | None


class ClaimOut(BaseModel):
    id: int
    document_id: int
    title: str | None
    claimant: str | None
    claimant_entity: str | None
    cue: str
    stance: str
    content: str
    content_span: list[int]
    proposition_id: int | None
    at: str
    dated_by: str = Field(description="claim, published or ingested.")


def claim_out(row: dict[str, Any]) -> ClaimOut:
    return ClaimOut(
        id=row["id"],
        document_id=row["document_id"],
        title=row["title"],
        claimant=row["claimant"],
        claimant_entity=row["claimant_entity"],
        cue=row["cue"],
        stance=row["stance"],
        content=row["content"],
        content_span=[row["content_start"], row["content_end"]],
        proposition_id=row["proposition_id"],
        at=iso(row["at"]),
        dated_by=row["dated_by"],
    )


class ClaimPage(BaseModel):
    items: list[ClaimOut]
    next: str | None


class Point(BaseModel):
    type: Literal["Point"]
    coordinates: list[float] = Field(min_length=2, max_length=2, description="[lon, lat]")


class PlaceProperties(BaseModel):
    key: str
    name: str
    geonames_id: int | None
    country: str | None
    feature_class: str | None
    documents: int
    mentions: int
    events: dict[str, int] = Field(description="Event counts by PLOVER type.")
    event_count: int
    document_ids: list[int] = Field(description="The newest documents mentioning it.")


class Feature(BaseModel):
    type: Literal["Feature"]
    id: str
    geometry: Point
    properties: PlaceProperties


class CollectionProperties(BaseModel):
    since: str | None
    until: str | None
    places: int
    unlocated: int = Field(description="Places mentioned that have no coordinates.")


class FeatureCollection(BaseModel):
    """GeoJSON (RFC 7946)."""

    type: Literal["FeatureCollection"]
    features: list[Feature]
    properties: CollectionProperties


class TimelineItem(BaseModel):
    kind: Literal["event", "claim", "document"]
    at: str
    dated_by: str
    document_id: int
    title: str | None
    span: list[int] | None
    text: str
    type: str | None
    detail: dict[str, Any]


class Bucket(BaseModel):
    start: str
    counts: dict[str, int]
    total: int


class Timeline(BaseModel):
    bucket: str
    since: str | None
    until: str | None
    totals: dict[str, int]
    truncated: bool
    buckets: list[Bucket]
    items: list[TimelineItem]


class Node(BaseModel):
    key: str
    name: str
    type: str
    count: int = Field(description="Documents mentioning it.")


class Evidence(BaseModel):
    document_id: int
    span: list[int] | None
    note: str | None


class Edge(BaseModel):
    source: str
    target: str
    kind: Literal["story", "event", "claim"]
    weight: int
    directed: bool
    evidence: list[Evidence]


class Graph(BaseModel):
    nodes: list[Node]
    edges: list[Edge]
    truncated: bool
