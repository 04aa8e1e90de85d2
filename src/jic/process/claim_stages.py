"""The stages that read who said what and what happened (issue 5).

    claims   attributed statements: claimant, cue, stance, content, channel, time
    events   reported actions coded as PLOVER events, with actors and place

Both work on English documents, from the shared spaCy pass, re-parsing only the
sentences that carry an attribution cue or an event word. Offsets are into
``clean_text``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy

import jic.process.nlp_stages  # noqa: F401  (the stages these rest on register first)
from jic.process.registry import Stage, StageContext, Work, registry

READ_LIMIT = 50_000  # characters of a document that claims and events read


def _length(doc: Any) -> int:
    """Characters in a Doc, without joining its text (``Doc.text`` rebuilds the string)."""
    return int(doc[-1].idx + len(doc[-1].text_with_ws)) if len(doc) else 0


def _head(doc: Any) -> Any:
    """The document's first READ_LIMIT characters as a Doc (offsets unchanged): a clear
    limit, so that a huge document costs at most that much parsing."""
    if _length(doc) <= READ_LIMIT:
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
    own per-token work dominated the claims stage's parse). Attributes are read and
    written as arrays: a token whose answer is remembered costs no ``Token`` object."""

    LIMIT = 200_000  # remembered forms before the memory starts again

    def __init__(self, lemmatizer: Any) -> None:
        from spacy.attrs import LEMMA, MORPH, ORTH, POS, TAG

        self.lemmatizer = lemmatizer
        self.memory: dict[tuple[int, int, int, int], int] = {}
        self._read = [ORTH, TAG, POS, MORPH, LEMMA]
        # The rule lemmatizer asks whether a candidate lemma is in its word list, a Python
        # list of up to 57,000 nouns: as sets the same answers come without a scan, which
        # was most of the cost of a form seen for the first time.
        lookups = getattr(lemmatizer, "lookups", None)
        if lookups is not None and lookups.has_table("lemma_index"):
            index = lookups.get_table("lemma_index")
            for word_class, words in list(index.items()):
                if isinstance(words, list):
                    index[word_class] = frozenset(words)
        self._write = [LEMMA]

    def __call__(self, doc: Any) -> Any:
        if len(self.memory) > self.LIMIT:
            self.memory.clear()
        strings = doc.vocab.strings
        lemmas = []
        for i, (orth, tag, pos, morph, lemma) in enumerate(doc.to_array(self._read).tolist()):
            if lemma == 0:  # a lemma set by the attribute ruler is kept, as spaCy does
                key = (orth, tag, pos, morph)
                lemma = self.memory.get(key)
                if lemma is None:
                    lemma = self.memory[key] = strings.add(self.lemmatizer.lemmatize(doc[i])[0])
            lemmas.append(lemma)
        if lemmas:
            doc.from_array(self._write, numpy.array(lemmas, dtype=numpy.uint64))
        return doc

    def pipe(self, docs: Any, batch_size: int = 64) -> Any:
        for doc in docs:
            yield self(doc)


