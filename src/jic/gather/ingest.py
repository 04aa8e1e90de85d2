"""Ingest: offer items to the store in batches, one transaction per batch.

A batch commits whole or not at all, so a crash or Ctrl-C loses at most the batch in
flight and leaves nothing half-written; what was committed stays, and re-running the
same ingest repeats nothing (the same bytes are recognised and skipped).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy.exc import DBAPIError

from jic.domain import IngestOutcome, IngestStatus
from jic.store import audit
from jic.store import documents as document_repo
from jic.store import members as member_repo
from jic.store import sources as source_repo
from jic.store.database import Store
from jic.store.documents import BatchContext, Offer

Progress = Callable[[IngestOutcome], None]


@dataclass(slots=True)
class IngestReport:
    outcomes: list[IngestOutcome] = field(default_factory=list)

    @property
    def counts(self) -> Counter[IngestStatus]:
        return Counter(outcome.status for outcome in self.outcomes)

    @property
    def failed(self) -> list[IngestOutcome]:
        return [o for o in self.outcomes if o.status is IngestStatus.FAILED]

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass(slots=True)
class IngestTarget:
    """Whose documents these are and where they come from."""

    member: str
    source: str | None = None
    user: str | None = None
    user_id: int | None = None
    batch_size: int = 200


def ingest(
    store: Store,
    items: Iterable[Offer | IngestOutcome],
    target: IngestTarget,
    progress: Progress | None = None,
) -> IngestReport:
    """Store every offer, record every outcome, and return them all."""
    report = IngestReport()
    with store.write() as connection:
        member = member_repo.get_member(connection, target.member)
        actor = audit.Actor(member=member.name, user=target.user)
        context = BatchContext(member=member, actor=actor, submitted_by=target.user_id)
        if target.source:
            source = source_repo.get_or_create(connection, target.source, owner=member, actor=actor)
            context.source_id, context.source_tlp = source.id, source.tlp

    def note(outcome: IngestOutcome) -> None:
        report.outcomes.append(outcome)
        if progress is not None:
            progress(outcome)

    # Failures wait with the offers so outcomes come back in the order items were given.
    pending: list[Offer | IngestOutcome] = []

    def flush() -> None:
        offers = [item for item in pending if isinstance(item, Offer)]
        stored: Iterator[IngestOutcome] = iter(())
        if offers:
            stored = iter(_store_offers(store, offers, context))
        for item in pending:
            note(item if isinstance(item, IngestOutcome) else next(stored))
        pending.clear()

    for item in items:
        pending.append(item)
        if len(pending) >= target.batch_size:
            flush()
    flush()
    return report


def _store_offers(store: Store, offers: list[Offer], context: BatchContext) -> list[IngestOutcome]:
    """Store a batch; if the database refuses it, store item by item so that only the
    item it refuses fails (with the database's reason) and every other one is kept."""
    try:
        with store.write() as connection:
            return document_repo.store_batch(connection, offers, context)
    except DBAPIError:
        pass  # fall through: find the item it refuses
    outcomes = []
    for offer in offers:
        try:
            with store.write() as connection:
                outcomes.extend(document_repo.store_batch(connection, [offer], context))
        except DBAPIError as error:
            reason = str(error.orig).splitlines()[0] if error.orig else type(error).__name__
            outcomes.append(
                IngestOutcome(
                    offer.label, IngestStatus.FAILED, message=f"the database refused it: {reason}"
                )
            )
    return outcomes
