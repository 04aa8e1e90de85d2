"""Request and response models of situation reports."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class SitrepLine(BaseModel):
    text: str
    documents: list[int] = Field(description="The documents this line cites.")


class SitrepSection(BaseModel):
    title: str
    lines: list[SitrepLine]
    empty: str = Field(description="What the section says when it has no lines.")


class SitrepCitation(BaseModel):
    id: int
    title: str
    source: str | None
    reliability: str | None
    tlp: str
    at: str | None
    url: str | None
    member: str | None


class Sitrep(BaseModel):
    id: int | None
    title: str
    since: str
    until: str
    place: str | None
    tlp: str = Field(description="The most restrictive TLP of what it cites.")
    status: str = Field(description="draft, submitted or approved.")
    joint_product: bool = Field(description="Approved by the chair's officer.")
    created_at: str | None
    created_by: str | None
    member: str | None
    submitted_at: str | None
    approved_at: str | None
    approved_by: str | None
    approved_member: str | None
    sections: list[SitrepSection]
    citations: list[SitrepCitation]
    documents: list[int]
    notes: list[str]


class SitrepPage(BaseModel):
    items: list[Sitrep]
    next: str | None


class SitrepIn(BaseModel):
    """What to report on: ``[since, until)`` (until: now), optionally one place."""

    since: datetime
    until: datetime | None = None
    place: str | None = Field(default=None, max_length=300)
    title: str | None = Field(default=None, max_length=500)
