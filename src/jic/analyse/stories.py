"""Online story clustering: each new document joins the story it reports, or starts one.

    StoryDoc               what the clusterer needs of a document (text, title, time, keys)
    StoryOptions           weights and limits; the defaults were chosen on ECB+ train
    OnlineStoryClusterer   assign(doc) -> Assignment, one document at a time
        .summary(id)       -> StorySummary: title, time span, places, entities, documents
        .to_state() / .from_state(state)   plain data, so the store can persist it
    pairwise_similarities(docs)   every pair at once: what batch clustering would see

A document is one sparse vector over six channels: content words, the lead (title and
first sentences), entity keys, place keys, numbers and dates, weighted by sublinear term
frequency and an IDF that grows as documents arrive. The similarity of two documents is
a weighted sum of one cosine per channel. Two similar events in one topic (two
earthquakes, two hijackings) share most of their words; what tells them apart is who,
where, how many and when, and the lead that names them, so those channels weigh more
than the body's words, and a key channel that both sides fill but that disagrees counts
against a match. A seventh channel holds one key, the year the lead names (if it names
one): two leads that name the same year count for a match, two that name different years
against it.

A document's similarity to a story is its *average linkage* to the story: the mean of
its similarities to every member, damped by the time gap. The members a story no longer
lets move are summed into its core, one unit vector per channel, so that the mean over
all of them costs one dot product per channel. Candidate stories come from an inverted
index over the document's rarest keys (never every story). Without revision the best
candidate wins if the mean reaches ``threshold``; otherwise the document starts a story.
With ``revision_window``, the last that many documents stay movable and each arrival
regroups its nearest stories by average linkage (analyse/story_revision.py):
``Assignment.moved`` names every earlier document (copies too) whose story changed.
Copies (``duplicate_of``) join their original's story, move with it, and do not count as
new evidence in the vectors or the IDF.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jic.analyse.story_features import lead, lead_year, terms
from jic.analyse.story_revision import RecentDoc, average_linkage
from jic.errors import InputError

IDF_DRIFT = 1.05  # cached lengths and similarities are recomputed after 5% more documents
# Channel prefixes inside one key space; words never contain ":" (see story_features.terms).
WORD, LEAD, ENTITY, PLACE, NUMBER, DATE, YEAR = "w:", "l:", "e:", "p:", "n:", "d:", "y:"
CHANNELS = (WORD, LEAD, ENTITY, PLACE, NUMBER, DATE, YEAR)
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
    a regrouping split off counts as new). ``similarity`` is the document's mean
    similarity to the other documents of its story (0.0 when it is alone).
    """

    story_id: int
    similarity: float
    is_new: bool
    is_copy: bool = False
    # Earlier documents that a revision moved, with their new story.
    moved: tuple[tuple[str, int], ...] = ()


@dataclass(slots=True)
class StoryOptions:
    """How documents are compared and how much state is kept.

    The weights and thresholds were chosen on the ECB+ train split (bench/stories.py);
    the limits bound memory and time per document, not quality.
    """

    threshold: float = 1.4  # mean similarity a document needs to join a story
    word_weight: float = 1.0
    entity_weight: float = 2.1
    place_weight: float = 1.0
    number_weight: float = 0.9
    date_weight: float = 1.5
    lead_weight: float = 3.4
    lead_sentences: int = 3  # the title and this many first sentences form the lead channel
    agreement_bias: float = 0.1  # see OnlineStoryClusterer._similarity
    # The year the title and lead name (story_features.lead_year), one key per document:
    # the same year adds year_weight * (1 - year_bias), different years take away
    # year_weight * year_bias; 0.0 turns the channel off.
    year_weight: float = 0.5
    year_bias: float = 0.25
    time_scale_days: float = 7.0  # a similarity halves when documents are this far apart
    max_doc_words: int = 150  # content words kept per document vector (by TF-IDF)
    max_story_keys: int = 400  # keys kept per story core
    retrieval_keys: int = 25  # a document's keys used to find candidate stories
    max_candidates: int = 40  # stories scored in full per document
    common_key_ratio: float = 0.1  # keys in more than this share of documents find no candidates
    postings_cap: int = 500  # stories remembered per key (the most recent)
    max_open_stories: int = 20_000  # older stories are closed: they keep members, lose vectors
    # Bounded revision (analyse/story_revision.py): the last this many documents can
    # still move; 0 turns revision off (assignments are then final).
    revision_window: int = 0
    revision_stories: int = 3  # the nearest stories regrouped with each new document
    link_threshold: float = 1.4  # with revision: the mean similarity that keeps a group

    def channel_weights(self) -> dict[str, float]:
        """Weight of each channel's cosine in a similarity, by channel prefix."""
        return {
            WORD: self.word_weight,
            LEAD: self.lead_weight,
            ENTITY: self.entity_weight,
            PLACE: self.place_weight,
            NUMBER: self.number_weight,
            DATE: self.date_weight,
            YEAR: self.year_weight,
        }

    def channel_biases(self) -> dict[str, float]:
        """What a channel's cosine must exceed to count in favour, by channel prefix."""
        keys = dict.fromkeys(KEY_CHANNELS, self.agreement_bias)
        return {WORD: 0.0, LEAD: 0.0, **keys, YEAR: self.year_bias}