class CachedAttributeRuler:
    """spaCy's attribute ruler with its answers remembered, as ``CachedLemmatizer`` does.

    A token's POS, morphology, lemma, tag and dependency after the ruler depend only on
    what its patterns read: the token's tag, dependency, whether it is space, its
    lower-case form if some pattern names that form (most words no pattern names: their
    form is left out of the key, so "Baghdad" and "Damascus" with one tag and dependency
    share an answer), and, for the few two-token patterns ("gon na", "there is"),
    whether such a pair starts or ends at it; that is the key remembered. Its Matcher
    took about a quarter of the claims and events stages' time. A ruler with patterns
    this cannot read runs as is.
    """

    LIMIT = 200_000
    _READABLE = frozenset({"LOWER", "TAG", "DEP", "IS_SPACE"})
    _OPERATORS = frozenset({"IN", "NOT_IN", "REGEX"})

    def __init__(self, ruler: Any) -> None:
        from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, POS, TAG

        self.ruler = ruler
        self.memory: dict[tuple[Any, ...], tuple[int, int, int, int, int]] = {}
        self._read = [LOWER, TAG, DEP, IS_SPACE]
        self._write = [POS, MORPH, LEMMA, TAG, DEP]
        patterns = [p["patterns"][0] for p in ruler.patterns]
        self.pairs = [p for p in patterns if len(p) == 2]
        self.usable = all(
            len(p) <= 2 and all(self._readable(spec) for spec in p) for p in patterns
        ) and all(any(self._lowers(spec) for spec in pair) for pair in self.pairs)
        strings = ruler.vocab.strings
        # a pair can only touch a token that is, or stands beside, one of these words
        self.words = frozenset(
            strings.add(w) for pair in self.pairs for spec in pair for w in self._lowers(spec)
        )
        # the forms that some pattern names (IN, NOT_IN or equal), and those it matches
        self.named = frozenset(
            strings.add(w) for p in patterns for spec in p for w in self._named(spec)
        )
        self.regexes = [
            re.compile(spec["LOWER"]["REGEX"])
            for p in patterns
            for spec in p
            if isinstance(spec.get("LOWER"), dict) and "REGEX" in spec["LOWER"]
        ]
        self._form_read: dict[int, bool] = {}

    @classmethod
    def _readable(cls, spec: dict[str, Any]) -> bool:
        return set(spec) <= cls._READABLE and all(
            not isinstance(wanted, dict) or set(wanted) <= cls._OPERATORS
            for wanted in spec.values()
        )

    @staticmethod
    def _lowers(spec: dict[str, Any]) -> frozenset[str]:
        """The forms a token must have to fit ``spec`` (empty: any form may)."""
        wanted = spec.get("LOWER")
        if isinstance(wanted, str):
            return frozenset({wanted})
        if isinstance(wanted, dict) and "IN" in wanted:
            return frozenset(wanted["IN"])
        return frozenset()

    @classmethod
    def _named(cls, spec: dict[str, Any]) -> frozenset[str]:
        wanted = spec.get("LOWER")
        excluded = wanted.get("NOT_IN", ()) if isinstance(wanted, dict) else ()
        return cls._lowers(spec) | frozenset(excluded)

    def _form(self, lower: int, strings: Any) -> int:
        """The form, when a pattern may read it; else 0, as it cannot change the answer."""
        read = self._form_read.get(lower)
        if read is None:
            text = strings[lower]
            read = lower in self.named or any(r.search(text) for r in self.regexes)
            self._form_read[lower] = read
        return lower if read else 0

    @staticmethod
    def _fits(token: Any, spec: dict[str, Any]) -> bool:
        for name, wanted in spec.items():
            value = {
                "LOWER": token.lower_,
                "TAG": token.tag_,
                "DEP": token.dep_,
                "IS_SPACE": token.is_space,
            }[name]
            if isinstance(wanted, dict):
                if "IN" in wanted and value not in wanted["IN"]:
                    return False
                if "NOT_IN" in wanted and value in wanted["NOT_IN"]:
                    return False
                if "REGEX" in wanted and not re.search(wanted["REGEX"], str(value)):
                    return False
            elif value != wanted:
                return False
        return True

    def _pairs_at(self, doc: Any, i: int) -> tuple[tuple[int, int], ...]:
        """The two-token patterns matching with ``doc[i]`` as their word 0 or word 1."""
        found = []
        for n, (first, second) in enumerate(self.pairs):
            if i + 1 < len(doc) and self._fits(doc[i], first) and self._fits(doc[i + 1], second):
                found.append((n, 0))
            if i > 0 and self._fits(doc[i - 1], first) and self._fits(doc[i], second):
                found.append((n, 1))
        return tuple(found)

    def _keys(self, doc: Any) -> list[tuple[Any, ...]]:
        rows = doc.to_array(self._read).tolist()
        strings = doc.vocab.strings
        near = [row[0] in self.words for row in rows]
        last = len(rows) - 1
        keys = []
        for i, (lower, tag, dep, space) in enumerate(rows):
            touched = near[i] or (i > 0 and near[i - 1]) or (i < last and near[i + 1])
            pairs = self._pairs_at(doc, i) if touched else ()
            keys.append((self._form(lower, strings), tag, dep, space, pairs))
        return keys

    def __call__(self, doc: Any) -> Any:
        if not self.usable:
            return self.ruler(doc)
        if len(self.memory) > self.LIMIT:
            self.memory.clear()
        keys = self._keys(doc)
        unknown: dict[tuple[Any, ...], int] = {}
        for i, key in enumerate(keys):
            if key not in self.memory and key not in unknown:
                unknown[key] = i
        if unknown:
            self._learn(doc, unknown)
        if keys:
            answers = [self.memory[key] for key in keys]
            doc.from_array(self._write, numpy.array(answers, dtype=numpy.uint64))
        return doc

    def _learn(self, doc: Any, unknown: dict[tuple[Any, ...], int]) -> None:
        """Run the real ruler on the unknown tokens, each beside its neighbours (all that
        its patterns can read), groups kept apart by a mark no pattern matches."""
        from spacy.tokens import Doc

        words: list[str] = []
        tags: list[str] = []
        deps: list[str] = []
        middle: list[int] = []
        for i in unknown.values():
            for j in range(max(0, i - 1), min(len(doc), i + 2)):
                if j == i:
                    middle.append(len(words))
                words.append(doc[j].text)
                tags.append(doc[j].tag_)
                deps.append(doc[j].dep_ or "dep")
            words.append("<>")
            tags.append("NFP")
            deps.append("punct")
        mini = self.ruler(Doc(doc.vocab, words=words, tags=tags, deps=deps))
        for key, at in zip(unknown, middle, strict=True):
            token = mini[at]
            self.memory[key] = (token.pos, token.morph.key, token.lemma, token.tag, token.dep)

    def pipe(self, docs: Any, batch_size: int = 64) -> Any:
        for doc in docs:
            yield self(doc)


