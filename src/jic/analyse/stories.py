"""Online story clustering: each new document joins the story it reports, or starts one.

    StoryDoc               what the clusterer needs of a document (text, title, time, keys)
    StoryOptions           weights and limits; the defaults were chosen on ECB+ train
    OnlineStoryClusterer   assign(doc) -> Assignment, one document at a time
        .summary(id)       -> StorySummary: title, time span, places, entities, documents
        .to_state() / .from_state(state)   plain data, so the store can persist it

A document is one sparse vector over six channels: content words, the lead (title and
first sentences), entity keys, place keys, numbers and dates, weighted by sublinear term
frequency and an IDF that grows as documents arrive. Similarity is a weighted sum of one
cosine per channel. Two similar events in one topic (two earthquakes, two hijackings)
share most of their words; what tells them apart is who, where, how many and when, and
the lead that names them, so those channels weigh more than the body's words, and a key
channel that both sides fill but that disagrees counts against a match.

A document is scored against a handful of candidate stories found through an inverted
index over its rarest keys (never against every story): the score mixes the similarity
to the story's centroid with the best similarity to a few representative members, and
decays with the gap between the document's time and the story's span. The best story
wins if its score reaches the threshold; otherwise the document starts a new story.
Copies (``duplicate_of``) join their original's story directly and do not count as new
evidence in the centroid or the IDF.

With ``revision_window`` set, stories founded among the last that many documents stay
young: each time one grows, the documents of all young stories are grouped again by
average linkage and the young stories rebuilt (analyse/story_revision.py), and
``Assignment.moved`` names every earlier document (copies too) whose story changed.
Documents of older stories never move. Without it, earlier assignments never change.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from jic.analyse.story_features import lead, terms
from jic.analyse.story_revision import RecentDoc, average_linkage
from jic.errors import InputError

STATE_VERSION = 2
IDF_DRIFT = 1.05  # cached lengths and similarities are recomputed after 5% more documents
READABLE_VERSIONS = (1, 2)  # version 1 had no revision window: its stories are all old
FOUNDER = 1e9  # above any score: the representative that began a story stays one
# Channel prefixes inside one key space; words never contain ":" (see story_features.terms).
WORD, LEAD, ENTITY, PLACE, NUMBER, DATE = "w:", "l:", "e:", "p:", "n:", "d:"
CHANNELS = (WORD, LEAD, ENTITY, PLACE, NUMBER, DATE)
KEY_CHANNELS = frozenset((ENTITY, PLACE, NUMBER, DATE))
Vector = dict[str, float]


class StoryStateError(InputError):
    """A saved clusterer state that this version cannot read."""

    code = "JIC-E240"


@dataclass(frozen=True, slots=True)
class StoryDoc:
    """One document offered to the clusterer.

    ``entities``, ``places``, ``numbers`` and ``dates`` are keys from the pipeline (linked
    entity ids or normalised names, place ids, number values, date keys such as
    "2013-05"); repeat a key once per mention so that mention counts weigh in.
    ``duplicate_of`` names the original of a cross-post or syndicated copy.
    """

    id: str
    text: str
    title: str = ""
    published: datetime | None = None
    entities: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    duplicate_of: str | None = None


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where a document went: its story, how similar it was, and whether it began it.

    ``is_new``: the story did not exist before this document (with revision, a story that
    a regrouping split off counts as new). ``similarity`` is the score that placed it.
    """

    story_id: int
    similarity: float
    is_new: bool
    is_copy: bool = False
    # Earlier documents that a revision of young stories moved, with their new story.
    moved: tuple[tuple[str, int], ...] = ()


