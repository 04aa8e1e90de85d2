"""Hypothesis strategies for the sharing policy, and a checker for SQL filters.

The id pools are small on purpose: with few members and users, generated viewers
often belong to an item's owner or audience, so every branch of the policy is hit.

To check a store filter against the policy, generate ``items_lists()`` and
``viewers()``, store the items, run the filter, and hand the ids it returned to
:func:`assert_filter_matches` (the SQLite test in test_policy.py is an example).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from hypothesis import strategies as st

from jic.center.policy import ROLES, Item, Viewer, decide
from jic.domain import TLP

MEMBER_IDS = range(1, 5)
USER_IDS = range(1, 9)

member_ids = st.sampled_from(MEMBER_IDS)
user_ids = st.sampled_from(USER_IDS)
tlps = st.sampled_from(list(TLP))
roles = st.sampled_from(ROLES)


def public_viewers() -> st.SearchStrategy[Viewer]:
    return st.just(Viewer.public())


def member_viewers() -> st.SearchStrategy[Viewer]:
    """Signed-in users of a member, any role."""
    return st.builds(Viewer, user_id=user_ids, member_id=member_ids, role=roles)


def memberless_viewers() -> st.SearchStrategy[Viewer]:
    """Signed-in users that belong to no member (e.g. an installation admin)."""
    return st.builds(Viewer, user_id=user_ids, member_id=st.none(), role=roles | st.none())


def viewers() -> st.SearchStrategy[Viewer]:
    """Any viewer, weighted towards users of members."""
    return st.one_of(member_viewers(), public_viewers(), memberless_viewers(), member_viewers())


def items(tlp: st.SearchStrategy[TLP] = tlps) -> st.SearchStrategy[Item]:
    """Items with random owner, TLP, audiences (often empty) and submitter."""
    return st.builds(
        Item,
        owner_member_id=member_ids,
        tlp=tlp,
        audience_members=st.frozensets(member_ids, max_size=3),
        audience_users=st.frozensets(user_ids, max_size=4),
        submitted_by=st.none() | user_ids,
    )


def items_lists(max_size: int = 12) -> st.SearchStrategy[list[Item]]:
    return st.lists(items(), max_size=max_size)


def expected_visible(viewer: Viewer, stored: Sequence[Item], *, publish_clear: bool) -> set[int]:
    """Positions of the items the policy lets ``viewer`` see."""
    return {
        position
        for position, item in enumerate(stored)
        if decide(viewer, item, publish_clear=publish_clear).allowed
    }


def assert_filter_matches(
    viewer: Viewer,
    stored: Sequence[Item],
    returned: Collection[int],
    *,
    publish_clear: bool,
    describe: Callable[[int], str] = str,
) -> None:
    """Fail, naming each leak and each wrongly hidden item, unless ``returned`` is exact.

    ``returned`` holds positions in ``stored`` (map store ids back before calling).
    """
    expected = expected_visible(viewer, stored, publish_clear=publish_clear)
    got = set(returned)
    leaks = sorted(got - expected)
    hidden = sorted(expected - got)
    lines = [
        f"LEAK {describe(p)}: {stored[p]} -> {_reason(viewer, stored[p], publish_clear)}"
        for p in leaks
    ]
    lines += [
        f"HIDDEN {describe(p)}: {stored[p]} -> {_reason(viewer, stored[p], publish_clear)}"
        for p in hidden
    ]
    assert not lines, f"filter disagrees with decide() for {viewer}:\n" + "\n".join(lines)


def _reason(viewer: Viewer, item: Item, publish_clear: bool) -> str:
    return decide(viewer, item, publish_clear=publish_clear).reason
