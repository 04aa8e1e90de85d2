"""The claims ledger: claims grouped into propositions, and each proposition graded
for one reader from the independent sources on each side.

    assign_propositions(store)                      claims without a proposition get one (online)
    PropositionAssigner().run(store)                the same, keeping its index between runs
    propositions(connection, reader, ...)           the reader's propositions, newest first
    proposition(connection, reader, id)             one of them (NotFoundError if none is seen)
    set_grade(connection, user, id, grade, note)    an officer's grade, audited
    track_records(connection, reader)               each source's record and suggested reliability

Grouping is online, like stories: claims are taken oldest document first, and each
joins the most similar live proposition or starts one; earlier decisions never
change. A claim's *signature* is what its content states: content words (lower-cased,
stop words dropped, crudely stemmed), the entities mentioned in it (the linker's keys,
so "IS" and "Daesh" are one), other capitalised names, numbers, and whether it is
negated ("not", "never": negation inside the content is content, so "X is not
building a base" is another proposition than "X is building a base"). A denial
"... denied that Russia was building a base in Latakia" has the same signature as the
assertion "Russia is building a base in Latakia", so the two are one proposition with
two stances; a denial too short to state anything ("X denied this") joins the
proposition of the claim it answers (``refers_to``). Candidates come from an inverted index over the
signatures of the propositions seen within ``WINDOW`` of the claim: only the rarest
few items of each signature are indexed and probed (prefix filtering, exact for the
Jaccard threshold), so no claim is compared with every other.

What a reader sees is computed from the claims in documents that reader may see and
nothing else: the text, counts, sides, grade and track record. docs/credibility.md
states the independence and grading rules.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS
from sqlalchemy import Connection, Row

from jic.analyse import credibility
from jic.analyse.credibility import LABELS, Grade
from jic.errors import AccessError, InputError, NotFoundError
from jic.store import audit, facts, processing
from jic.store import ledger as repo
from jic.store.database import Store
from jic.store.times import iso, maybe_utc, now
from jic.store.users import User
from jic.store.visibility import Reader

__all__ = [
    "LABELS",
    "ClaimView",
    "Grade",
    "GradeInputError",
    "ManualGrade",
    "NotAnOfficerError",
    "PropositionAssigner",
    "PropositionView",
    "SourceRecord",
    "assign_propositions",
    "proposition",
    "propositions",
    "set_grade",
    "signature",
    "track_records",
]


class GradeInputError(InputError):
    """A manual grade that is not 1 to 6 (or none), or a note that is too long."""

    code = "JIC-E241"


class NotAnOfficerError(AccessError):
    """Only officers set grades by hand."""

    code = "JIC-E611"


BATCH = 500
WINDOW = timedelta(days=90)  # a proposition takes new claims this long after its last one
MATCH = 0.5  # Jaccard similarity of signatures a claim needs to join a proposition
MIN_TERMS = 3  # a content with fewer terms states no proposition on its own
SIGNATURE_VERSION = 1
NEGATORS = frozenset(
    {"not", "no", "never", "nor", "neither", "none", "nobody", "nothing", "without", "cannot"}
)
_STOP = frozenset(STOP_WORDS) - NEGATORS
_TOKEN = re.compile(r"\d[\d,.]*\d|\d|[^\W\d_]+(?:['’][^\W\d_]+)?")
_THAT = re.compile(r"^(?:that|whether)\s+", re.IGNORECASE)
_SUFFIXES = ("ings", "ing", "ied", "ies", "ed", "es", "s", "ly")
TOO_SHORT = "its content is too short to state a proposition"
ANSWERS_NOTHING = "its content is too short and the claim it answers states no proposition"


# --- signatures -------------------------------------------------------------------


def _stem(word: str) -> str:
    """A crude, consistent stem: the same on both sides of a comparison is all it needs."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix in ("ied", "ies") else "")
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def _number(token: str) -> str:
    cleaned = token.replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        return cleaned
    return str(int(value)) if value.is_integer() else str(value)