@dataclass(slots=True)
class StoryOptions:
    """How documents are compared and how much state is kept.

    The weights and the threshold were chosen on the ECB+ train split (bench/stories.py);
    the limits bound memory and time per document, not quality.
    """

    threshold: float = 1.4
    word_weight: float = 1.0
    entity_weight: float = 2.1
    place_weight: float = 1.0
    number_weight: float = 0.9
    date_weight: float = 1.5
    lead_weight: float = 3.4
    lead_sentences: int = 3  # the title and this many first sentences form the lead channel
    agreement_bias: float = 0.1  # see OnlineStoryClusterer._similarity
    centroid_mix: float = 0.35  # score = mix * centroid cosine + (1 - mix) * best member cosine
    representatives: int = 8  # members kept per story for the best-member cosine and the title
    time_scale_days: float = 7.0  # the score halves when a document is this far from a story
    max_doc_words: int = 150  # content words kept per document vector (by TF-IDF)
    max_story_keys: int = 400  # keys kept per story centroid
    retrieval_keys: int = 25  # a document's keys used to find candidate stories
    max_candidates: int = 40  # stories scored in full per document
    common_key_ratio: float = 0.1  # keys in more than this share of documents find no candidates
    postings_cap: int = 500  # stories remembered per key (the most recent)
    max_open_stories: int = 20_000  # older stories are closed: they keep members, lose vectors
    # Bounded revision (analyse/story_revision.py): a story is young while its founding
    # document is among the last this many; 0 turns revision off.
    revision_window: int = 0
    link_threshold: float = 1.4  # mean pairwise similarity that keeps young documents together

    def channel_weights(self) -> dict[str, float]:
        """Weight of each channel's cosine in a similarity, by channel prefix."""
        return {
            WORD: self.word_weight,
            LEAD: self.lead_weight,
            ENTITY: self.entity_weight,
            PLACE: self.place_weight,
            NUMBER: self.number_weight,
            DATE: self.date_weight,
        }


@dataclass(frozen=True, slots=True)
class _Query:
    """A document made ready for scoring (see ``OnlineStoryClusterer._query``)."""

    vector: Vector
    channels: frozenset[str]  # channels in which the document has keys


@dataclass(slots=True)
class _Member:
    doc_id: str
    published: datetime | None
    is_copy: bool
    original: str | None = None  # for a copy: the document it copies (it moves with it)


@dataclass(slots=True)
class _Representative:
    doc_id: str
    title: str
    vector: Vector  # sublinear term frequencies, without IDF (IDF is applied when compared)
    similarity: float  # to the story when it joined
    norms: dict[str, float] = field(default_factory=dict)  # see OnlineStoryClusterer._norms
    norm_n: int = -1  # document count when ``norms`` were computed; -1: not yet


@dataclass(slots=True)
class _Story:
    id: int
    centroid: Vector = field(default_factory=dict)  # sum of members' unit-length tf vectors
    representatives: list[_Representative] = field(default_factory=list)
    members: list[_Member] = field(default_factory=list)
    entities: Counter[str] = field(default_factory=Counter)
    places: Counter[str] = field(default_factory=Counter)
    first: datetime | None = None
    last: datetime | None = None
    open: bool = True
    norms: dict[str, float] = field(default_factory=dict)  # cached channel lengths of the centroid
    norm_n: int = -1
    founded: int = 0  # document count when its earliest document arrived (for revision)


@dataclass(frozen=True, slots=True)
class StorySummary:
    """What an analyst sees of a story."""

    story_id: int
    title: str
    first: datetime | None
    last: datetime | None
    places: list[str]
    entities: list[str]
    documents: list[str]  # in time order (undated ones last, in arrival order)
    copies: list[str]