@dataclass(frozen=True, slots=True)
class _Query:
    """A document made ready for scoring (see ``OnlineStoryClusterer._query``)."""

    vector: Vector  # tf * idf² / channel length: dotted with raw tf vectors
    unit: Vector  # tf * idf / channel length: dotted with cores
    channels: frozenset[str]  # channels in which the document has keys


@dataclass(slots=True)
class _Member:
    doc_id: str
    published: datetime | None
    is_copy: bool
    original: str | None = None  # for a copy: the document it copies (it moves with it)


@dataclass(slots=True)
class _Story:
    """A story: its frozen members summed into a core, and the ids of its movable ones."""

    id: int
    core: Vector = field(default_factory=dict)  # sum of members' per-channel unit vectors
    core_size: int = 0  # frozen members in the core (copies excluded)
    core_channels: Counter[str] = field(default_factory=Counter)  # members with each channel
    members: list[_Member] = field(default_factory=list)  # frozen members, copies included
    young: list[str] = field(default_factory=list)  # movable members (in the recent window)
    entities: Counter[str] = field(default_factory=Counter)  # of frozen members
    places: Counter[str] = field(default_factory=Counter)
    first: datetime | None = None  # time span of the frozen members
    last: datetime | None = None
    title: str = ""  # the first frozen member's title
    open: bool = True


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


@dataclass(slots=True)
class _Node:
    """One node of a regrouping: a movable document, or a story's core."""

    doc: RecentDoc | None
    story: _Story | None
    size: int