def signature(
    content: str, content_start: int = 0, mentions: Iterable[Sequence[Any]] = ()
) -> dict[str, Any]:
    """What a claim's content states, as plain data. ``mentions``: the document's
    entity mentions (start, end, key, ...) in clean-text offsets; those inside the
    content stand for their entity's key rather than their words."""
    keys: set[str] = set()
    text = content
    end = content_start + len(content)
    inside = sorted(
        ((int(m[0]), int(m[1]), str(m[2])) for m in mentions if content_start <= int(m[0])),
        reverse=True,
    )
    for start, stop, key in inside:
        if stop <= end:
            left, right = start - content_start, stop - content_start
            text = text[:left] + " " + text[right:]
            keys.add(f"E:{key}")
    terms: set[str] = set()
    negated = False
    for position, match in enumerate(_TOKEN.finditer(text)):
        token = match.group().lower().replace("’", "'")
        if token[0].isdigit():
            keys.add(f"N:{_number(token)}")
            continue
        if token in NEGATORS or token.endswith("n't"):
            negated = True
            continue
        token = token.removesuffix("'s")
        if token in _STOP or len(token) < 2:
            continue
        if position and match.group()[0].isupper():
            keys.add(f"W:{token}")  # a name the entity linker did not know
        else:
            terms.add(_stem(token))
    return {"v": SIGNATURE_VERSION, "terms": sorted(terms), "keys": sorted(keys), "neg": negated}


@dataclass(frozen=True, slots=True)
class _Sig:
    items: frozenset[str]
    keys: frozenset[str]
    negated: bool

    @classmethod
    def of(cls, data: dict[str, Any]) -> _Sig:
        keys = frozenset(data.get("keys", []))
        return cls(frozenset(data.get("terms", [])) | keys, keys, bool(data.get("neg")))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def similarity(a: _Sig, b: _Sig) -> float:
    """How alike two signatures are (0 when they cannot state the same thing)."""
    if a.negated != b.negated:
        return 0.0
    if a.keys and b.keys and _jaccard(a.keys, b.keys) < MATCH:
        return 0.0  # other places, actors or numbers: another proposition
    return _jaccard(a.items, b.items)


def _prefix_length(size: int) -> int:
    """How many of a signature's items, in the index's order, any signature at
    Jaccard >= MATCH with it must share one of (prefix filtering)."""
    return size - math.ceil(MATCH * size) + 1


