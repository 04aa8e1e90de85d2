"""The rotating chair: who chairs the center at any instant, computed, never stored.

The chair follows from five facts recorded at ``jic init`` and ``jic members add
--in-rotation``: the founding members in rotation order, the first chair, the start
instant, the term length in calendar months, and the later admissions. Nothing else
is kept, so a handover happens on time even if nobody is logged in.

Rules (decided here, relied on by the CLI, the API and the audit log):

* **Terms** are numbered 0, 1, 2, ... Term *k* starts at ``start + k * term_months``
  calendar months, in UTC, always measured from the *original* start so that the day
  never drifts: a rotation started on 31 January with one-month terms hands over on
  28 (or 29) February, 31 March, 30 April, 31 May, ... The time of day is kept. A
  term ends (exclusively) where the next one starts.
* **Before the start** nobody chairs: :meth:`Rotation.term_at` raises
  :class:`NoChairError` (with a hint naming the start), :meth:`Rotation.is_chair` is
  ``False`` and :meth:`Rotation.upcoming` lists the first terms.
* **Times** must be aware; naive datetimes are refused (:class:`RotationError`) because
  guessing a zone would move a handover by hours. Other zones are converted to UTC.
* **Admissions in rotation**: a member admitted at instant *t* joins the rotation
  from the first term that starts at or after *t* (mid-term admissions never change
  the current chair). It is appended to the end of the order; the rotation then
  carries on from the chair of the term before, so the newcomer chairs right after
  the member that used to be last. Several admissions taking effect at the same
  handover are appended in the order of their instants (ties keep the given order).
  An admission at or before the start simply extends the founding order.

Members are whatever identifies them to the caller (names or ids); they only need to
be hashable and comparable with ``==``.
"""

from __future__ import annotations

import calendar
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from jic.errors import InputError

M = TypeVar("M", bound=Hashable)


class RotationError(InputError):
    """The rotation was described in a way that cannot be computed."""

    code = "JIC-E260"


class NoChairError(RotationError):
    """Asked for the chair at an instant before the rotation starts."""

    code = "JIC-E261"


@dataclass(frozen=True, slots=True)
class Term(Generic[M]):
    """One chair's term: ``start`` inclusive, ``end`` exclusive, both UTC."""

    chair: M
    start: datetime
    end: datetime
    index: int

    def __contains__(self, at: datetime) -> bool:
        return self.start <= to_utc(at, "at") < self.end


@dataclass(frozen=True, slots=True)
class Admission(Generic[M]):
    """A member admitted into the rotation at an instant (see the module rules)."""

    member: M
    at: datetime


@dataclass(frozen=True, slots=True)
class _Era(Generic[M]):
    """From term ``first_index`` on, the chair cycles ``order`` starting at ``offset``."""

    first_index: int
    order: tuple[M, ...]
    offset: int

    def chair(self, index: int) -> M:
        return self.order[(self.offset + index - self.first_index) % len(self.order)]


def to_utc(value: datetime, what: str) -> datetime:
    """An aware datetime in UTC; naive ones are refused rather than guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise RotationError(
            f"the {what} time {value.isoformat()} has no time zone",
            "give a zone, e.g. 2026-01-01T00:00:00Z or 2026-01-01T09:00+03:00",
        )
    return value.astimezone(UTC)


def add_months(start: datetime, months: int) -> datetime:
    """``start`` moved by whole calendar months, the day clamped to the month's length."""
    total = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise RotationError(
            f"a term boundary {months} months from {start.isoformat()} is outside years 1-9999",
            "ask about an instant nearer the rotation start",
        )
    day = min(start.day, calendar.monthrange(year, month0 + 1)[1])
    return start.replace(year=year, month=month0 + 1, day=day)


def months_between(earlier: datetime, later: datetime) -> int:
    """Whole calendar-month numbers between two instants (ignoring days)."""
    return (later.year - earlier.year) * 12 + (later.month - earlier.month)