class OnlineStoryClusterer:
    """Assigns documents to stories one at a time; see the module docstring."""

    def __init__(self, options: StoryOptions | None = None) -> None:
        self.options = options or StoryOptions()
        self._weights = self.options.channel_weights()
        self._biases = self.options.channel_biases()
        self._n = 0  # documents counted in the IDF (copies excluded)
        self._df: Counter[str] = Counter()
        self._stories: dict[int, _Story] = {}
        self._open: OrderedDict[int, None] = OrderedDict()  # least recently updated first
        self._postings: dict[str, list[int]] = {}
        self._doc_story: dict[str, int] = {}
        self._next_id = 1
        self._recent: dict[str, RecentDoc] = {}  # the movable documents, oldest first
        self._copies: dict[str, list[_Member]] = {}  # copies of movable documents

    # -- assigning ---------------------------------------------------------------------

    def assign(self, doc: StoryDoc) -> Assignment:
        """Put ``doc`` into a story and return where it went, and what a revision moved."""
        if doc.id in self._doc_story:
            raise InputError(
                f"document {doc.id!r} was already assigned to story {self._doc_story[doc.id]}",
                "offer each document once; use story_of() to look an assignment up",
            )
        original = self._doc_story.get(doc.duplicate_of) if doc.duplicate_of else None
        if original is not None and doc.duplicate_of is not None:
            return self._add_copy(doc, doc.duplicate_of, original)
        first_new_id = self._next_id
        counts = self._tf(doc)
        self._n += 1
        self._df.update(counts.keys())
        entry = RecentDoc(
            doc.id, self._n, counts, _title_of(doc), doc.published, doc.entities, doc.places
        )
        self._refresh_recent()
        self._recent[entry.doc_id] = entry
        self._similarities(entry)
        if self.options.revision_window > 0:
            story_id, similarity, moved = self._regroup(entry)
        else:
            (story_id, similarity), moved = self._join_best(entry), {}
        self._freeze_beyond_window()
        moved.pop(doc.id, None)
        return Assignment(
            story_id,
            similarity,
            is_new=story_id >= first_new_id,
            moved=tuple(sorted(moved.items())),
        )

    def story_of(self, doc_id: str) -> int | None:
        """The story a document was assigned to, if it was."""
        return self._doc_story.get(doc_id)

    def _add_copy(self, doc: StoryDoc, original_id: str, story_id: int) -> Assignment:
        member = _Member(doc.id, doc.published, True, original_id)
        story = self._stories[story_id]
        if original_id in self._recent:
            self._copies.setdefault(original_id, []).append(member)
        else:
            story.members.append(member)
            _widen(story, doc.published)
        self._doc_story[doc.id] = story_id
        self._touch(story)
        return Assignment(story_id, 1.0, is_new=False, is_copy=True)

    def _tf(self, doc: StoryDoc) -> Vector:
        """The document's sublinear term frequencies over all channels (no IDF yet)."""
        raw: Counter[str] = Counter(WORD + word for word in terms(f"{doc.title}\n{doc.text}"))
        if len(raw) > self.options.max_doc_words:
            # Keep the words that say most about this document, by the IDF seen so far.
            kept = heapq.nlargest(
                self.options.max_doc_words, raw, key=lambda k: raw[k] * self._idf(k)
            )
            raw = Counter({key: raw[key] for key in kept})
        opening = f"{doc.title}\n{lead(doc.text, self.options.lead_sentences)}"
        year = lead_year(opening) if self.options.year_weight else None
        for prefix, keys in (
            (LEAD, terms(opening)),
            (ENTITY, doc.entities),
            (PLACE, doc.places),
            (NUMBER, doc.numbers),
            (DATE, doc.dates),
            (YEAR, (year,) if year else ()),
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
        """A tf vector made ready to score against raw tf vectors and against cores.

        A channel's cosine is sum(q_k * idf_k * r_k * idf_k) / (|q| |r|): folding both IDFs
        and the query's length in once makes each dot product a plain sum over shared keys.
        A core holds IDF-weighted unit vectors (weighted when they froze): it takes one IDF.
        """
        lengths = self._lengths(counts)
        vector, unit = {}, {}
        for key, value in counts.items():
            idf = self._idf(key)
            unit[key] = value * idf / (lengths[key[:2]] or 1.0)
            vector[key] = unit[key] * idf
        return _Query(vector, unit, frozenset(c for c, length in lengths.items() if length))

    # -- similarity ------------------------------------------------------------------------

    def _similarity(self, query: _Query, raw: Vector, lengths: Mapping[str, float]) -> float:
        """Channel cosines between a query and a raw vector, summed with the channel weights.

        Each channel is its own cosine so that a long text cannot drown the few keys that
        tell two similar events apart (names, places, numbers, dates). A key channel that
        both sides have must agree by more than ``agreement_bias`` to count in favour:
        two reports that both name a person, and name different ones, are evidence of
        two events, not merely missing evidence of one. The year channel (one key) has a
        bias of its own, so that two different years weigh against a match.
        """
        dots = _channel_dots(query.vector, raw)
        weights, biases = self._weights, self._biases
        total = 0.0
        for channel, dot in dots.items():
            length = lengths[channel]
            if not length or channel not in query.channels:
                continue
            total += weights[channel] * (dot / length - biases[channel])
        return total

    def _core_sum(self, query: _Query, story: _Story) -> float:
        """The sum of a document's similarities to every member in a story's core.

        Per channel, the sum of cosines to the members is the dot product of the query's
        unit vector with the sum of theirs (IDF-weighted when they froze: an IDF that
        moved since then is not applied again, so each term stays a cosine); the
        agreement bias counts once per member that has the channel (the same pairs
        ``_similarity`` would count).
        """
        return self._cross(query.unit, Counter(dict.fromkeys(query.channels, 1)), story)

    def _cross(self, vector: Vector, have: Counter[str], story: _Story) -> float:
        if not story.core_size:
            return 0.0
        dots = _channel_dots(vector, story.core)
        weights, biases = self._weights, self._biases
        total = 0.0
        for channel, dot in dots.items():
            pairs = have[channel] * story.core_channels[channel]
            if not pairs:
                continue
            total += weights[channel] * (dot - biases[channel] * pairs)
        return total

    def _similarities(self, doc: RecentDoc) -> None:
        """(Re)compute a recent document's similarities to the recent documents before it."""
        query = self._query(doc.counts)
        doc.similarities = {}
        for other in self._recent.values():
            if other is doc:
                break
            similarity = self._similarity(query, other.counts, self._doc_lengths(other))
            doc.similarities[other.doc_id] = similarity * _decay(
                self.options, _gap(doc.published, doc.published, other.published, other.published)
            )
        doc.similarities_n = self._n

    def _doc_lengths(self, doc: RecentDoc) -> dict[str, float]:
        """A recent document's channel lengths, recomputed after 5% more documents."""
        if doc.lengths_n < 0 or self._n > doc.lengths_n * IDF_DRIFT:
            doc.lengths = self._lengths(doc.counts)
            doc.lengths_n = self._n
        return doc.lengths

    def _refresh_recent(self) -> None:
        # Similarities rest on the IDF, which moves as documents arrive: early in a
        # collection, words that every report of one event shares still look rare.
        for doc in self._recent.values():
            if self._n > doc.similarities_n * IDF_DRIFT:
                self._similarities(doc)

    def _pair(self, a: RecentDoc, b: RecentDoc) -> float:
        return a.similarities.get(b.doc_id) or b.similarities.get(a.doc_id) or 0.0

    def _story_sum(self, doc: RecentDoc, query: _Query, story: _Story) -> float:
        """Sum of a document's similarities to a story's members (itself excluded)."""
        total = sum(self._pair(doc, self._recent[y]) for y in story.young if y != doc.doc_id)
        if story.core_size:
            gap = _gap(doc.published, doc.published, story.first, story.last)
            total += self._core_sum(query, story) * _decay(self.options, gap)
        return total

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
            # A set: a story a revision touched may be listed twice under one key.
            for story_id in set(self._postings.get(key, ())):
                overlap[story_id] = overlap.get(story_id, 0.0) + weights[key]
        ranked = sorted(overlap, key=lambda story_id: (-overlap[story_id], story_id))
        # Stories that a revision merged away are still named in old postings.
        found = [self._stories[story_id] for story_id in ranked if story_id in self._stories]
        return [story for story in found if story.open][: options.max_candidates]

    def _ranked(self, doc: RecentDoc) -> list[tuple[float, _Story]]:
        """Candidate stories with the document's mean similarity to each, best first."""
        query = self._query(doc.counts)
        scored = []
        for story in self._candidates(doc.counts):
            size = story.core_size + len(story.young)
            if size:
                scored.append((self._story_sum(doc, query, story) / size, story))
        scored.sort(key=lambda pair: (-pair[0], pair[1].id))
        return scored

    # -- assigning without revision ----------------------------------------------------

    def _join_best(self, doc: RecentDoc) -> tuple[int, float]:
        """The best story by mean similarity if it reaches the threshold, else a new one;
        returns the story and the document's mean similarity to the best candidate."""
        ranked = self._ranked(doc)
        score = ranked[0][0] if ranked else 0.0
        story = ranked[0][1] if ranked and score >= self.options.threshold else self._new_story()
        self._place(doc, story)
        return story.id, score

    # -- revision (see analyse/story_revision.py) --------------------------------------

    def _regroup(self, doc: RecentDoc) -> tuple[int, float, dict[str, int]]:
        """Group the new document with its nearest stories again; apply what changed.

        Returns the document's story, its mean similarity to the rest of it, and every
        earlier document (copies included) whose story changed.
        """
        hood = [story for _, story in self._ranked(doc)[: self.options.revision_stories]]
        nodes = [_Node(doc, None, 1)]
        for story in hood:
            if story.core_size:
                nodes.append(_Node(None, story, story.core_size))
            nodes += [_Node(self._recent[y], None, 1) for y in story.young]
        matrix = self._node_matrix(nodes)
        groups = average_linkage(
            matrix, self.options.link_threshold, sizes=[node.size for node in nodes]
        )
        before = {doc_id: sid for story in hood for doc_id, sid in self._member_ids(story)}
        self._rebuild(hood, [[nodes[i] for i in group] for group in groups])
        (own,) = [group for group in groups if 0 in group]
        others = sum(nodes[i].size for i in own if i != 0)
        similarity = sum(matrix[0][i] for i in own if i != 0) / others if others else 0.0
        moved = {
            doc_id: self._doc_story[doc_id]
            for doc_id, story_id in before.items()
            if self._doc_story[doc_id] != story_id
        }
        return self._doc_story[doc.doc_id], similarity, moved

    def _node_matrix(self, nodes: list[_Node]) -> list[list[float]]:
        """Sums of pairwise similarities between the nodes' documents."""
        queries = {
            i: self._query(node.doc.counts) for i, node in enumerate(nodes) if node.doc is not None
        }
        matrix = [[0.0] * len(nodes) for _ in nodes]
        for i, a in enumerate(nodes):
            for j in range(i):
                b = nodes[j]
                if a.doc is not None and b.doc is not None:
                    value = self._pair(a.doc, b.doc)
                elif a.doc is not None or b.doc is not None:
                    doc, story = (a.doc, b.story) if a.doc is not None else (b.doc, a.story)
                    assert doc is not None and story is not None
                    query = queries[i if a.doc is not None else j]
                    gap = _gap(doc.published, doc.published, story.first, story.last)
                    value = self._core_sum(query, story) * _decay(self.options, gap)
                else:
                    assert a.story is not None and b.story is not None
                    value = self._core_pair(a.story, b.story)
                matrix[i][j] = matrix[j][i] = value
        return matrix

    def _core_pair(self, a: _Story, b: _Story) -> float:
        """Sum of similarities between the core members of two stories."""
        gap = _gap(a.first, a.last, b.first, b.last)
        return self._cross(a.core, a.core_channels, b) * _decay(self.options, gap)

    def _member_ids(self, story: _Story) -> Iterable[tuple[str, int]]:
        for member in story.members:
            yield member.doc_id, story.id
        for doc_id in story.young:
            yield doc_id, story.id
            for copy in self._copies.get(doc_id, ()):
                yield copy.doc_id, story.id

    def _rebuild(self, hood: list[_Story], groups: list[list[_Node]]) -> None:
        """Stories made again from the groups: cores keep their story (the larger one when
        two merge), other groups take the story most of their documents had, if free."""
        free = {story.id for story in hood}
        for story in hood:
            story.young = []
        groups = sorted(
            groups,
            key=lambda g: (
                not any(n.story for n in g),
                -sum(n.size for n in g),
                min(n.doc.arrival if n.doc else 0 for n in g),
            ),
        )
        for group in groups:
            cores = sorted(
                (n.story for n in group if n.story is not None),
                key=lambda s: (-s.core_size, s.id),
            )
            docs = sorted((n.doc for n in group if n.doc is not None), key=lambda d: d.arrival)
            if cores:
                story = cores[0]
                for other in cores[1:]:
                    self._merge_core(story, other)
                    free.discard(other.id)
            else:
                votes = Counter(self._doc_story.get(d.doc_id) for d in docs)
                choices = [sid for sid in votes if sid in free and sid is not None]
                if choices:
                    story = self._stories[min(choices, key=lambda sid: (-votes[sid], sid))]
                else:
                    story = self._new_story()
            free.discard(story.id)
            for doc in docs:
                self._place(doc, story)
        for story_id in free:  # emptied by the regrouping
            del self._stories[story_id]
            self._open.pop(story_id, None)

    def _merge_core(self, story: _Story, other: _Story) -> None:
        """Fold another story's frozen members into ``story`` (its young ones are regrouped)."""
        for key, value in other.core.items():
            story.core[key] = story.core.get(key, 0.0) + value
            self._post(key, story.id)
        story.core_size += other.core_size
        story.core_channels.update(other.core_channels)
        for member in other.members:
            story.members.append(member)
            self._doc_story[member.doc_id] = story.id
            _widen(story, member.published)
        story.entities.update(other.entities)
        story.places.update(other.places)
        del self._stories[other.id]
        self._open.pop(other.id, None)
        self._prune(story)

    # -- updating --------------------------------------------------------------------------

    def _new_story(self) -> _Story:
        story = _Story(self._next_id)
        self._next_id += 1
        self._stories[story.id] = story
        return story

    def _place(self, doc: RecentDoc, story: _Story) -> None:
        """Make a movable document (and its copies) a young member of ``story``."""
        story.young.append(doc.doc_id)
        if self._doc_story.get(doc.doc_id) != story.id:
            for key in doc.counts:
                self._post(key, story.id)
        self._doc_story[doc.doc_id] = story.id
        for copy in self._copies.get(doc.doc_id, ()):
            self._doc_story[copy.doc_id] = story.id
        self._touch(story)

    def _post(self, key: str, story_id: int) -> None:
        postings = self._postings.setdefault(key, [])
        if postings and postings[-1] == story_id:
            return
        postings.append(story_id)
        if len(postings) > self.options.postings_cap:
            del postings[0]

    def _touch(self, story: _Story) -> None:
        self._open[story.id] = None
        self._open.move_to_end(story.id)
        while len(self._open) > self.options.max_open_stories:
            closed_id, _ = self._open.popitem(last=False)
            self._close(self._stories[closed_id])

    def _freeze_beyond_window(self) -> None:
        """Documents older than the window are summed into their story's core for good."""
        while len(self._recent) > self.options.revision_window:
            doc_id = next(iter(self._recent))
            doc = self._recent.pop(doc_id)
            story = self._stories[self._doc_story[doc_id]]
            story.young.remove(doc_id)
            self._freeze(doc, story)
            for other in self._recent.values():
                other.similarities.pop(doc_id, None)

    def _freeze(self, doc: RecentDoc, story: _Story) -> None:
        if story.open:
            query = self._query(doc.counts)
            for key, value in query.unit.items():
                story.core[key] = story.core.get(key, 0.0) + value
            story.core_channels.update(query.channels)
            if len(story.core) > 2 * self.options.max_story_keys:
                self._prune(story)
        story.core_size += 1
        if not story.members:
            story.title = doc.title
        story.members.append(_Member(doc.doc_id, doc.published, False))
        _widen(story, doc.published)
        for copy in self._copies.pop(doc.doc_id, ()):
            story.members.append(copy)
            _widen(story, copy.published)
        story.entities.update(doc.entities)
        story.places.update(doc.places)

    def _prune(self, story: _Story) -> None:
        """Keep the keys that weigh most within their channel, so every channel keeps some."""
        if len(story.core) <= self.options.max_story_keys:
            return
        kept = heapq.nlargest(self.options.max_story_keys, story.core, key=story.core.__getitem__)
        story.core = {key: story.core[key] for key in kept}

    def _close(self, story: _Story) -> None:
        """Drop a story's core; its members and summary stay, it takes no new documents."""
        story.open = False
        story.core = {}

    # -- reading ---------------------------------------------------------------------------

    def story_ids(self) -> list[int]:
        """Every story so far, oldest first."""
        return sorted(self._stories)

    def summary(self, story_id: int, *, top: int = 5) -> StorySummary:
        """Title, time span, main places and entities, and documents of one story."""
        story = self._stories.get(story_id)
        if story is None:
            from jic.errors import NotFoundError

            raise NotFoundError(f"no story {story_id}", "list stories with story_ids()")
        young = [self._recent[doc_id] for doc_id in story.young]
        members = list(story.members)
        entities, places = Counter(story.entities), Counter(story.places)
        for doc in young:
            members.append(_Member(doc.doc_id, doc.published, False))
            members += self._copies.get(doc.doc_id, ())
            entities.update(doc.entities)
            places.update(doc.places)
        order = sorted(
            range(len(members)),
            key=lambda i: (members[i].published is None, members[i].published or 0, i),
        )
        members = [members[i] for i in order]
        times = [m.published for m in members if m.published is not None]
        return StorySummary(
            story_id=story.id,
            title=story.title or self._central_title(young),
            first=min(times) if times else None,
            last=max(times) if times else None,
            places=[key for key, _ in places.most_common(top)],
            entities=[key for key, _ in entities.most_common(top)],
            documents=[m.doc_id for m in members if not m.is_copy],
            copies=[m.doc_id for m in members if m.is_copy],
        )

    def _central_title(self, young: list[RecentDoc]) -> str:
        """The title of the movable member most like the others."""
        if not young:
            return ""
        return max(young, key=lambda d: sum(self._pair(d, o) for o in young if o is not d)).title

    # -- persistence -----------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """Everything the clusterer knows, as JSON-ready plain data."""
        from jic.analyse.story_state import dump

        return dump(self)

    @classmethod
    def from_state(
        cls, state: Mapping[str, Any], options: StoryOptions | None = None
    ) -> OnlineStoryClusterer:
        """Rebuild a clusterer saved with ``to_state``; ``options`` overrides the saved ones."""
        from jic.analyse.story_state import load

        return load(cls, state, options)


def pairwise_similarities(
    docs: Sequence[StoryDoc], options: StoryOptions | None = None
) -> list[list[float]]:
    """The similarity of every pair of documents as the clusterer compares two documents,
    with the IDF of all of them at once (``[i][j]``, symmetric, 0.0 on the diagonal).

    This is what clustering every document at once over the same similarity would see:
    bench/stories.py groups it by average linkage at ``link_threshold`` to tell how much
    of the error is online assignment's and how much the similarity's. Quadratic in the
    number of documents, so for evaluation, not for a running center; ``duplicate_of`` is
    not looked at.
    """
    clusterer = OnlineStoryClusterer(options)
    counts = []
    for doc in docs:
        vector = clusterer._tf(doc)
        clusterer._n += 1
        clusterer._df.update(vector.keys())
        counts.append(vector)
    queries = [clusterer._query(vector) for vector in counts]
    lengths = [clusterer._lengths(vector) for vector in counts]
    matrix = [[0.0] * len(docs) for _ in docs]
    for i, a in enumerate(docs):
        for j in range(i):
            b = docs[j]
            gap = _gap(a.published, a.published, b.published, b.published)
            value = clusterer._similarity(queries[i], counts[j], lengths[j])
            matrix[i][j] = matrix[j][i] = value * _decay(clusterer.options, gap)
    return matrix


def _gap(
    first: datetime | None,
    last: datetime | None,
    other_first: datetime | None,
    other_last: datetime | None,
) -> float:
    """Days between two time spans (0 when they overlap or either is unknown)."""
    if first is None or last is None or other_first is None or other_last is None:
        return 0.0
    if last < other_first:
        return (other_first - last).total_seconds() / 86_400
    if first > other_last:
        return (first - other_last).total_seconds() / 86_400
    return 0.0


def _decay(options: StoryOptions, days: float) -> float:
    return 1.0 / (1.0 + days / options.time_scale_days)


def _widen(story: _Story, published: datetime | None) -> None:
    if published is None:
        return
    if story.first is None or published < story.first:
        story.first = published
    if story.last is None or published > story.last:
        story.last = published


def _title_of(doc: StoryDoc) -> str:
    """The document's title, or else its first line (at most 200 characters)."""
    if doc.title.strip():
        return " ".join(doc.title.split())
    for line in doc.text.splitlines():
        if line.strip():
            return " ".join(line.split())[:200]
    return ""


def _channel_dots(vector: Vector, other: Mapping[str, float]) -> dict[str, float]:
    """The dot product of two term vectors, channel by channel (a key's first two
    characters name its channel)."""
    dots = dict.fromkeys(CHANNELS, 0.0)
    for key in vector.keys() & other.keys():
        dots[key[:2]] += vector[key] * other[key]
    return dots