class _Index:
    """Live propositions' signatures, with inverted indexes over their *prefixes*.

    Items are ordered by how many live signatures held them when the order was last
    frozen (rarest first; unseen items first of all). Two signatures at Jaccard >=
    MATCH share an item within their prefixes under any one fixed order, so indexing
    and probing only prefixes finds every match while common words' postings stay
    short. Two signatures that both name entities or numbers must share half of those
    too, so such a claim looks for named propositions by the prefix of its keys alone
    (names are rare), and for unnamed ones by the prefix of its items. The order is
    refrozen, and the postings rebuilt, whenever the index has doubled since the last
    freeze, so it follows the data at linear cost."""

    def __init__(self, window: timedelta) -> None:
        self.window = window
        self.sigs: dict[int, _Sig] = {}
        self.last: dict[int, datetime] = {}
        self.counts: dict[str, int] = defaultdict(int)
        self.frozen: dict[str, int] = {}
        self.frozen_at = 0
        self.newest_id = -1
        self.horizon: datetime | None = None  # propositions last seen before it are gone
        self._clear()

    def _clear(self) -> None:
        self.by_key: dict[str, list[int]] = defaultdict(list)  # named, by key prefix
        self.named: dict[str, list[int]] = defaultdict(list)  # named, by item prefix
        self.unnamed: dict[str, list[int]] = defaultdict(list)  # unnamed, by item prefix

    def _prefix(self, items: frozenset[str]) -> list[str]:
        ordered = sorted(items, key=lambda item: (self.frozen.get(item, 0), item))
        return ordered[: _prefix_length(len(ordered))]

    def add(self, proposition_id: int, sig: _Sig, at: datetime) -> None:
        if proposition_id in self.sigs:
            return
        self.sigs[proposition_id] = sig
        self.last[proposition_id] = at
        self.newest_id = max(self.newest_id, proposition_id)
        for item in sig.items:
            self.counts[item] += 1
        if len(self.sigs) >= max(2 * self.frozen_at, 256):
            self._refreeze()
        else:
            self._post(proposition_id, sig)

    def load(self, rows: Iterable[tuple[int, dict[str, Any], datetime]]) -> None:
        """Add stored propositions in bulk: at most one freeze of the order."""
        fresh = []
        for proposition_id, data, last in rows:
            if proposition_id not in self.sigs:
                sig = _Sig.of(data)
                self.sigs[proposition_id] = sig
                self.last[proposition_id] = last
                self.newest_id = max(self.newest_id, proposition_id)
                for item in sig.items:
                    self.counts[item] += 1
                fresh.append((proposition_id, sig))
        if len(self.sigs) >= max(2 * self.frozen_at, 256):
            self._refreeze()
        else:
            for proposition_id, sig in fresh:
                self._post(proposition_id, sig)

    def _post(self, proposition_id: int, sig: _Sig) -> None:
        if sig.keys:
            for key in self._prefix(sig.keys):
                self.by_key[key].append(proposition_id)
        postings = self.named if sig.keys else self.unnamed
        for item in self._prefix(sig.items):
            postings[item].append(proposition_id)

    def _refreeze(self) -> None:
        if self.last:  # forget what no later claim can join any more
            horizon = max(self.last.values()) - self.window
            self.horizon = horizon if self.horizon is None else max(self.horizon, horizon)
            for proposition_id in [p for p, at in self.last.items() if at < horizon]:
                for item in self.sigs.pop(proposition_id).items:
                    self.counts[item] -= 1
                del self.last[proposition_id]
        self.frozen = dict(self.counts)
        self.frozen_at = len(self.sigs)
        self._clear()
        for proposition_id, sig in self.sigs.items():
            self._post(proposition_id, sig)

    def rename(self, ids: dict[int, int]) -> None:
        """Give provisional propositions their stored ids."""
        for old, new in ids.items():
            sig = self.sigs.pop(old)
            self.sigs[new] = sig
            self.last[new] = self.last.pop(old)
            self.newest_id = max(self.newest_id, new)
            # posted under the current order: at its add, or at a refreeze since
            postings_of = self.named if sig.keys else self.unnamed
            where = [(postings_of, item) for item in self._prefix(sig.items)]
            where += [(self.by_key, key) for key in self._prefix(sig.keys)] if sig.keys else []
            for postings, item in where:
                found = postings[item]
                for position in range(len(found) - 1, -1, -1):  # it was added recently
                    if found[position] == old:
                        found[position] = new
                        break

    def touch(self, proposition_id: int, at: datetime) -> None:
        self.last[proposition_id] = max(self.last[proposition_id], at)

    def _candidates(self, sig: _Sig) -> set[int]:
        prefix = self._prefix(sig.items)
        found = {p for item in prefix for p in self.unnamed.get(item, ())}
        if sig.keys:
            found.update(p for key in self._prefix(sig.keys) for p in self.by_key.get(key, ()))
        else:
            found.update(p for item in prefix for p in self.named.get(item, ()))
        return found

    def best(self, sig: _Sig, at: datetime) -> int | None:
        """The most similar live proposition, if one is similar enough."""
        size = len(sig.items)
        smallest, largest = math.ceil(MATCH * size), size / MATCH  # Jaccard's length bound
        best, best_score = None, MATCH
        for candidate in sorted(self._candidates(sig)):
            other = self.sigs[candidate]
            if not smallest <= len(other.items) <= largest:
                continue
            if self.last[candidate] < at - self.window:
                continue
            score = similarity(sig, other)
            if score >= best_score and (best is None or score > best_score):
                best, best_score = candidate, score
        return best


# --- assignment -------------------------------------------------------------------


def assign_propositions(store: Store, *, window: timedelta = WINDOW, batch: int = BATCH) -> int:
    """Give every claim without a proposition its proposition; returns how many."""
    return PropositionAssigner(window=window, batch=batch).run(store)


class PropositionAssigner:
    """Assigns pending claims, keeping its index of live propositions between runs, so
    a long-running process (`jic up`) loads the stored signatures once rather than on
    every run; each run then loads only the propositions made since (by any worker)."""

    def __init__(self, *, window: timedelta = WINDOW, batch: int = BATCH) -> None:
        self.window = window
        self.batch = batch
        self.index = _Index(window)
        self.since: datetime | None = None  # the index holds what is live from here on

    def run(self, store: Store) -> int:
        """Give every claim without a proposition its proposition; returns how many."""
        assigned = 0
        while True:
            with store.write() as connection:
                repo.lock(connection)
                claims = repo.pending(connection, self.batch)
                if not claims:
                    break
                self._refresh(connection, claims[0].at - self.window)
                pairs, started = _assign_batch(connection, self.index, claims)
                repo.assign(connection, pairs)
                audit.append(
                    connection,
                    audit.Actor(),
                    "propositions.assign",
                    object_type="propositions",
                    detail={"claims": len(pairs), "new_propositions": started},
                )
                assigned += len(pairs)
        return assigned

    def _refresh(self, connection: Connection, since: datetime) -> None:
        held = self.since
        if held is not None and self.index.horizon is not None:
            held = max(held, self.index.horizon)
        if held is None or since < held:  # first run, or an older claim came in
            self.index = _Index(self.window)
            self.index.load(repo.live(connection, since))
            self.since = since
        else:
            self.index.load(repo.live(connection, None, after_id=self.index.newest_id))


