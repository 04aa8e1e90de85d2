"""Documents: storing what was received, reading it back, counting it.

Identity rules (docs/ARCHITECTURE.md, "Documents and versions"):
- the same bytes (SHA-256) offered again by the same member are the same document:
  from the same location nothing happens; from a new location the sighting is
  recorded and the item is reported as a duplicate of the stored document;
- new bytes from a location this member already stored are a new version, linked to
  the newest earlier one by ``version_of``; the old version stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row, func, select, text, true

from jic.domain import TLP, Document, DocumentIn, IngestOutcome, IngestStatus
from jic.errors import NotFoundError
from jic.store import audit
from jic.store.members import Member
from jic.store.overview import fold_counts, tally
from jic.store.schema import document_stages, documents, members, sightings, sources
from jic.store.times import as_utc, maybe_utc, now
from jic.store.visibility import OPERATOR, Reader, visible


@dataclass(slots=True)
class Offer:
    """One item offered for storage, with the label the user knows it by."""

    label: str
    item: DocumentIn


@dataclass(slots=True)
class BatchContext:
    member: Member
    actor: audit.Actor
    source_id: int | None = None
    source_tlp: TLP | None = None
    submitted_by: int | None = None  # the user, when a user submitted (RED needs it)
    counts: dict[str, int] = field(default_factory=dict)


_PG_DOCUMENTS_LOCK = 0x6A6964  # advisory lock space for document writes per member
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8}){0,2}$")


def _language(value: str | None) -> str | None:
    """A language tag as BCP 47 writes it, or None ("English (UK)" is not one)."""
    if value and len(value) <= 16 and _LANGUAGE.match(value.strip()):
        return value.strip()
    return None


def store_batch(
    connection: Connection, offers: Sequence[Offer], context: BatchContext
) -> list[IngestOutcome]:
    """Store a batch in the caller's transaction, with one audit entry for it.

    What is already known about the batch (its hashes, its locations) is read in two
    queries, and new documents are written with one multi-row INSERT ... RETURNING,
    so the cost per document stays close to SQLite's own.
    """
    if connection.dialect.name == "postgresql":
        # Two writers storing the same bytes for one member would both insert; queue them.
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:space, :member)"),
            {"space": _PG_DOCUMENTS_LOCK, "member": context.member.id},
        )
    batch = _Batch(connection, context, offers)
    for index, offer in enumerate(offers):
        batch.place(index, offer)
    batch.flush()
    if batch.stored:
        ids = [document_id for document_id, _sha in batch.stored]
        audit.append(
            connection,
            context.actor,
            "documents.ingest",
            object_type="document",
            object_id=f"{ids[0]}..{ids[-1]}",
            detail={
                "stored": ids,
                "sha256": [sha for _id, sha in batch.stored],
                "source_id": context.source_id,
            },
        )
    return [outcome for outcome in batch.outcomes if outcome is not None]


class _Batch:
    """Decides, offer by offer, what storing it means; writes new rows in bulk."""

    def __init__(self, connection: Connection, context: BatchContext, offers: Sequence[Offer]):
        self.connection = connection
        self.context = context
        self.outcomes: list[IngestOutcome | None] = [None] * len(offers)
        self.stored: list[tuple[int, str]] = []
        self.pending: list[tuple[int, Offer, dict[str, Any]]] = []
        member = documents.c.member_id == context.member.id
        shas = {offer.item.sha256 for offer in offers}
        locations = {offer.item.location for offer in offers}
        self.by_sha: dict[str, tuple[int, str]] = {
            row.sha256: (row.id, row.location)
            for row in connection.execute(
                select(documents.c.id, documents.c.sha256, documents.c.location).where(
                    member, documents.c.sha256.in_(shas)
                )
            )
        }
        self.latest: dict[str, int] = {}
        for row in connection.execute(
            select(documents.c.id, documents.c.location)
            .where(member, documents.c.location.in_(locations))
            .order_by(documents.c.id)
        ):
            self.latest[row.location] = row.id
        known_ids = [document_id for document_id, _ in self.by_sha.values()]
        self.sighted = {
            (row.document_id, row.location)
            for row in connection.execute(
                select(sightings.c.document_id, sightings.c.location).where(
                    sightings.c.document_id.in_(known_ids)
                )
            )
        }

    def place(self, index: int, offer: Offer) -> None:
        item = offer.item
        pending_here = any(
            p.item.sha256 == item.sha256 or p.item.location == item.location
            for _, p, _ in self.pending
        )
        if pending_here:  # depends on a row not written yet: write those first
            self.flush()
        if item.sha256 in self.by_sha:
            self.outcomes[index] = self._sighting(offer, *self.by_sha[item.sha256])
            return
        self.pending.append((index, offer, self._row(item)))

    def _row(self, item: DocumentIn) -> dict[str, Any]:
        context = self.context
        meta = dict(item.meta)
        if item.notes:
            meta["notes"] = item.notes
        return {
            "member_id": context.member.id,
            "source_id": context.source_id,
            "location": item.location,
            "url": item.url,
            # PostgreSQL refuses NUL characters in text; they carry nothing anyway.
            "title": item.title.replace("\x00", "") if item.title else item.title,
            "text": item.text.replace("\x00", ""),
            "language": _language(item.language),
            "published_at": item.published,
            "fetched_at": item.fetched,
            "ingested_at": now(),
            "tlp": (item.tlp or context.source_tlp or context.member.default_tlp).value,
            "sha256": item.sha256,
            "content_type": item.content_type,
            "size": item.size,
            "lossy": item.lossy,
            "version_of": self.latest.get(item.location),
            "submitted_by": context.submitted_by,
            "meta": meta or None,
        }

    def flush(self) -> None:
        if not self.pending:
            return
        result = self.connection.execute(
            documents.insert().returning(documents.c.id, sort_by_parameter_order=True),
            [row for _, _, row in self.pending],
        )
        for (index, offer, row), document_id in zip(self.pending, result.scalars(), strict=True):
            item = offer.item
            self.by_sha[item.sha256] = (document_id, item.location)
            self.latest[item.location] = document_id
            self.stored.append((document_id, item.sha256))
            previous = row["version_of"]
            if previous is None:
                outcome = IngestOutcome(
                    offer.label, IngestStatus.STORED, document_id, message="; ".join(item.notes)
                )
            else:
                outcome = IngestOutcome(
                    offer.label,
                    IngestStatus.NEW_VERSION,
                    document_id,
                    existing_id=previous,
                    message=f"new version of document {previous}",
                )
            self.outcomes[index] = outcome
        self.pending.clear()
        fold_counts(self.connection)  # the triggers added a count row per document

    def _sighting(self, offer: Offer, document_id: int, location: str) -> IngestOutcome:
        item = offer.item
        if item.location == location:
            newest = self.latest.get(location, document_id)
            message = "" if newest == document_id else f"back to the text of document {document_id}"
            return IngestOutcome(
                offer.label, IngestStatus.UNCHANGED, existing_id=document_id, message=message
            )
        if (document_id, item.location) not in self.sighted:
            self.sighted.add((document_id, item.location))
            self.connection.execute(
                sightings.insert().values(
                    document_id=document_id,
                    location=item.location,
                    source_id=self.context.source_id,
                    seen_at=item.fetched or now(),
                )
            )
        return IngestOutcome(
            offer.label,
            IngestStatus.DUPLICATE,
            existing_id=document_id,
            message=f"same bytes as document {document_id} ({location})",
        )


def _select() -> Any:
    return (
        select(documents, sources.c.name.label("source_name"), members.c.name.label("member"))
        .outerjoin(sources, sources.c.id == documents.c.source_id)
        .join(members, members.c.id == documents.c.member_id)
    )


def to_document(row: Row[Any]) -> Document:
    return Document(
        id=row.id,
        title=row.title,
        text=row.text,
        url=row.url,
        location=row.location,
        language=row.language,
        published=maybe_utc(row.published_at),
        fetched=maybe_utc(row.fetched_at),
        ingested=as_utc(row.ingested_at),
        source=row.source_name,
        member=row.member,
        tlp=TLP(row.tlp),
        sha256=row.sha256,
        content_type=row.content_type,
        lossy=row.lossy,
        version_of=row.version_of,
        meta=row.meta or {},
    )


def get(connection: Connection, document_id: int, reader: Reader = OPERATOR) -> Document:
    """One document; a document the reader may not see is "not found", like one that
    does not exist, so that its existence is not revealed."""
    row = connection.execute(
        _select().where(documents.c.id == document_id, visible(connection, reader))
    ).first()
    if row is None:
        raise NotFoundError(f"no document {document_id}", "list documents with `jic search`")
    return to_document(row)


def latest_text(connection: Connection, member_id: int, location: str) -> str | None:
    """The text of the newest version a member holds for a location."""
    return connection.execute(
        select(documents.c.text)
        .where(documents.c.member_id == member_id, documents.c.location == location)
        .order_by(documents.c.id.desc())
        .limit(1)
    ).scalar()


def get_many(
    connection: Connection, ids: Sequence[int], reader: Reader = OPERATOR
) -> list[Document]:
    """The documents with these ids that the reader may see, in id order."""
    rows = connection.execute(
        _select()
        .where(documents.c.id.in_(list(ids)), visible(connection, reader))
        .order_by(documents.c.id)
    )
    return [to_document(row) for row in rows]


def iterate(
    connection: Connection, *, batch: int = 500, reader: Reader = OPERATOR
) -> Iterator[Document]:
    """Every document the reader may see, in id order, fetched in batches."""
    last = 0
    while True:
        rows = connection.execute(
            _select()
            .where(documents.c.id > last, visible(connection, reader))
            .order_by(documents.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield to_document(row)
        last = rows[-1].id


def count(connection: Connection, reader: Reader = OPERATOR) -> int:
    query = select(func.count()).select_from(documents).where(visible(connection, reader))
    return int(connection.execute(query).scalar_one())


@dataclass(slots=True)
class VisibleCounts:
    """What a reader may see, counted: in all, per source, language and TLP (most
    first; see ``_ranked``)."""

    documents: int
    by_source: list[tuple[str, int]]
    by_language: list[tuple[str, int]]
    by_tlp: list[tuple[str, int]]


def visible_counts(connection: Connection, reader: Reader = OPERATOR) -> VisibleCounts:
    """The counts `GET /api/v1/status` gives, from ``tally`` alone (the counted groups of
    migration 0011: no pass over the documents)."""
    counted = tally(connection, reader)
    nulls_first = connection.dialect.name != "postgresql"
    return VisibleCounts(
        documents=counted.total,
        by_source=_ranked({name: n for _, name, n in counted.sources}, "(no source)", nulls_first),
        by_language=_ranked(counted.languages, "(unknown)", nulls_first),
        by_tlp=_ranked(dict(counted.tlps), "(none)", nulls_first),
    )


@dataclass(slots=True)
class StatusCounts:
    documents: int
    sightings: int
    by_source: list[tuple[str, int]]
    by_language: list[tuple[str, int]]
    by_tlp: list[tuple[str, int]]
    by_stage: list[tuple[str, str, int]]  # stage, state, count
    lossy: int
    versions: int


def status(connection: Connection, reader: Reader = OPERATOR) -> StatusCounts:
    """Counts for `jic status`, over the documents the reader may see only (a count
    must not reveal a hidden item)."""
    seen = visible(connection, reader)
    counted = visible_counts(connection, reader)
    lossy, versions = (
        int(
            connection.execute(
                select(func.count()).select_from(documents).where(seen, condition)
            ).scalar_one()
        )
        for condition in (documents.c.lossy == true(), documents.c.version_of.is_not(None))
    )
    staged = select(document_stages.c.stage, document_stages.c.state, func.count())
    sighted = select(func.count()).select_from(sightings)
    if not reader.is_operator:  # the operator sees every document: no join to make
        staged = staged.join(documents, documents.c.id == document_stages.c.document_id)
        sighted = sighted.join(documents, documents.c.id == sightings.c.document_id)
        staged, sighted = staged.where(seen), sighted.where(seen)
    by_stage = [
        (stage, state, int(n))
        for stage, state, n in connection.execute(
            staged.group_by(document_stages.c.stage, document_stages.c.state).order_by(
                document_stages.c.stage, document_stages.c.state
            )
        )
    ]
    return StatusCounts(
        documents=counted.documents,
        sightings=int(connection.execute(sighted).scalar_one()),
        by_source=counted.by_source,
        by_language=counted.by_language,
        by_tlp=counted.by_tlp,
        by_stage=by_stage,
        lossy=lossy,
        versions=versions,
    )


def _ranked(counts: dict[Any, int], label_none: str, nulls_first: bool) -> list[tuple[str, int]]:
    """Most first, then by value as SQL orders it (code points: the databases use C
    collation; NULL first on SQLite, last on PostgreSQL), NULL shown as ``label_none``."""

    def key(item: tuple[Any, int]) -> tuple[int, int, str]:
        value, n = item
        rank = (0 if nulls_first else 2) if value is None else 1
        return (-n, rank, "" if value is None else str(value))

    return [
        (value if value is not None else label_none, n)
        for value, n in sorted(counts.items(), key=key)
    ]
