"""The stages that read who said what and what happened (issue 5).

    claims   attributed statements: claimant, cue, stance, content, channel, time
    events   reported actions coded as PLOVER events, with actors and place

Both work on English documents, from the shared spaCy pass, re-parsing only the
sentences that carry an attribution cue or an event word. Offsets are into
``clean_text``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import jic.process.nlp_stages  # noqa: F401  (the stages these rest on register first)
from jic.process.registry import Stage, StageContext, Work, registry

READ_LIMIT = 50_000  # characters of a document that claims and events read


def _head(doc: Any) -> Any:
    """The document's first READ_LIMIT characters as a Doc (offsets unchanged): a clear
    limit, so that a huge document costs at most that much parsing."""
    if len(doc.text) <= READ_LIMIT:
        return doc
    end = next((t.i for t in doc if t.idx >= READ_LIMIT), len(doc))
    return doc[:end].as_doc()


def _published(work: Work) -> datetime:
    value = work.fields.get("published")
    if value:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return work.document.ingested.astimezone(UTC)


class CachedLemmatizer:
    """spaCy's rule lemmatizer with its answers remembered per word form, tag, part of
    speech and morphology: the same lemmas, about six times faster on news text (its
    own per-token work dominated the claims stage's parse)."""

    LIMIT = 200_000  # remembered forms before the memory starts again

    def __init__(self, lemmatizer: Any) -> None:
        self.lemmatizer = lemmatizer
        self.memory: dict[tuple[int, int, int, int], str] = {}

    def __call__(self, doc: Any) -> Any:
        if len(self.memory) > self.LIMIT:
            self.memory.clear()
        for token in doc:
            if token.lemma != 0:  # set by the attribute ruler: kept, as spaCy does
                continue
            key = (token.orth, token.tag, token.pos, token.morph.key)
            lemma = self.memory.get(key)
            if lemma is None:
                lemma = self.memory[key] = self.lemmatizer.lemmatize(token)[0]
            token.lemma_ = lemma
        return doc

    def pipe(self, docs: Any, batch_size: int = 64) -> Any:
        for doc in docs:
            yield self(doc)


def _shared_parser(context: StageContext) -> Any:
    """One sentence parser for claims and events, remembering what it parsed in the
    current batch, so a sentence both stages look at is parsed once."""
    from jic.process.claims import SentenceParser
    from jic.process.nlp_stages import load_english

    class BatchParser(SentenceParser):
        def __init__(self, nlp: Any) -> None:
            super().__init__(nlp)
            self.memory: dict[tuple[int, int, int], Any] = {}
            names = [name for name in self.COMPONENTS[1:] if name in nlp.component_names]
            self._pipes = [
                CachedLemmatizer(pipe) if name == "lemmatizer" else pipe
                for name, pipe in zip(names, self._pipes, strict=True)
            ]

        def parse_many(self, sentences: Sequence[Any]) -> list[Any]:
            keys = [(id(s.doc), s.start_char, s.end_char) for s in sentences]
            missing = [s for s, k in zip(sentences, keys, strict=True) if k not in self.memory]
            for sentence, parsed in zip(missing, super().parse_many(missing), strict=True):
                self.memory[(id(sentence.doc), sentence.start_char, sentence.end_char)] = parsed
            return [self.memory[k] for k in keys]

    nlp = context.resource("spacy-en", load_english)
    return context.resource("sentence-parser", lambda: BatchParser(nlp))


def _resolve_time(text: str, published: datetime | None) -> datetime | None:
    """When a statement was made ("on Saturday"), against the publication date."""
    from jic.process.dates import resolve

    if published is None:
        return None
    found = resolve(text, published.date())
    if found.date is None:
        return None
    return datetime(found.date.year, found.date.month, found.date.day, tzinfo=UTC)


def _plain(value: Any) -> Any:
    """Dataclasses, enums and datetimes as JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, int | float | str):
        return value.value
    return value


@registry.stage(
    "claims",
    version=1,
    requires=("clean_text", "language", "_spacy", "published", "entity_mentions"),
    assigns=("claims", "claims_skipped", "claims_note"),
)
def make_claims(context: StageContext) -> Stage:
    """Attributed claims from the parse of the sentences that carry a cue."""
    from jic.process.claims import ClaimOptions, analyse_claims

    parser = _shared_parser(context)
    options = ClaimOptions(resolve_time=_resolve_time)

    def run(batch: list[Work]) -> None:
        parser.memory.clear()  # claims run first in a batch; events then reuse its parses
        for work in batch:
            doc = work.fields["_spacy"]
            work.fields["claims_note"] = None
            if doc is None:
                work.fields["claims"], work.fields["claims_skipped"] = [], []
                continue
            if len(doc.text) > READ_LIMIT:
                work.fields["claims_note"] = f"claims read the first {READ_LIMIT} characters"
                doc = _head(doc)
            result = analyse_claims(doc, parser=parser, published=_published(work), options=options)
            entities = {(start, end): key for start, end, key, _ in work.fields["entity_mentions"]}
            claims = []
            for claim in result.claims:
                record = _plain(claim)
                if claim.claimant is not None:
                    span = (claim.claimant.start, claim.claimant.end)
                    record["claimant"]["entity_id"] = entities.get(span) or _inside(span, entities)
                claims.append(record)
            work.fields["claims"] = claims
            work.fields["claims_skipped"] = _plain(result.skipped)

    return run


def _inside(span: tuple[int, int], entities: dict[tuple[int, int], str]) -> str | None:
    """The entity whose mention lies inside the claimant's words ("Peskov, spokesman ...")."""
    for (start, end), key in entities.items():
        if span[0] <= start and end <= span[1]:
            return key
    return None


@registry.stage(
    "events",
    version=1,
    requires=("clean_text", "language", "_spacy", "entities", "entity_mentions", "places"),
    assigns=("events", "events_skipped"),
)
def make_events(context: StageContext) -> Stage:
    """PLOVER events from sentences that hold an event word, parsed on their own."""
    from jic.process.events import EventCoder, Mention
    from jic.process.nlp_stages import load_english

    # The NER pass's model lends its parser; candidate sentences parse in one batch, and
    # those the claims stage parsed already are not parsed again.
    parser = _shared_parser(context)
    coder = EventCoder(context.resource("spacy-en", load_english), parse_many=parser.parse_many)

    def run(batch: list[Work]) -> None:
        for work in batch:
            doc = work.fields["_spacy"]
            if doc is None:
                work.fields["events"], work.fields["events_skipped"] = [], []
                continue
            countries = {e["id"]: e["country"] for e in work.fields["entities"]}
            actors = [
                Mention(start, end, countries.get(key), key)
                for start, end, key, _label in work.fields["entity_mentions"]
            ]
            places = [
                Mention(start, end, None, str(place["geonames_id"] or place["name"]))
                for place in work.fields["places"]
                for start, end in place["mentions"]
            ]
            result = coder.code_doc(_head(doc), actors=actors, places=places)
            work.fields["events"] = _plain(result.events)
            work.fields["events_skipped"] = _plain(result.skipped)

    return run
