"""Information credibility on the Admiralty scale, from independent support and denial.

Pure functions over counts: nothing here reads the database. ``analyse/ledger.py``
works out, for one reader, the independent groups on each side of a proposition and
their reliability; this module turns them into a grade with a sentence that says why,
and suggests a source's reliability from its track record. The rule is written out
in docs/credibility.md; the constants below are that rule.

    grade(sides)                       -> Grade (1..6, label, explanation)
    suggest_reliability(confirmed, denied) -> (Reliability, explanation)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jic.domain import Reliability

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
