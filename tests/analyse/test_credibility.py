"""The grade rule on its own: each grade, the explanation, and that more independent
support never lowers a grade while more denial never raises it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jic.analyse.credibility import LABELS, Sides, describe, grade, suggest_reliability
from jic.domain import Reliability as R

# Grades 1..5 ordered from most to least credible; 6 ("cannot be judged") stands apart.
_ORDER = {1: 0, 2: 1, 3: 2, 4: 3, 5: 4}


@pytest.mark.parametrize(
    ("sides", "expected"),
    [
        (Sides(support=(R.B, R.C)), 1),
        (Sides(support=(R.A, R.A, R.E)), 1),
        (Sides(support=(R.B, R.C), deny=(R.F,)), 2),
        (Sides(support=(R.B,)), 2),
        (Sides(support=(R.F, R.F, R.F)), 2),
        (Sides(support=(R.C,)), 3),
        (Sides(support=(R.F,)), 3),
        (Sides(support=(R.F, R.F)), 3),
        (Sides(support=(R.D,)), 4),
        (Sides(support=(R.B,), deny=(R.B,)), 4),
        (Sides(deny=(R.F,)), 4),
        (Sides(support=(R.C,), deny=(R.A,)), 4),
        (Sides(support=(R.C,), deny=(R.A, R.B)), 5),
        (Sides(deny=(R.A,)), 5),
        (Sides(hedge=(R.A,)), 6),
        (Sides(), 6),
    ],
)
def test_each_grade(sides: Sides, expected: int) -> None:
    found = grade(sides)
    assert found.value == expected
    assert found.label == LABELS[expected]
    assert found.explanation.startswith(describe(sides))


def test_the_explanation_says_who_is_on_each_side() -> None:
    found = grade(Sides(support=(R.C, R.B), deny=(R.F,)))
    assert found.explanation == (
        "asserted by 2 independent sources of reliability B and C, "
        "denied by 1 source of reliability F: probably true, "
        "support outweighs denial by 0.90 (at least 0.75 needed)"
    )
    assert grade(Sides(hedge=(R.B,))).explanation.startswith(
        "hedged by 1 source of reliability B: cannot be judged"
    )


_reliability = st.sampled_from(list(R))
_sides = st.tuples(
    st.lists(_reliability, max_size=5),
    st.lists(_reliability, max_size=5),
)


@given(_sides, _reliability)
def test_more_support_never_lowers_a_grade(sides: tuple[list[R], list[R]], extra: R) -> None:
    support, deny = sides
    before = grade(Sides(support=tuple(support), deny=tuple(deny))).value
    after = grade(Sides(support=(*support, extra), deny=tuple(deny))).value
    if before != 6:
        assert _ORDER[after] <= _ORDER[before]


@given(_sides, _reliability)
def test_more_denial_never_raises_a_grade(sides: tuple[list[R], list[R]], extra: R) -> None:
    support, deny = sides
    before = grade(Sides(support=tuple(support), deny=tuple(deny))).value
    after = grade(Sides(support=tuple(support), deny=(*deny, extra))).value
    if before != 6:
        assert _ORDER[after] >= _ORDER[before]


@pytest.mark.parametrize(
    ("confirmed", "denied", "expected"),
    [(0, 0, R.F), (2, 0, R.F), (10, 0, R.A), (9, 0, R.B), (4, 1, R.B), (3, 2, R.C),
     (2, 2, R.D), (1, 4, R.E)],
)  # fmt: skip
def test_suggested_reliability_from_a_track_record(
    confirmed: int, denied: int, expected: R
) -> None:
    letter, why = suggest_reliability(confirmed, denied)
    assert letter is expected
    assert f"later confirmed {confirmed} time(s), later denied {denied} time(s)" in why