class OnlineStoryClusterer:
    """Assigns documents to stories one at a time; see the module docstring."""

    def __init__(self, options: StoryOptions | None = None) -> None:
        self.options = options or StoryOptions()
        self._weights = self.options.channel_weights()
        self._n = 0  # documents counted in the IDF (copies excluded)
        self._df: Counter[str] = Counter()
        self._stories: dict[int, _Story] = {}
        self._open: OrderedDict[int, None] = OrderedDict()  # least recently updated first
        self._postings: dict[str, list[int]] = {}
        self._doc_story: dict[str, int] = {}
        self._next_id = 1
        self._recent: dict[str, RecentDoc] = {}  # documents of young stories, oldest first

    # -- assigning ---------------------------------------------------------------------

    def assign(self, doc: StoryDoc) -> Assignment:
        """Put ``doc`` into a story and return where it went, and what a revision moved."""
        if doc.id in self._doc_story:
            raise InputError(
                f"document {doc.id!r} was already assigned to story {self._doc_story[doc.id]}",
                "offer each document once; use story_of() to look an assignment up",
            )
        original = self._doc_story.get(doc.duplicate_of) if doc.duplicate_of else None
        if original is not None:
            story = self._stories[original]
            self._add_member(story, _Member(doc.id, doc.published, True, doc.duplicate_of))
            return Assignment(story.id, 1.0, is_new=False, is_copy=True)
        first_new_id = self._next_id
        counts = self._tf(doc)
        self._n += 1
        self._df.update(counts.keys())
        revising = self.options.revision_window > 0
        if revising:
            self._forget_old()
        moved: dict[str, int] = {}
        best, score = self._best_story(counts, doc.published)
        if best is None or score < self.options.threshold:
            best = self._new_story()
        self._join(best, doc, counts, score)
        if revising and self._is_young(best):
            self._remember(doc, counts)
            moved.update(self._revise())
        story_id = self._doc_story[doc.id]
        moved.pop(doc.id, None)
        return Assignment(
            story_id, score, is_new=story_id >= first_new_id, moved=tuple(sorted(moved.items()))
        )

    def story_of(self, doc_id: str) -> int | None:
        """The story a document was assigned to, if it was."""
        return self._doc_story.get(doc_id)

    def _tf(self, doc: StoryDoc) -> Vector:
        """The document's sublinear term frequencies over all channels (no IDF yet)."""
        raw: Counter[str] = Counter(WORD + word for word in terms(f"{doc.title}\n{doc.text}"))
        if len(raw) > self.options.max_doc_words:
            # Keep the words that say most about this document, by the IDF seen so far.
            kept = heapq.nlargest(
                self.options.max_doc_words, raw, key=lambda k: raw[k] * self._idf(k)
            )
            raw = Counter({key: raw[key] for key in kept})
        opening = lead(doc.text, self.options.lead_sentences)
        for prefix, keys in (
            (LEAD, terms(f"{doc.title}\n{opening}")),
            (ENTITY, doc.entities),
            (PLACE, doc.places),
            (NUMBER, doc.numbers),
            (DATE, doc.dates),
        ):
            raw.update(prefix + key for key in keys if key)
        return {key: 1.0 + math.log(count) for key, count in raw.items()}

    def _idf(self, key: str) -> float:
        return math.log((self._n + 1) / (self._df.get(key, 0) + 1)) + 1.0

    def _lengths(self, vector: Mapping[str, float]) -> dict[str, float]:
        """Length of each channel of a tf vector once IDF-weighted (0.0 for empty channels)."""
        log_n = math.log(self._n + 1) + 1.0
        df = self._df
        squares = dict.fromkeys(CHANNELS, 0.0)
        for key, value in vector.items():
            weight = value * (log_n - math.log(df.get(key, 0) + 1))
            squares[key[:2]] += weight * weight
        return {channel: math.sqrt(total) for channel, total in squares.items()}

    def _query(self, counts: Mapping[str, float]) -> _Query:
        """A tf vector made ready to score against raw (tf-only) vectors.

        A channel's cosine is sum(q_k * idf_k * r_k * idf_k) / (|q| |r|): folding both IDFs
        and the query's length in once makes each dot product a plain sum over shared keys.
        """
        lengths = self._lengths(counts)
        query = {}
        for key, value in counts.items():
            idf = self._idf(key)
            query[key] = value * idf * idf / (lengths[key[:2]] or 1.0)
        return _Query(query, frozenset(c for c, length in lengths.items() if length))

    # -- scoring ---------------------------------------------------------------------------

    def _best_story(
        self, counts: Vector, published: datetime | None
    ) -> tuple[_Story | None, float]:
        query = self._query(counts)
        best: _Story | None = None
        best_score = 0.0
        for story in self._candidates(counts):
            score = self._score(query, story) * self._time_factor(story, published)
            if score > best_score:
                best, best_score = story, score
        return best, best_score

    def _candidates(self, counts: Vector) -> list[_Story]:
        """Open stories that share one of the document's rarest keys, most overlapping first."""
        options = self.options
        limit = max(1.0, options.common_key_ratio * self._n) if self._n >= 50 else math.inf
        weights = {key: value * self._idf(key) for key, value in counts.items()}
        keys = heapq.nlargest(options.retrieval_keys, weights, key=weights.__getitem__)
        overlap: dict[int, float] = {}
        for key in keys:
            if self._df[key] > limit:
                continue
            # A set: a story rebuilt by a revision may be listed twice under one key.
            for story_id in set(self._postings.get(key, ())):
                overlap[story_id] = overlap.get(story_id, 0.0) + weights[key]
        ranked = sorted(overlap, key=lambda story_id: (-overlap[story_id], story_id))
        # Stories that a revision dissolved are still named in old postings.
        found = [self._stories[story_id] for story_id in ranked if story_id in self._stories]
        return [story for story in found if story.open][: options.max_candidates]

    def _score(self, query: _Query, story: _Story) -> float:
        """Mix of the similarity to the story's centroid and to its closest representative."""
        centroid = self._similarity(query, story.centroid, self._norms(story))
        best_member = 0.0
        for rep in story.representatives:
            best_member = max(best_member, self._similarity(query, rep.vector, self._norms(rep)))
        mix = self.options.centroid_mix
        return mix * centroid + (1.0 - mix) * best_member

    def _similarity(self, query: _Query, raw: Vector, lengths: Mapping[str, float]) -> float:
        """Channel cosines between a query and a raw vector, summed with the channel weights.

        Each channel is its own cosine so that a long text cannot drown the few keys that
        tell two similar events apart (names, places, numbers, dates). A key channel that
        both sides have must agree by more than ``agreement_bias`` to count in favour:
        two reports that both name a person, and name different ones, are evidence of
        two events, not merely missing evidence of one.
        """
        dots = dict.fromkeys(CHANNELS, 0.0)
        vector = query.vector
        for key in vector.keys() & raw.keys():
            dots[key[:2]] += vector[key] * raw[key]
        weights, bias = self._weights, self.options.agreement_bias
        total = 0.0
        for channel, dot in dots.items():
            length = lengths[channel]
            if not length or channel not in query.channels:
                continue
            cosine = dot / length
            if channel in KEY_CHANNELS:
                cosine -= bias
            total += weights[channel] * cosine
        return total

    def _norms(self, holder: _Story | _Representative) -> dict[str, float]:
        """Channel lengths of a story's centroid or a representative's vector, cached.

        IDF drifts slowly once a few hundred documents are in: recomputing lengths only
        when the vector changed or after 5% more documents keeps scoring linear in the
        document's keys instead of in the story's.
        """
        if holder.norm_n < 0 or self._n > holder.norm_n * IDF_DRIFT:
            raw = holder.centroid if isinstance(holder, _Story) else holder.vector
            holder.norms = self._lengths(raw)
            holder.norm_n = self._n
        return holder.norms

    def _time_factor(self, story: _Story, published: datetime | None) -> float:
        if published is None or story.first is None or story.last is None:
            return 1.0
        if published < story.first:
            gap = story.first - published
        elif published > story.last:
            gap = published - story.last
        else:
            return 1.0
        days = gap.total_seconds() / 86_400
        return 1.0 / (1.0 + days / self.options.time_scale_days)

    # -- updating --------------------------------------------------------------------------

    def _new_story(self) -> _Story:
        story = _Story(self._next_id, founded=self._n)
        self._next_id += 1
        self._stories[story.id] = story
        return story

    def _join(self, story: _Story, doc: StoryDoc, counts: Vector, similarity: float) -> None:
        norm = math.sqrt(sum(v * v for v in counts.values())) or 1.0
        for key, value in counts.items():
            if key not in story.centroid:
                postings = self._postings.setdefault(key, [])
                postings.append(story.id)
                if len(postings) > self.options.postings_cap:
                    del postings[0]
            story.centroid[key] = story.centroid.get(key, 0.0) + value / norm
        story.norm_n = -1
        if len(story.centroid) > 2 * self.options.max_story_keys:
            self._prune(story)
        self._add_representative(story, doc, counts, similarity)
        story.entities.update(doc.entities)
        story.places.update(doc.places)
        self._add_member(story, _Member(doc.id, doc.published, False))

    def _prune(self, story: _Story) -> None:
        """Keep the keys that weigh most within their channel, so every channel keeps some."""
        lengths = self._lengths(story.centroid)

        def share(key: str) -> float:
            return story.centroid[key] * self._idf(key) / (lengths[key[:2]] or 1.0)

        kept = heapq.nlargest(self.options.max_story_keys, story.centroid, key=share)
        story.centroid = {key: story.centroid[key] for key in kept}
        story.norm_n = -1

    def _add_representative(
        self, story: _Story, doc: StoryDoc, counts: Vector, similarity: float
    ) -> None:
        """Keep the members most like the story (the first always stays: it defined it)."""
        rep = _Representative(doc.id, _title_of(doc), dict(counts), similarity)
        reps = story.representatives
        if not reps:
            rep.similarity = FOUNDER  # never replaced
        if len(reps) < self.options.representatives:
            reps.append(rep)
            return
        weakest = min(range(len(reps)), key=lambda i: reps[i].similarity)
        if reps[weakest].similarity < similarity:
            reps[weakest] = rep

    def _add_member(self, story: _Story, member: _Member) -> None:
        story.members.append(member)
        self._doc_story[member.doc_id] = story.id
        published = member.published
        if published is not None:
            if story.first is None or published < story.first:
                story.first = published
            if story.last is None or published > story.last:
                story.last = published
        self._open[story.id] = None
        self._open.move_to_end(story.id)
        while len(self._open) > self.options.max_open_stories:
            closed_id, _ = self._open.popitem(last=False)
            self._close(self._stories[closed_id])

    # -- revising young stories (see analyse/story_revision.py) -------------------------

    def _is_young(self, story: _Story) -> bool:
        return story.open and story.founded > self._n - self.options.revision_window

    def _forget_old(self) -> None:
        """Drop recent documents whose story has grown old: they never move again."""
        for doc_id in [
            doc_id
            for doc_id in self._recent
            if not self._is_young(self._stories[self._doc_story[doc_id]])
        ]:
            del self._recent[doc_id]

    def _remember(self, doc: StoryDoc, counts: Vector) -> None:
        """Keep a young story's new document, with its similarity to the other young ones."""
        entry = RecentDoc(
            doc.id, self._n, counts, _title_of(doc), doc.published, doc.entities, doc.places
        )
        self._recent[doc.id] = entry
        self._refresh(entry)

    def _refresh(self, doc: RecentDoc) -> None:
        """(Re)compute a recent document's similarities to the recent documents before it."""
        query = self._query(doc.counts)
        doc.similarities = {}
        for other in self._recent.values():
            if other is doc:
                break
            doc.similarities[other.doc_id] = self._pair_similarity(query, doc.published, other)
        doc.similarities_n = self._n

    def _pair_similarity(
        self, query: _Query, published: datetime | None, other: RecentDoc
    ) -> float:
        similarity = self._similarity(query, other.counts, self._lengths(other.counts))
        if published is None or other.published is None:
            return similarity
        days = abs((published - other.published).total_seconds()) / 86_400
        return similarity / (1.0 + days / self.options.time_scale_days)

    def _revise(self) -> dict[str, int]:
        """Group the young stories' documents again; rebuild the stories that changed.

        Returns the documents (copies included) whose story changed, with the new story.
        """
        self._forget_old()  # the join that called us may have closed a young story
        recent = list(self._recent.values())
        for doc in recent:
            # Similarities rest on the IDF, which moves as documents arrive: early in a
            # collection, words that every report of one event shares still look rare.
            if self._n > doc.similarities_n * IDF_DRIFT:
                self._refresh(doc)
        matrix = [
            [
                0.0
                if i == j
                else (a.similarities.get(b.doc_id) or b.similarities.get(a.doc_id) or 0.0)
                for j, b in enumerate(recent)
            ]
            for i, a in enumerate(recent)
        ]
        groups = average_linkage(matrix, self.options.link_threshold)
        current: dict[int, set[str]] = {}
        for doc in recent:
            current.setdefault(self._doc_story[doc.doc_id], set()).add(doc.doc_id)
        wanted = [[recent[i] for i in group] for group in groups]
        if {frozenset(ids) for ids in current.values()} == {
            frozenset(d.doc_id for d in group) for group in wanted
        }:
            return {}
        before = {
            member.doc_id: story_id
            for story_id in current
            for member in self._stories[story_id].members
        }
        copies: dict[str, list[_Member]] = {}
        for story_id in current:
            for member in self._stories.pop(story_id).members:
                if member.is_copy and member.original is not None:
                    copies.setdefault(member.original, []).append(member)
            self._open.pop(story_id, None)
        free = set(current)
        wanted.sort(key=lambda group: (-len(group), group[0].arrival))
        for group in wanted:
            votes = Counter(before[doc.doc_id] for doc in group if before[doc.doc_id] in free)
            if votes:
                story_id = min(votes, key=lambda sid: (-votes[sid], sid))
                free.discard(story_id)
            else:
                story_id = self._next_id
                self._next_id += 1
            self._rebuild(story_id, group, copies)
        return {
            doc_id: self._doc_story[doc_id]
            for doc_id, story_id in before.items()
            if self._doc_story[doc_id] != story_id
        }

    def _rebuild(
        self, story_id: int, group: list[RecentDoc], copies: Mapping[str, list[_Member]]
    ) -> None:
        """A young story made again from its documents, in arrival order, with their copies."""
        group = sorted(group, key=lambda doc: doc.arrival)
        story = _Story(story_id, founded=group[0].arrival)
        self._stories[story_id] = story
        for doc in group:
            others = [
                doc.similarities.get(o.doc_id) or o.similarities.get(doc.doc_id) or 0.0
                for o in group
                if o is not doc
            ]
            similarity = sum(others) / len(others) if others else 0.0
            self._join(story, _entry(doc), doc.counts, similarity)
            for copy in copies.get(doc.doc_id, ()):
                self._add_member(story, copy)

    def _close(self, story: _Story) -> None:
        """Drop a story's vectors; its members and summary stay, it takes no new documents."""
        story.open = False
        story.centroid = {}
        for rep in story.representatives:
            rep.vector = {}

    # -- reading ---------------------------------------------------------------------------

    def story_ids(self) -> list[int]:
        """Every story so far, oldest first."""
        return list(self._stories)

    def summary(self, story_id: int, *, top: int = 5) -> StorySummary:
        """Title, time span, main places and entities, and documents of one story."""
        story = self._stories.get(story_id)
        if story is None:
            from jic.errors import NotFoundError

            raise NotFoundError(f"no story {story_id}", "list stories with story_ids()")
        order = sorted(
            range(len(story.members)),
            key=lambda i: (story.members[i].published is None, story.members[i].published or 0, i),
        )
        members = [story.members[i] for i in order]
        return StorySummary(
            story_id=story.id,
            title=self._central_title(story),
            first=story.first,
            last=story.last,
            places=[key for key, _ in story.places.most_common(top)],
            entities=[key for key, _ in story.entities.most_common(top)],
            documents=[m.doc_id for m in members if not m.is_copy],
            copies=[m.doc_id for m in members if m.is_copy],
        )

    def _central_title(self, story: _Story) -> str:
        """The title of the representative closest to the story's centroid."""
        if not story.representatives:
            return ""
        if not story.open:
            return story.representatives[0].title
        lengths = self._norms(story)

        def closeness(rep: _Representative) -> float:
            return self._similarity(self._query(rep.vector), story.centroid, lengths)

        return max(story.representatives, key=closeness).title

    # -- persistence -----------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """Everything the clusterer knows, as JSON-ready plain data."""
        return {
            "version": STATE_VERSION,
            "options": asdict(self.options),
            "n": self._n,
            "df": dict(self._df),
            "next_id": self._next_id,
            "open": list(self._open),
            "postings": self._postings,
            "stories": [_story_state(story) for story in self._stories.values()],
            "recent": [_recent_state(doc) for doc in self._recent.values()],
        }

    @classmethod
    def from_state(
        cls, state: Mapping[str, Any], options: StoryOptions | None = None
    ) -> OnlineStoryClusterer:
        """Rebuild a clusterer saved with ``to_state``; ``options`` overrides the saved ones."""
        if state.get("version") not in READABLE_VERSIONS:
            raise StoryStateError(
                f"story clusterer state version {state.get('version')!r} is not {STATE_VERSION}",
                "re-run story clustering over the documents to rebuild the state",
            )
        clusterer = cls(options or StoryOptions(**state["options"]))
        clusterer._n = int(state["n"])
        clusterer._df = Counter(state["df"])
        clusterer._next_id = int(state["next_id"])
        clusterer._postings = {key: list(ids) for key, ids in state["postings"].items()}
        for item in state["stories"]:
            story = _story_from_state(item)
            clusterer._stories[story.id] = story
            for member in story.members:
                clusterer._doc_story[member.doc_id] = story.id
        clusterer._open = OrderedDict((int(story_id), None) for story_id in state["open"])
        for item in state.get("recent", ()):
            doc = _recent_from_state(item)
            clusterer._recent[doc.doc_id] = doc
        return clusterer


