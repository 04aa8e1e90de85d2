"""Members' own submissions over the API: one document or a batch, as JSON.

A submission carries its text (or HTML), optional title, URL, publication time,
language, TLP and a note from the submitter. Until sign-in lands (issue 6) the
submitting member is named in the request; afterwards it is the signed-in user's.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from pydantic import BaseModel, Field, model_validator

from jic.domain import TLP, DocumentIn, IngestOutcome, IngestStatus
from jic.gather.extract import extract_html
from jic.store.documents import Offer

MAX_BATCH = 1000


class Submission(BaseModel):
    """One document a member submits."""

    text: str | None = Field(default=None, max_length=20_000_000)
    html: str | None = Field(default=None, max_length=20_000_000)
    title: str | None = Field(default=None, max_length=2000)
    url: str | None = Field(default=None, max_length=4000)
    published: datetime | None = None
    language: str | None = Field(default=None, max_length=16)
    tlp: TLP | None = None
    note: str | None = Field(default=None, max_length=10_000)

    @model_validator(mode="after")
    def _has_content(self) -> Submission:
        if not (self.text and self.text.strip()) and not (self.html and self.html.strip()):
            raise ValueError("a submission needs a non-empty 'text' or 'html'")
        return self


class SubmissionBatch(BaseModel):
    documents: list[Submission] = Field(min_length=1, max_length=MAX_BATCH)


def to_offer(submission: Submission, member: str, label: str) -> Offer | IngestOutcome:
    """A submission as an offer to the store, or a failed outcome saying why."""
    raw = json.dumps(submission.model_dump(mode="json"), sort_keys=True).encode()
    text, title = submission.text, submission.title
    if not (text and text.strip()):
        html = submission.html or ""
        if "<html" not in html[:2000].lower():  # a fragment: give the extractor a page
            html = f"<html><body><article>{html}</article></body></html>"
        extracted = extract_html(html, submission.url)
        if extracted is None:
            return IngestOutcome(label, IngestStatus.FAILED, message="no main text in the HTML")
        text, title = extracted.text, title or extracted.title
    sha = hashlib.sha256(raw).hexdigest()
    published = submission.published
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    meta = {"submitted_by": member}
    if submission.note:
        meta["note"] = submission.note
    return Offer(
        label,
        DocumentIn(
            text=text.strip(),
            sha256=sha,
            location=submission.url or f"jic:submission:{sha}",
            title=title or text.strip().splitlines()[0][:300],
            url=submission.url,
            language=submission.language,
            published=published,
            fetched=datetime.now(UTC),
            tlp=submission.tlp,
            content_type="application/json",
            size=len(raw),
            meta=meta,
        ),
    )
