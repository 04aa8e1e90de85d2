"""The rotating chair: handovers on time, month ends, leap years, zones, admissions."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jic.center.rotation import (
    Admission,
    NoChairError,
    Rotation,
    RotationError,
    add_months,
)
from jic.errors import InputError

SECOND = timedelta(seconds=1)
FOUNDERS = ["north", "east", "south"]


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.fixture
def quarterly() -> Rotation[str]:
    return Rotation(FOUNDERS, "east", utc(2026, 1, 1), 3)


def test_first_term_belongs_to_the_first_chair(quarterly: Rotation[str]) -> None:
    term = quarterly.term_at(utc(2026, 2, 14, 12))
    assert (term.chair, term.start, term.end, term.index) == (
        "east",
        utc(2026, 1, 1),
        utc(2026, 4, 1),
        0,
    )


def test_chair_passes_in_founding_order_and_wraps(quarterly: Rotation[str]) -> None:
    chairs = [quarterly.term_at(utc(2026, 1, 1) + timedelta(days=92 * k)).chair for k in range(5)]
    assert chairs == ["east", "south", "north", "east", "south"]


def test_handover_one_second_either_side(quarterly: Rotation[str]) -> None:
    handover = utc(2026, 4, 1)
    assert quarterly.term_at(handover - SECOND).chair == "east"
    assert quarterly.term_at(handover).chair == "south"
    assert quarterly.is_chair("east", handover - SECOND)
    assert not quarterly.is_chair("east", handover)
    assert quarterly.is_chair("south", handover)
    assert not quarterly.is_chair("south", handover - SECOND)


def test_microseconds_before_handover_still_old_chair(quarterly: Rotation[str]) -> None:
    assert quarterly.term_at(utc(2026, 4, 1) - timedelta(microseconds=1)).chair == "east"


def test_before_start_nobody_chairs_and_the_error_says_when_it_starts(
    quarterly: Rotation[str],
) -> None:
    with pytest.raises(NoChairError) as caught:
        quarterly.term_at(utc(2026, 1, 1) - SECOND)
    assert isinstance(caught.value, InputError)
    assert "2026-01-01T00:00:00+00:00" in caught.value.hint
    assert not any(quarterly.is_chair(m, utc(2025, 12, 31)) for m in FOUNDERS)


def test_upcoming_lists_the_next_terms(quarterly: Rotation[str]) -> None:
    upcoming = quarterly.upcoming(utc(2026, 5, 5), n=4)
    assert [(t.chair, t.start) for t in upcoming] == [
        ("north", utc(2026, 7, 1)),
        ("east", utc(2026, 10, 1)),
        ("south", utc(2027, 1, 1)),
        ("north", utc(2027, 4, 1)),
    ]


def test_upcoming_before_start_lists_first_terms(quarterly: Rotation[str]) -> None:
    assert [t.index for t in quarterly.upcoming(utc(2025, 6, 1), n=2)] == [0, 1]


def test_upcoming_exactly_at_handover_starts_after_the_new_term(quarterly: Rotation[str]) -> None:
    assert quarterly.upcoming(utc(2026, 4, 1), n=1)[0].start == utc(2026, 7, 1)


def test_month_end_start_clamps_without_drifting() -> None:
    rotation = Rotation(["a", "b"], "a", utc(2026, 1, 31, 9, 30), 1)
    starts = [rotation.term(k).start for k in range(5)]
    assert starts == [
        utc(2026, 1, 31, 9, 30),
        utc(2026, 2, 28, 9, 30),
        utc(2026, 3, 31, 9, 30),  # back to the 31st, not the 28th
        utc(2026, 4, 30, 9, 30),
        utc(2026, 5, 31, 9, 30),
    ]


def test_february_29_in_leap_years_only() -> None:
    rotation = Rotation(["a", "b"], "a", utc(2024, 2, 29), 12)
    assert rotation.term(1).start == utc(2025, 2, 28)
    assert rotation.term(4).start == utc(2028, 2, 29)
    assert rotation.term_at(utc(2025, 2, 28) - SECOND).chair == "a"
    assert rotation.term_at(utc(2025, 2, 28)).chair == "b"


def test_january_31_reaches_february_29_in_a_leap_year() -> None:
    rotation = Rotation(["a"], "a", utc(2028, 1, 31), 1)
    assert rotation.term(1).start == utc(2028, 2, 29)
    assert rotation.term_at(utc(2028, 2, 29) - SECOND).index == 0


def test_hundred_years_of_monthly_terms() -> None:
    rotation = Rotation(FOUNDERS, "north", utc(2026, 3, 31, 23, 59, 59), 1)
    term = rotation.term_at(utc(2126, 3, 31, 23, 59, 59))
    assert term.index == 1200
    assert term.chair == FOUNDERS[1200 % 3]
    assert rotation.term_at(utc(2126, 3, 31, 23, 59, 58)).index == 1199


def test_other_time_zones_are_converted_to_utc(quarterly: Rotation[str]) -> None:
    plus3 = timezone(timedelta(hours=3))
    # 02:30 on 1 April in UTC+3 is still 31 March in UTC: the old chair.
    assert quarterly.term_at(datetime(2026, 4, 1, 2, 30, tzinfo=plus3)).chair == "east"
    assert quarterly.term_at(datetime(2026, 4, 1, 3, 0, tzinfo=plus3)).chair == "south"
    assert quarterly.term_at(utc(2026, 5, 1)).start.tzinfo is UTC


def test_start_given_in_another_zone_is_kept_in_utc() -> None:
    minus5 = timezone(timedelta(hours=-5))
    rotation = Rotation(["a", "b"], "a", datetime(2026, 1, 31, 22, 0, tzinfo=minus5), 1)
    # 22:00 -05:00 on 31 Jan is 03:00 UTC on 1 Feb: months count from 1 Feb in UTC.
    assert rotation.term(1).start == utc(2026, 3, 1, 3)


def test_naive_datetimes_are_refused(quarterly: Rotation[str]) -> None:
    with pytest.raises(RotationError, match="no time zone"):
        quarterly.term_at(datetime(2026, 5, 1))
    with pytest.raises(RotationError, match="no time zone"):
        Rotation(["a"], "a", datetime(2026, 5, 1), 3)
    with pytest.raises(RotationError):
        quarterly.is_chair("east", datetime(2026, 5, 1))


@pytest.mark.parametrize(
    ("order", "first", "months", "message"),
    [
        ([], "a", 3, "at least one member"),
        (["a", "a"], "a", 3, "twice"),
        (["a", "b"], "c", 3, "not a founding member"),
        (["a", "b"], "a", 0, "at least one month"),
    ],
)
def test_impossible_rotations_are_refused(
    order: list[str], first: str, months: int, message: str
) -> None:
    with pytest.raises(RotationError, match=message) as caught:
        Rotation(order, first, utc(2026, 1, 1), months)
    assert caught.value.hint


def test_single_member_center_always_chairs() -> None:
    rotation = Rotation([7], 7, utc(2026, 1, 1), 3)
    assert rotation.term_at(utc(2040, 6, 6)).chair == 7


def test_admission_mid_term_waits_for_the_next_handover(quarterly: Rotation[str]) -> None:
    rotation = Rotation(FOUNDERS, "east", utc(2026, 1, 1), 3, [Admission("west", utc(2026, 2, 10))])
    assert rotation.term_at(utc(2026, 3, 1)).chair == "east"
    assert rotation.members(utc(2026, 3, 1)) == tuple(FOUNDERS)
    assert rotation.members(utc(2026, 4, 1)) == (*FOUNDERS, "west")
    chairs = [t.chair for t in rotation.upcoming(utc(2026, 3, 1), n=5)]
    # Order north, east, south, west; the rotation carries on after east.
    assert chairs == ["south", "west", "north", "east", "south"]


def test_admission_at_a_handover_counts_from_that_term() -> None:
    rotation = Rotation(["a", "b"], "b", utc(2026, 1, 1), 1, [Admission("c", utc(2026, 2, 1))])
    assert [rotation.term(k).chair for k in range(4)] == ["b", "c", "a", "b"]


def test_admission_before_start_extends_the_founding_order() -> None:
    rotation = Rotation(["a", "b"], "a", utc(2026, 1, 1), 1, [Admission("c", utc(2025, 12, 1))])
    assert [rotation.term(k).chair for k in range(4)] == ["a", "b", "c", "a"]


def test_two_admissions_in_one_term_join_in_the_order_admitted() -> None:
    rotation = Rotation(
        ["a", "b"],
        "a",
        utc(2026, 1, 1),
        1,
        [Admission("late", utc(2026, 1, 20)), Admission("early", utc(2026, 1, 5))],
    )
    assert [rotation.term(k).chair for k in range(5)] == ["a", "b", "early", "late", "a"]


def test_admitting_a_member_twice_is_refused() -> None:
    with pytest.raises(RotationError, match="already in the rotation"):
        Rotation(["a", "b"], "a", utc(2026, 1, 1), 1, [Admission("b", utc(2026, 3, 1))])


def test_naive_admission_is_refused() -> None:
    with pytest.raises(RotationError, match="no time zone"):
        Rotation(["a"], "a", utc(2026, 1, 1), 1, [Admission("b", datetime(2026, 3, 1))])


def test_terms_between_two_instants(quarterly: Rotation[str]) -> None:
    terms = list(quarterly.terms(utc(2025, 6, 1), utc(2026, 7, 1)))
    assert [t.index for t in terms] == [0, 1]
    assert utc(2026, 5, 1) in terms[1]


def test_beyond_year_9999_is_an_error_not_a_crash() -> None:
    rotation = Rotation(["a"], "a", utc(2026, 1, 1), 12)
    with pytest.raises(RotationError, match="outside years"):
        rotation.term_at(datetime(9999, 6, 1, tzinfo=UTC))


# --- properties ----------------------------------------------------------------

starts = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 12, 31), timezones=st.just(UTC)
)
admission_offsets = st.lists(
    st.integers(min_value=-40 * 86400, max_value=20 * 365 * 86400), max_size=3
)


@st.composite
def rotations(draw: st.DrawFn) -> Rotation[int]:
    founders = draw(st.integers(min_value=1, max_value=5))
    order = list(range(founders))
    start = draw(starts)
    admitted = [
        Admission(100 + k, start + timedelta(seconds=offset))
        for k, offset in enumerate(draw(admission_offsets))
    ]
    return Rotation(
        order,
        draw(st.sampled_from(order)),
        start,
        draw(st.integers(min_value=1, max_value=24)),
        admitted,
    )


PROPERTY_SETTINGS = settings(max_examples=300, deadline=None)


def month_number(value: datetime) -> int:
    return value.year * 12 + value.month


@PROPERTY_SETTINGS
@given(rotations(), st.integers(min_value=0, max_value=200))
def test_terms_are_contiguous_and_exactly_term_months_long(rotation: Rotation[int], k: int) -> None:
    term, following = rotation.term(k), rotation.term(k + 1)
    assert term.end == following.start
    assert term.start < term.end
    assert month_number(term.end) - month_number(term.start) == rotation.term_months
    # Measured from the original start: same day clamped, same time of day.
    assert term.start == add_months(rotation.start, k * rotation.term_months)
    assert term.start.time() == rotation.start.time()
    month_length = calendar.monthrange(term.start.year, term.start.month)[1]
    assert term.start.day == min(rotation.start.day, month_length)


@PROPERTY_SETTINGS
@given(rotations(), st.integers(min_value=0, max_value=150 * 366 * 86400))
def test_every_instant_after_start_is_in_exactly_one_term(
    rotation: Rotation[int], offset: int
) -> None:
    at = rotation.start + timedelta(seconds=offset)
    term = rotation.term_at(at)
    assert term.start <= at < term.end
    assert rotation.is_chair(term.chair, at)
    neighbours = [rotation.term(i) for i in (term.index - 1, term.index + 1) if i >= 0]
    assert not any(at in other for other in neighbours)


@PROPERTY_SETTINGS
@given(rotations(), st.integers(min_value=0, max_value=100))
def test_chairs_cycle_through_the_order_in_force(rotation: Rotation[int], k: int) -> None:
    order = rotation.members(rotation.term(k + 1).start)
    before, after = rotation.term(k).chair, rotation.term(k + 1).chair
    assert after == order[(order.index(before) + 1) % len(order)]


@PROPERTY_SETTINGS
@given(rotations())
def test_every_member_chairs_once_per_full_cycle(rotation: Rotation[int]) -> None:
    # Far enough in that every admission (at most 20 years in) has taken effect.
    k = 20 * 12 + 2
    order = rotation.members(rotation.term(k).start)
    chairs = [rotation.term(k + i).chair for i in range(len(order))]
    assert sorted(chairs) == sorted(order)


@PROPERTY_SETTINGS
@given(rotations(), st.integers(min_value=1, max_value=86400 * 40))
def test_before_the_start_no_chair(rotation: Rotation[int], seconds: int) -> None:
    at = rotation.start - timedelta(seconds=seconds)
    with pytest.raises(NoChairError):
        rotation.term_at(at)
    assert rotation.upcoming(at, n=1)[0].index == 0


@PROPERTY_SETTINGS
@given(
    rotations(),
    st.integers(min_value=0, max_value=50 * 366 * 86400),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_the_zone_an_instant_is_given_in_does_not_matter(
    rotation: Rotation[int], offset: int, zone_minutes: int
) -> None:
    at = rotation.start + timedelta(seconds=offset)
    elsewhere = at.astimezone(timezone(timedelta(minutes=zone_minutes)))
    assert rotation.term_at(elsewhere) == rotation.term_at(at)
    assert rotation.is_chair(rotation.term_at(at).chair, elsewhere)