def _sentence_docs(sentences: Sequence[Any]) -> list[Any]:
    """Each sentence as a Doc of its own, as ``Span.as_doc`` makes it, but with each
    document's attribute array read once: ``as_doc`` reads the whole document's for
    every sentence, which made copying cost about a third as much as parsing."""
    arrays: dict[int, tuple[Any, Any]] = {}
    docs = []
    for sentence in sentences:
        whole = sentence.doc
        if id(whole) not in arrays:
            head = whole._get_array_attrs()
            arrays[id(whole)] = (head, whole.to_array(head))
        head, array = arrays[id(whole)]
        # as_doc edits the rows it copies (an entity cut at the start, heads outside):
        # they are put back for the next sentence, which may share them
        rows = array[sentence.start : sentence.end].copy()
        docs.append(sentence.as_doc(array_head=head, array=array))
        array[sentence.start : sentence.end] = rows
    return docs


def _shared_parser(context: StageContext) -> Any:
    """One sentence parser for claims and events, remembering what it parsed in the
    current batch, so a sentence both stages look at is parsed once."""
    from jic.process.claims import SentenceParser
    from jic.process.nlp_stages import load_english

    class BatchParser(SentenceParser):
        def __init__(self, nlp: Any) -> None:
            super().__init__(nlp)
            self.memory: dict[tuple[int, int, int], tuple[Any, Any]] = {}
            names = [name for name in self.COMPONENTS[1:] if name in nlp.component_names]
            cached: dict[str, Any] = {
                "lemmatizer": CachedLemmatizer,
                "attribute_ruler": CachedAttributeRuler,
            }
            self._pipes = [
                cached[name](pipe) if name in cached else pipe
                for name, pipe in zip(names, self._pipes, strict=True)
            ]

        def parse_many(self, sentences: Sequence[Any]) -> list[Any]:
            keys = [(id(s.doc), s.start_char, s.end_char) for s in sentences]
            missing = [s for s, k in zip(sentences, keys, strict=True) if k not in self.memory]
            for sentence, parsed in zip(missing, self._parse(missing), strict=True):
                # the document is kept with its parses, so that its id is not reused
                key = (id(sentence.doc), sentence.start_char, sentence.end_char)
                self.memory[key] = (sentence.doc, parsed)
            return [self.memory[k][1] for k in keys]

        def _parse(self, sentences: Sequence[Any]) -> list[Any]:
            """``SentenceParser.parse_many`` with the cheaper copies."""
            docs = _sentence_docs(sentences)
            if self._tok2vec is not None:
                # a tensor from another model (or none) cannot feed this parser: recompute it
                width = (self._width,)
                stale = [d for d in docs if not self._reuse or d.tensor.shape[-1:] != width]
                for _ in self._tok2vec.pipe(stale, batch_size=self._batch_size):
                    pass
            for pipe in self._pipes:
                docs = list(pipe.pipe(docs, batch_size=self._batch_size))  # type: ignore[attr-defined]
            return docs

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
    from jic.process.claims import ClaimOptions, analyse_claims, choose_sentences

    parser = _shared_parser(context)
    options = ClaimOptions(resolve_time=_resolve_time)

    def run(batch: list[Work]) -> None:
        parser.memory.clear()  # claims run first in a batch; events then reuse its parses
        docs = [None if w.fields["_spacy"] is None else _head(w.fields["_spacy"]) for w in batch]
        chosen = [None if d is None else choose_sentences(d, options) for d in docs]
        # every cue sentence of the batch in one parse: the parser is faster on full batches
        parser.parse_many([s for c in chosen if c is not None for s in c.sentences])
        for work, doc, picked in zip(batch, docs, chosen, strict=True):
            work.fields["claims_note"] = None
            if doc is None:
                work.fields["claims"], work.fields["claims_skipped"] = [], []
                continue
            if doc is not work.fields["_spacy"]:
                work.fields["claims_note"] = f"claims read the first {READ_LIMIT} characters"
            result = analyse_claims(
                doc, parser=parser, published=_published(work), options=options, chosen=picked
            )
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
    from jic.process.events import EventCoder
    from jic.process.nlp_stages import load_english

    # The NER pass's model lends its parser; candidate sentences parse in one batch, and
    # those the claims stage parsed already are not parsed again.
    parser = _shared_parser(context)
    coder = EventCoder(context.resource("spacy-en", load_english), parse_many=parser.parse_many)

    def run(batch: list[Work]) -> None:
        english = [w for w in batch if w.fields["_spacy"] is not None]
        for work in batch:
            work.fields["events"], work.fields["events_skipped"] = [], []
        # the batch's event sentences are parsed in one call (those the claims stage
        # parsed are kept), then each document is coded
        results = coder.code_docs(
            [_head(w.fields["_spacy"]) for w in english],
            actors=[_actors(w) for w in english],
            places=[_places(w) for w in english],
        )
        for work, result in zip(english, results, strict=True):
            work.fields["events"] = _plain(result.events)
            work.fields["events_skipped"] = _plain(result.skipped)

    return run


def _actors(work: Work) -> list[Any]:
    """The document's entity mentions, with each entity's country, as event actor hints."""
    from jic.process.events import Mention

    countries = {e["id"]: e["country"] for e in work.fields["entities"]}
    return [
        Mention(start, end, countries.get(key), key)
        for start, end, key, _label in work.fields["entity_mentions"]
    ]


def _places(work: Work) -> list[Any]:
    """The document's geocoded place mentions, as event place hints."""
    from jic.process.events import Mention

    return [
        Mention(start, end, None, str(place["geonames_id"] or place["name"]))
        for place in work.fields["places"]
        for start, end in place["mentions"]
    ]