class Rotation(Generic[M]):
    """The chair for any instant, from the founding order, first chair, start and term.

    ``order`` lists the founding members in rotation order; ``first_chair`` must be one
    of them; ``start`` is when the first term begins; ``term_months`` the length of a
    term in calendar months; ``admissions`` the members admitted in rotation later.
    """

    def __init__(
        self,
        order: Sequence[M],
        first_chair: M,
        start: datetime,
        term_months: int,
        admissions: Iterable[Admission[M]] = (),
    ) -> None:
        self.order: tuple[M, ...] = tuple(order)
        self.first_chair = first_chair
        self.start = to_utc(start, "rotation start")
        self.term_months = term_months
        self.admissions: tuple[Admission[M], ...] = tuple(admissions)
        self._check()
        self._eras = self._build_eras()

    def _check(self) -> None:
        if not self.order:
            raise RotationError("a rotation needs at least one member", "name a founding member")
        if len(set(self.order)) != len(self.order):
            raise RotationError("a member is named twice in the rotation", "name each once")
        if self.first_chair not in self.order:
            raise RotationError(
                f"the first chair {self.first_chair!r} is not a founding member",
                "choose the first chair among the founding members",
            )
        if isinstance(self.term_months, bool) or self.term_months < 1:
            raise RotationError("a term must last at least one month", "give term_months >= 1")
        seen = set(self.order)
        for admission in self.admissions:
            if admission.member in seen:
                raise RotationError(
                    f"{admission.member!r} is already in the rotation",
                    "admit each member into the rotation once",
                )
            seen.add(admission.member)

    def _build_eras(self) -> tuple[_Era[M], ...]:
        """Split the term sequence where admissions change the order."""
        by_index: dict[int, list[M]] = {}
        ordered = sorted(
            enumerate(self.admissions), key=lambda pair: (to_utc(pair[1].at, "admission"), pair[0])
        )
        for _, admission in ordered:
            index = self._first_term_from(to_utc(admission.at, "admission"))
            by_index.setdefault(index, []).append(admission.member)
        order = self.order
        eras = [_Era(0, order, order.index(self.first_chair))]
        for index in sorted(by_index):
            if index == 0:
                order = order + tuple(by_index[0])
                eras = [_Era(0, order, eras[0].offset)]
                continue
            previous = eras[-1].chair(index - 1)
            order = order + tuple(by_index[index])
            # The newcomers go last, so the chair before the handover keeps its place.
            eras.append(_Era(index, order, (order.index(previous) + 1) % len(order)))
        return tuple(eras)

    def _first_term_from(self, at: datetime) -> int:
        """Index of the first term starting at or after ``at`` (0 if before the start)."""
        if at <= self.start:
            return 0
        index = self._index_at(at)
        return index if self.boundary(index) == at else index + 1

    def boundary(self, index: int) -> datetime:
        """The instant term ``index`` starts (and term ``index - 1`` ends)."""
        return add_months(self.start, index * self.term_months)

    def _index_at(self, at: datetime) -> int:
        """The term containing ``at`` (which is at or after the start)."""
        index = months_between(self.start, at) // self.term_months
        # The month count ignores days, so the estimate may be one term too far.
        while index > 0 and self.boundary(index) > at:
            index -= 1
        while self.boundary(index + 1) <= at:
            index += 1
        return index

    def chair_of(self, index: int) -> M:
        """The member chairing term ``index``."""
        era = next(era for era in reversed(self._eras) if era.first_index <= index)
        return era.chair(index)

    def term(self, index: int) -> Term[M]:
        """Term number ``index`` (0 is the first)."""
        if index < 0:
            raise NoChairError(
                f"there is no term {index}; terms are numbered from 0",
                f"the rotation starts at {self.start.isoformat()}",
            )
        return Term(self.chair_of(index), self.boundary(index), self.boundary(index + 1), index)

    def term_at(self, at: datetime) -> Term[M]:
        """The term, and so the chair, in force at ``at``."""
        moment = to_utc(at, "requested")
        if moment < self.start:
            raise NoChairError(
                f"nobody chairs at {moment.isoformat()}: the rotation has not started",
                f"the first term starts at {self.start.isoformat()}; ask about a later time",
            )
        return self.term(self._index_at(moment))

    def upcoming(self, at: datetime, n: int = 4) -> list[Term[M]]:
        """The ``n`` terms starting after ``at`` (the first terms if before the start)."""
        moment = to_utc(at, "requested")
        first = 0 if moment < self.start else self._index_at(moment) + 1
        return [self.term(index) for index in range(first, first + n)]

    def terms(self, since: datetime, until: datetime) -> Iterator[Term[M]]:
        """Every term overlapping ``[since, until)``, in order."""
        begin, end = to_utc(since, "since"), to_utc(until, "until")
        index = 0 if begin < self.start else self._index_at(begin)
        while self.boundary(index) < end:
            yield self.term(index)
            index += 1

    def is_chair(self, member: M, at: datetime) -> bool:
        """Whether ``member`` chairs at ``at``; nobody does before the start."""
        moment = to_utc(at, "requested")
        return moment >= self.start and self.chair_of(self._index_at(moment)) == member

    def members(self, at: datetime) -> tuple[M, ...]:
        """The rotation order in force at ``at`` (founders, then admitted members)."""
        moment = to_utc(at, "requested")
        index = 0 if moment < self.start else self._index_at(moment)
        return next(era for era in reversed(self._eras) if era.first_index <= index).order