_PROVISIONAL = -(10**9)  # ids of propositions made in this batch, until inserted


def _assign_batch(
    connection: Connection, index: _Index, claims: list[repo.Pending]
) -> tuple[list[tuple[int, int]], int]:
    outputs = processing.outputs(connection, {c.document_id for c in claims}, ["entities"])
    placed: dict[tuple[int, int], int] = {}
    made: list[tuple[str, dict[str, Any]]] = []
    pairs: list[tuple[int, int]] = []
    for claim in claims:
        mentions = outputs.get(claim.document_id, {}).get("entities", {}).get("entity_mentions")
        data = signature(claim.content, claim.content_start, mentions or ())
        sig = _Sig.of(data)
        answered = _answered(connection, claim, placed)
        target: int | None
        if len(sig.items) < MIN_TERMS:
            if answered is None and claim.refers_to is not None:
                target = repo.left_out(connection, 2, ANSWERS_NOTHING)
            elif answered is None:
                target = repo.left_out(connection, 1, TOO_SHORT)
            else:
                target = answered
        else:
            target = index.best(sig, claim.at)
            if target is None and claim.stance in ("deny", "confirm"):
                target = answered  # the claims stage linked it to the claim it answers
            if target is None:
                target = _PROVISIONAL - len(made)
                made.append((_statement(claim.content), data))
                index.add(target, sig, claim.at)
            elif target in index.sigs:
                index.touch(target, claim.at)
        placed[(claim.document_id, claim.position)] = target
        pairs.append((claim.id, target))
    ids = dict(enumerate(repo.add_many(connection, made)))
    real = {_PROVISIONAL - k: found for k, found in ids.items()}
    index.rename(real)
    return [(claim, real.get(target, target)) for claim, target in pairs], len(made)


def _statement(content: str) -> str:
    """A claim's content as a proposition reads: without a leading "that"."""
    return _THAT.sub("", content.strip()).strip()


def _answered(
    connection: Connection, claim: repo.Pending, placed: dict[tuple[int, int], int]
) -> int | None:
    """The proposition of the claim this one answers, if it has a real one."""
    if claim.refers_to is None:
        return None
    key = (claim.document_id, claim.refers_to)
    target = placed[key] if key in placed else repo.proposition_at(connection, *key)
    if target is None or _PROVISIONAL < target < 0:
        return None  # left out
    return target


# --- views ------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return iso(value) if value is not None else None


@dataclass(slots=True)
class ClaimView:
    """One claim as a reader sees it, with the independence group it counts in."""

    claim_id: int
    document_id: int
    title: str | None
    published: datetime | None
    source: str
    source_id: int | None
    reliability: str
    claimant: str | None
    claimant_kind: str | None
    claimant_entity: str | None
    cue: str
    stance: str
    content: str
    content_start: int
    content_end: int
    claim_date: datetime | None
    copy_of: int | None
    group: str

    def record(self) -> dict[str, Any]:
        found = asdict(self)
        for key in ("published", "claim_date"):
            found[key] = _iso(found[key])
        return found


@dataclass(slots=True)
class ManualGrade:
    value: int
    note: str | None
    set_by: str
    member: str
    set_at: datetime


