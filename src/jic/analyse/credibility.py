"""Information credibility on the Admiralty scale, from independent support and denial.

Pure functions: nothing here reads the database. Given the claims of one proposition
that one reader may see (``analyse/ledger.py`` reads them), this module works out the
independent groups on each side and the reliability each counts with, turns them into
a grade with a sentence that says why, and suggests a source's reliability from its
track record. The rules are written out in docs/credibility.md; the constants and
functions below are those rules.

    independence_groups(claims, roots)      -> document -> its independence group
    sides(claims, roots, groups)            -> Sides: each group's reliability per side
    grade(sides)                            -> Grade (1..6, label, explanation)
    outcomes(claims, groups)                -> per source and side: later confirmed/denied
    suggest_reliability(confirmed, denied)  -> (Reliability, explanation)

The functions over claims take rows as ``store/ledger.claims`` returns them (a claim
with its document's id, time ``at``, ``source_id``, ``source_name``, ``reliability``,
``ownership_group`` and ``member_name``), already filtered to what one reader may see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jic.domain import Reliability
from jic.store.times import maybe_utc, now

SUPPORT = ("assert", "confirm")

LABELS = {
    1: "confirmed",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "cannot be judged",
}

# How much one independent source of each reliability weighs. F ("cannot be judged",
# the default of every new source) sits between C and D: an unrated source is neither
# trusted nor distrusted.
WEIGHT = {
    Reliability.A: 1.0,
    Reliability.B: 0.75,
    Reliability.C: 0.5,
    Reliability.F: 0.35,
    Reliability.D: 0.25,
    Reliability.E: 0.1,
}
RELIABLE = frozenset({Reliability.A, Reliability.B, Reliability.C})
CONFIRMED_WEIGHT = 1.25  # e.g. one B and one C source
PROBABLY = 0.75  # support outweighs denial by at least one B source
POSSIBLY = 0.3  # ... by at least one unrated (F) source
IMPROBABLE = -0.75  # denial outweighs support by at least one B source

# Track record: fewer outcomes than this and the suggestion is F.
MIN_OUTCOMES = 3


def ranked(reliability: Reliability) -> float:
    """Order of reliabilities from least to most trusted (by weight)."""
    return WEIGHT[reliability]


@dataclass(frozen=True, slots=True)
class Grade:
    """A computed (or manual) information-credibility grade."""

    value: int
    label: str
    explanation: str


@dataclass(frozen=True, slots=True)
class Sides:
    """The independent groups on each side, by the reliability each counts with.

    ``support`` are groups that assert or confirm, ``deny`` groups that deny, ``hedge``
    groups that only hedge (they count for nothing but are named)."""

    support: tuple[Reliability, ...] = field(default_factory=tuple)
    deny: tuple[Reliability, ...] = field(default_factory=tuple)
    hedge: tuple[Reliability, ...] = field(default_factory=tuple)


def _sources(count: int, reliabilities: tuple[Reliability, ...]) -> str:
    if not count:
        return "no source"
    letters = sorted((r.value for r in reliabilities), key="ABCDEF".index)
    joined = letters[0] if len(letters) == 1 else ", ".join(letters[:-1]) + " and " + letters[-1]
    noun = "independent sources" if count > 1 else "source"
    return f"{count} {noun} of reliability {joined}"


def describe(sides: Sides) -> str:
    """'asserted by 2 independent sources of reliability B and C, denied by 1 source
    of reliability F'"""
    parts = []
    if sides.support or not (sides.deny or sides.hedge):
        parts.append(f"asserted by {_sources(len(sides.support), sides.support)}")
    if sides.deny:
        parts.append(f"denied by {_sources(len(sides.deny), sides.deny)}")
    if sides.hedge:
        parts.append(f"hedged by {_sources(len(sides.hedge), sides.hedge)}")
    return ", ".join(parts)


def grade(sides: Sides) -> Grade:
    """The grade the rule gives, with the reason in plain words."""
    support = sum(WEIGHT[r] for r in sides.support)
    deny = sum(WEIGHT[r] for r in sides.deny)
    margin = support - deny
    reliable = sum(1 for r in sides.support if r in RELIABLE)
    what = describe(sides)
    if not sides.support and not sides.deny:
        value, why = 6, "nobody asserts or denies it outright"
    elif not sides.deny and reliable >= 2 and support >= CONFIRMED_WEIGHT:
        value, why = 1, "confirmed by independent sources rated A to C, and nobody denies it"
    elif margin >= PROBABLY:
        value, why = 2, f"support outweighs denial by {margin:.2f} (at least {PROBABLY} needed)"
    elif margin >= POSSIBLY:
        value, why = 3, f"support outweighs denial by {margin:.2f} (less than {PROBABLY})"
    elif margin <= IMPROBABLE:
        value, why = 5, f"denial outweighs support by {-margin:.2f} (at least {-IMPROBABLE})"
    else:
        value, why = 4, _doubtful(margin)
    return Grade(value, LABELS[value], f"{what}: {LABELS[value]}, {why}")