def _dot(a: Vector, b: Vector) -> float:
    # Shared keys are few: intersect the key sets in C, then sum over those only.
    return sum(a[key] * b[key] for key in a.keys() & b.keys())


def _entry(doc: RecentDoc) -> StoryDoc:
    """A recent document offered again, to the story a revision rebuilds."""
    return StoryDoc(
        doc.doc_id,
        "",
        title=doc.title,
        published=doc.published,
        entities=doc.entities,
        places=doc.places,
    )


def _title_of(doc: StoryDoc) -> str:
    """The document's title, or else its first line (at most 200 characters)."""
    if doc.title.strip():
        return " ".join(doc.title.split())
    for line in doc.text.splitlines():
        if line.strip():
            return " ".join(line.split())[:200]
    return ""


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _parse_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None


def _story_state(story: _Story) -> dict[str, Any]:
    return {
        "id": story.id,
        "open": story.open,
        "centroid": story.centroid,
        "representatives": [asdict(rep) for rep in story.representatives],
        "members": [[m.doc_id, _iso(m.published), m.is_copy, m.original] for m in story.members],
        "entities": dict(story.entities),
        "places": dict(story.places),
        "first": _iso(story.first),
        "last": _iso(story.last),
        "norms": [story.norms, story.norm_n],
        "founded": story.founded,
    }