@dataclass(slots=True)
class PropositionView:
    """A proposition as one reader sees it: only the claims in documents it may see."""

    id: int
    text: str
    first_seen: datetime
    last_seen: datetime
    claims: list[ClaimView]
    support: int
    deny: int
    hedge: int
    computed: Grade
    manual: ManualGrade | None = None
    disputed: bool = False
    groups: list[str] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        """As plain data (JSON): what the CLI's --json and the API return."""
        manual = None
        if self.manual is not None:
            manual = {**asdict(self.manual), "set_at": _iso(self.manual.set_at)}
        return {
            "id": self.id,
            "text": self.text,
            "first_seen": _iso(self.first_seen),
            "last_seen": _iso(self.last_seen),
            "support": self.support,
            "deny": self.deny,
            "hedge": self.hedge,
            "disputed": self.disputed,
            "grade": asdict(self.grade),
            "computed": asdict(self.computed),
            "manual": manual,
            "groups": self.groups,
            "claims": [claim.record() for claim in self.claims],
        }

    @property
    def grade(self) -> Grade:
        """The manual grade when an officer set one, else the computed grade."""
        if self.manual is None:
            return self.computed
        note = f": {self.manual.note}" if self.manual.note else ""
        return Grade(
            self.manual.value,
            LABELS[self.manual.value],
            f"set by {self.manual.set_by} ({self.manual.member}){note}",
        )


@dataclass(slots=True)
class SourceRecord:
    """A source's track record in the ledger, as one reader can see it."""

    source: str
    source_id: int | None
    reliability: str
    suggested: str
    confirmed: int
    denied: int
    explanation: str

    def record(self) -> dict[str, Any]:
        return asdict(self)


def _at(row: Row[Any]) -> datetime:
    return maybe_utc(row.at) or now()


def _claim_view(row: Row[Any], copy_of: int | None, group: str) -> ClaimView:
    return ClaimView(
        claim_id=row.id,
        document_id=row.document_id,
        title=row.title,
        published=maybe_utc(row.published_at),
        source=credibility.source_label(row),
        source_id=row.source_id,
        reliability=credibility.row_reliability(row).value,
        claimant=row.claimant,
        claimant_kind=row.claimant_kind,
        claimant_entity=row.claimant_entity,
        cue=row.cue,
        stance=row.stance,
        content=row.content,
        content_start=row.content_start,
        content_end=row.content_end,
        claim_date=maybe_utc(row.claim_date),
        copy_of=copy_of,
        group=group,
    )


def _manual(row: Row[Any] | None) -> ManualGrade | None:
    if row is None or row.grade is None:
        return None
    return ManualGrade(
        row.grade, row.note, row.set_by, row.member_name, maybe_utc(row.set_at) or now()
    )


def _view(
    proposition_id: int,
    rows: Sequence[Row[Any]],
    roots: dict[int, int],
    seen: set[int],
    manual: Row[Any] | None,
) -> PropositionView:
    group_of = credibility.independence_groups(rows, roots)
    labels = credibility.group_labels(rows, group_of)
    sides = credibility.sides(rows, roots, group_of)
    claims = []
    for row in rows:
        original = roots.get(row.document_id, row.document_id)
        copy_of = original if original != row.document_id and original in seen else None
        claims.append(_claim_view(row, copy_of, labels[group_of[row.document_id]]))
    stated = [row for row in rows if len(row.content.split()) >= MIN_TERMS] or list(rows)
    times = [_at(row) for row in rows]
    return PropositionView(
        id=proposition_id,
        text=_statement(stated[0].content),
        first_seen=min(times),
        last_seen=max(times),
        claims=claims,
        support=len(sides.support),
        deny=len(sides.deny),
        hedge=len(sides.hedge),
        computed=credibility.grade(sides),
        manual=_manual(manual),
        disputed=bool(sides.support and sides.deny),
        groups=list(dict.fromkeys(labels[group_of[row.document_id]] for row in rows)),
    )


def _views(connection: Connection, reader: Reader, ids: list[int]) -> list[PropositionView]:
    """Views of these propositions, in this order; those the reader sees no claim of
    are left out."""
    by_proposition: dict[int, list[Row[Any]]] = defaultdict(list)
    for row in repo.claims(connection, reader, ids):
        by_proposition[row.proposition_id].append(row)
    documents = {row.document_id for rows in by_proposition.values() for row in rows}
    roots = repo.roots(connection, documents)
    seen = repo.visible_ids(connection, reader, set(roots.values()))
    manual = repo.manual_grades(connection, by_proposition)
    return [
        _view(pid, by_proposition[pid], roots, seen, manual.get(pid))
        for pid in ids
        if by_proposition.get(pid)
    ]