def _doubtful(margin: float) -> str:
    if margin > 0:
        return f"support outweighs denial by only {margin:.2f} (less than {POSSIBLY})"
    if margin == 0:
        return "support and denial weigh the same"
    return f"denial outweighs support by {-margin:.2f} (less than {-IMPROBABLE})"


def suggest_reliability(confirmed: int, denied: int) -> tuple[Reliability, str]:
    """A source's suggested reliability from how often its statements were later
    confirmed or denied by independent sources. Never applied automatically."""
    outcomes = confirmed + denied
    record = f"later confirmed {confirmed} time(s), later denied {denied} time(s)"
    if outcomes < MIN_OUTCOMES:
        return Reliability.F, f"{record}: too few outcomes to judge (at least {MIN_OUTCOMES})"
    share = confirmed / outcomes
    if share >= 0.95 and outcomes >= 10:
        letter = Reliability.A
    elif share >= 0.8:
        letter = Reliability.B
    elif share >= 0.6:
        letter = Reliability.C
    elif share >= 0.4:
        letter = Reliability.D
    else:
        letter = Reliability.E
    return letter, f"{record}: {share:.0%} confirmed"


# --- independence ------------------------------------------------------------------


class _Groups:
    """Independence groups over documents: union-find by copy root, source and
    ownership group."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, doc: int) -> int:
        self.parent.setdefault(doc, doc)
        while self.parent[doc] != doc:
            self.parent[doc] = self.parent[self.parent[doc]]
            doc = self.parent[doc]
        return doc

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def source_key(row: Any) -> tuple[str, str]:
    return ("source", str(row.source_id)) if row.source_id else ("member", row.member_name)


def source_label(row: Any) -> str:
    return str(row.source_name) if row.source_id else f"submitted by {row.member_name}"


def row_reliability(row: Any) -> Reliability:
    return Reliability(row.reliability) if row.source_id and row.reliability else Reliability.F


def side(stance: str) -> str:
    return "support" if stance in SUPPORT else stance  # deny, hedge


def independence_groups(rows: Sequence[Any], roots: dict[int, int]) -> dict[int, int]:
    """document -> its independence group (the smallest document id in it)."""
    groups = _Groups()
    first_by_key: dict[tuple[str, str], int] = {}
    for row in rows:
        keys = [("root", str(roots.get(row.document_id, row.document_id))), source_key(row)]
        if row.source_id and row.ownership_group:
            keys.append(("owner", str(row.ownership_group)))
        for key in keys:
            first = first_by_key.setdefault(key, row.document_id)
            groups.union(first, row.document_id)
    return {row.document_id: groups.find(row.document_id) for row in rows}


def group_labels(rows: Sequence[Any], group_of: dict[int, int]) -> dict[int, str]:
    names: dict[int, list[str]] = defaultdict(list)
    owners: dict[int, set[str]] = defaultdict(set)
    for row in rows:
        group = group_of[row.document_id]
        if source_label(row) not in names[group]:
            names[group].append(source_label(row))
        if row.source_id and row.ownership_group:
            owners[group].add(str(row.ownership_group))
    return {
        group: (f"ownership group {', '.join(sorted(owners[group]))}: " if owners[group] else "")
        + " + ".join(found)
        for group, found in names.items()
    }


def sides(rows: Sequence[Any], roots: dict[int, int], group_of: dict[int, int]) -> Sides:
    """Each group's reliability per side. An article (a document and its copies) counts
    with its earliest visible document's source; a group with several articles counts
    as the least reliable of them when it supports and the most reliable when it
    denies, so adding a copy or a sibling source can never raise a grade."""
    article_reliability: dict[int, Reliability] = {}
    for row in rows:  # oldest first
        article_reliability.setdefault(
            roots.get(row.document_id, row.document_id), row_reliability(row)
        )
    per_side: dict[str, dict[int, list[Reliability]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        article = roots.get(row.document_id, row.document_id)
        per_side[side(row.stance)][group_of[row.document_id]].append(article_reliability[article])
    support = tuple(min(v, key=ranked) for v in per_side["support"].values())
    deny = tuple(max(v, key=ranked) for v in per_side["deny"].values())
    hedge = tuple(min(v, key=ranked) for v in per_side["hedge"].values())
    return Sides(support=support, deny=deny, hedge=hedge)


def outcomes(
    rows: Sequence[Any], group_of: dict[int, int]
) -> Iterable[tuple[tuple[str, str], int, int]]:
    """Per source and side it took on one proposition: (source, 1 if an independent
    group later took the same side, 1 if one later took the other side)."""
    firsts: dict[tuple[tuple[str, str], str], tuple[datetime, int]] = {}
    for row in rows:
        taken = side(row.stance)
        if taken in ("support", "deny"):
            firsts.setdefault((source_key(row), taken), (_at(row), group_of[row.document_id]))
    for (key, taken), (first, group) in firsts.items():
        other = "deny" if taken == "support" else "support"
        later = [r for r in rows if _at(r) > first and group_of[r.document_id] != group]
        yield (
            key,
            int(any(side(r.stance) == taken for r in later)),
            int(any(side(r.stance) == other for r in later)),
        )


def _at(row: Any) -> datetime:
    return maybe_utc(row.at) or now()
