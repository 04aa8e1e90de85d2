"""Response and request models of the claims ledger (propositions, grades, records)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class LedgerClaim(BaseModel):
    claim_id: int
    document_id: int
    title: str | None
    published: str | None
    source: str
    source_id: int | None
    reliability: str = Field(description="The source's reliability, A to F.")
    claimant: str | None
    claimant_kind: str | None
    claimant_entity: str | None
    cue: str
    stance: str
    content: str
    content_start: int
    content_end: int
    claim_date: str | None
    copy_of: int | None = Field(description="The document this claim's document copies.")
    group: str = Field(description="The independence group the claim counts in.")


class GradeOut(BaseModel):
    value: int = Field(ge=1, le=6, description="Admiralty information credibility, 1 to 6.")
    label: str
    explanation: str


class ManualOut(BaseModel):
    value: int
    note: str | None
    set_by: str
    member: str
    set_at: str


class Proposition(BaseModel):
    id: int
    text: str
    first_seen: str | None
    last_seen: str | None
    support: int = Field(description="Independent groups supporting it.")
    deny: int
    hedge: int
    disputed: bool
    grade: GradeOut = Field(description="The manual grade if an officer set one, else computed.")
    computed: GradeOut
    manual: ManualOut | None
    groups: list[str]
    claims: list[LedgerClaim]


class PropositionPage(BaseModel):
    items: list[Proposition]
    next: str | None


class GradeIn(BaseModel):
    """An officer's grade: 1 (confirmed) to 6 (cannot be judged), or null to clear it."""

    grade: int | None = Field(ge=1, le=6)
    note: str | None = Field(default=None, max_length=2000)


class TrackRecord(BaseModel):
    source: str
    source_id: int | None
    reliability: str
    suggested: str = Field(description="The reliability the record suggests; not applied.")
    confirmed: int
    denied: int
    explanation: str


class TrackRecordPage(BaseModel):
    items: list[TrackRecord]
    next: str | None