def _story_from_state(item: Mapping[str, Any]) -> _Story:
    reps = [_Representative(**rep) for rep in item["representatives"]]
    members: Iterable[list[Any]] = item["members"]
    return _Story(
        id=int(item["id"]),
        centroid=dict(item["centroid"]),
        representatives=reps,
        # Version 1 saved members as [id, published, is_copy], without the original.
        members=[
            _Member(item[0], _parse_iso(item[1]), bool(item[2]), *item[3:4]) for item in members
        ],
        entities=Counter(item["entities"]),
        places=Counter(item["places"]),
        first=_parse_iso(item["first"]),
        last=_parse_iso(item["last"]),
        open=bool(item["open"]),
        norms=dict(item["norms"][0]),
        norm_n=int(item["norms"][1]),
        founded=int(item.get("founded", 0)),
    )


def _recent_state(doc: RecentDoc) -> dict[str, Any]:
    return {
        **asdict(doc),
        "published": _iso(doc.published),
        "entities": list(doc.entities),
        "places": list(doc.places),
    }


def _recent_from_state(item: Mapping[str, Any]) -> RecentDoc:
    return RecentDoc(
        doc_id=item["doc_id"],
        arrival=int(item["arrival"]),
        counts=dict(item["counts"]),
        title=item["title"],
        published=_parse_iso(item["published"]),
        entities=tuple(item["entities"]),
        places=tuple(item["places"]),
        similarities=dict(item["similarities"]),
        similarities_n=int(item["similarities_n"]),
    )