def propositions(
    connection: Connection,
    reader: Reader,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    disputed: bool | None = None,
    entity: str | None = None,
    document_ids: Iterable[int] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[PropositionView]:
    """The reader's propositions with a claim in [since, until), in these documents,
    about this entity (a name or alias: the claimant, or named in the content),
    disputed or not; newest claim first."""
    query = repo.PageQuery(
        since=since,
        until=until,
        disputed=disputed,
        document_ids=None if document_ids is None else tuple(document_ids),
    )
    if entity is None:
        page = repo.page(connection, reader, _paged(query, limit, offset))
        return _views(connection, reader, page)
    keys = facts.entity_keys(connection, entity)
    if not keys:
        return []
    names = repo.aliases(connection, keys)
    query = _paged(query, BATCH, 0, entity_keys=tuple(keys))
    found: list[PropositionView] = []
    skipped = 0
    while len(found) < limit:
        page = repo.page(connection, reader, query)
        for view in _views(connection, reader, page):
            if not _about(view, set(keys), names):
                continue
            if skipped < offset:
                skipped += 1
            elif len(found) < limit:
                found.append(view)
        if len(page) < query.limit:
            break
        query = _paged(query, BATCH, query.offset + BATCH)
    return found


def _paged(query: repo.PageQuery, limit: int, offset: int, **changes: Any) -> repo.PageQuery:
    return replace(query, limit=limit, offset=offset, **changes)


def _about(view: PropositionView, keys: set[str], names: list[str]) -> bool:
    for claim in view.claims:
        if claim.claimant_entity in keys:
            return True
        content = f" {' '.join(_TOKEN.findall(claim.content.lower()))} "
        if any(f" {name} " in content for name in names):
            return True
    return False


def proposition(connection: Connection, reader: Reader, proposition_id: int) -> PropositionView:
    """One proposition as the reader sees it."""
    views = _views(connection, reader, [proposition_id])
    if proposition_id < 0 or not views:
        raise NotFoundError(f"no proposition {proposition_id}", "list them with `jic claims list`")
    return views[0]


def set_grade(
    connection: Connection, user: User, proposition_id: int, grade: int | None, note: str | None
) -> None:
    """An officer's grade for a proposition (None clears it); the computed grade stays
    beside it. Audited with the computed grade the officer saw."""
    if user.role != "officer":
        raise NotAnOfficerError(
            f"{user.name} is {user.role!r}; only officers grade propositions by hand",
            "ask an officer of your member",
        )
    if grade is not None and grade not in LABELS:
        raise GradeInputError(f"grade {grade} is not on the scale", "give 1 to 6, or none to clear")
    if note is not None and len(note) > 2000:
        raise GradeInputError("the note is longer than 2,000 characters", "shorten it")
    view = proposition(connection, Reader(user.viewer), proposition_id)
    repo.add_grade(
        connection, proposition_id, grade, note, set_by=user.name, member_id=user.member_id
    )
    audit.append(
        connection,
        audit.Actor.of(user),
        "proposition.grade",
        object_type="proposition",
        object_id=proposition_id,
        detail={"grade": grade, "note": note, "computed": view.computed.value},
    )


def track_records(connection: Connection, reader: Reader) -> list[SourceRecord]:
    """Every source with a claim the reader may see: how often what it said was later
    said again by an independent source (confirmed) or later contradicted by one
    (denied), and the reliability that record suggests. Nothing is applied."""
    by_proposition: dict[int, list[Row[Any]]] = defaultdict(list)
    for row in repo.claims(connection, reader, None):
        by_proposition[row.proposition_id].append(row)
    roots = repo.roots(
        connection, {row.document_id for rows in by_proposition.values() for row in rows}
    )
    confirmed: dict[tuple[str, str], int] = defaultdict(int)
    denied: dict[tuple[str, str], int] = defaultdict(int)
    about: dict[tuple[str, str], Row[Any]] = {}
    for rows in by_proposition.values():
        group_of = credibility.independence_groups(rows, roots)
        for key, later_same, later_other in credibility.outcomes(rows, group_of):
            confirmed[key] += later_same
            denied[key] += later_other
        for row in rows:
            about.setdefault(credibility.source_key(row), row)
    records = []
    for key, row in about.items():
        suggested, why = credibility.suggest_reliability(confirmed[key], denied[key])
        records.append(
            SourceRecord(
                source=credibility.source_label(row),
                source_id=row.source_id,
                reliability=credibility.row_reliability(row).value,
                suggested=suggested.value,
                confirmed=confirmed[key],
                denied=denied[key],
                explanation=why,
            )
        )
    return sorted(records, key=lambda r: r.source.lower())
