"""The sharing policy: every TLP level for every kind of viewer, and its SQL form."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.center.strategies import assert_filter_matches, items, items_lists, tlps, viewers

from jic.center.policy import (
    SQLITE_VISIBLE,
    Item,
    PolicyInputError,
    Viewer,
    decide,
    derived_visible,
    may_change,
    may_lower,
    may_raise,
)
from jic.domain import TLP

OWNER, PARTNER, OTHER = 1, 2, 3
SUBMITTER, NAMED, OWNER_COLLEAGUE, PARTNER_USER, OTHER_USER, LONER = 10, 11, 12, 13, 14, 15

# Viewer kinds: the public, a user without a member, users of the owner, of a listed
# partner, of an unrelated member; the RED submitter and a named user (both of the owner).
VIEWERS = {
    "public": Viewer.public(),
    "no-member": Viewer(LONER, None, "admin"),
    "owner-analyst": Viewer(OWNER_COLLEAGUE, OWNER, "analyst"),
    "owner-admin": Viewer(OWNER_COLLEAGUE, OWNER, "admin"),
    "partner": Viewer(PARTNER_USER, PARTNER, "analyst"),
    "other": Viewer(OTHER_USER, OTHER, "officer"),
    "submitter": Viewer(SUBMITTER, OWNER, "analyst"),
    "named": Viewer(NAMED, OWNER, "analyst"),
    "named-partner": Viewer(PARTNER_USER, PARTNER, "analyst"),
}
KINDS = list(VIEWERS)


def item(tlp: TLP, members: set[int] | None = None, users: set[int] | None = None) -> Item:
    return Item(OWNER, tlp, frozenset(members or ()), frozenset(users or ()), SUBMITTER)


# (item, publish_clear, viewers allowed). Every other kind must be refused.
CASES = [
    (item(TLP.CLEAR), True, set(KINDS)),
    (item(TLP.CLEAR), False, set(KINDS) - {"public"}),
    (item(TLP.GREEN), True, set(KINDS) - {"public", "no-member"}),
    (item(TLP.GREEN, {PARTNER}, {NAMED}), True, set(KINDS) - {"public", "no-member"}),
    (item(TLP.AMBER), True, set(KINDS) - {"public", "no-member"}),
    (
        item(TLP.AMBER, {PARTNER}),
        True,
        {"owner-analyst", "owner-admin", "partner", "submitter", "named", "named-partner"},
    ),
    (item(TLP.AMBER_STRICT), True, {"owner-analyst", "owner-admin", "submitter", "named"}),
    (
        item(TLP.AMBER_STRICT, {PARTNER}),
        True,
        {"owner-analyst", "owner-admin", "partner", "submitter", "named", "named-partner"},
    ),
    (item(TLP.RED), True, {"submitter"}),
    (item(TLP.RED, users={NAMED}), True, {"submitter", "named"}),
    # A named user of a member not in the audience is refused (RED within AMBER+STRICT)...
    (item(TLP.RED, users={PARTNER_USER}), True, {"submitter"}),
    # ...and allowed once its member is listed too.
    (item(TLP.RED, {PARTNER}, {PARTNER_USER}), True, {"submitter", "partner", "named-partner"}),
]


@pytest.mark.parametrize(("shared", "publish", "allowed"), CASES)
@pytest.mark.parametrize("kind", KINDS)
def test_who_sees_what(kind: str, shared: Item, publish: bool, allowed: set[str]) -> None:
    decision = decide(VIEWERS[kind], shared, publish_clear=publish)
    assert decision.allowed == (kind in allowed), decision.reason
    assert shared.tlp.value in decision.reason


def test_levels_without_cases_are_none() -> None:
    assert {case[0].tlp for case in CASES} == set(TLP)


def test_reasons_say_why_not() -> None:
    red = item(TLP.RED, users={NAMED})
    assert "not named" in decide(VIEWERS["owner-analyst"], red, publish_clear=True).reason
    strict = item(TLP.AMBER_STRICT)
    assert "owner member only" in decide(VIEWERS["partner"], strict, publish_clear=True).reason
    clear = decide(Viewer.public(), item(TLP.CLEAR), publish_clear=False)
    assert "does not publish" in clear.reason


def test_admin_gets_no_extra_read_rights() -> None:
    admin_elsewhere = Viewer(99, OTHER, "admin")
    for shared in (item(TLP.AMBER, {PARTNER}), item(TLP.AMBER_STRICT), item(TLP.RED)):
        assert not decide(admin_elsewhere, shared, publish_clear=True).allowed


def test_red_without_named_users_or_submitter_is_seen_by_nobody() -> None:
    orphan = Item(OWNER, TLP.RED, frozenset({PARTNER}), frozenset(), None)
    for viewer in VIEWERS.values():
        assert not decide(viewer, orphan, publish_clear=True).allowed


def test_public_viewer_cannot_carry_a_member() -> None:
    with pytest.raises(PolicyInputError):
        Viewer(None, OWNER, "analyst")


def test_unknown_role_is_refused() -> None:
    with pytest.raises(PolicyInputError, match="unknown role"):
        Viewer(1, OWNER, "superuser")


def test_derived_item_needs_every_parent_visible() -> None:
    partner = VIEWERS["partner"]
    open_parent, hidden_parent = item(TLP.GREEN), item(TLP.AMBER_STRICT)
    assert derived_visible(partner, [open_parent, open_parent], publish_clear=False).allowed
    refused = derived_visible(partner, [open_parent, hidden_parent], publish_clear=False)
    assert not refused.allowed
    assert "#1" in refused.reason
    assert derived_visible(Viewer.public(), [], publish_clear=False).allowed


# --- changing the TLP -------------------------------------------------------------


def test_owner_users_may_raise_others_may_not() -> None:
    amber = item(TLP.AMBER)
    assert may_raise(VIEWERS["owner-analyst"], amber, TLP.RED).allowed
    assert not may_raise(VIEWERS["partner"], amber, TLP.RED).allowed
    assert not may_raise(VIEWERS["owner-analyst"], amber, TLP.GREEN).allowed


def test_lowering_needs_an_officer_of_the_owner() -> None:
    amber = item(TLP.AMBER)
    officer = Viewer(OWNER_COLLEAGUE, OWNER, "officer")
    assert may_lower(officer, amber, TLP.GREEN).allowed
    refused = may_lower(VIEWERS["owner-analyst"], amber, TLP.GREEN)
    assert not refused.allowed
    assert "officer" in refused.reason
    assert not may_lower(VIEWERS["owner-admin"], amber, TLP.GREEN).allowed
    assert not may_lower(VIEWERS["other"], amber, TLP.GREEN).allowed  # an officer elsewhere
    assert not may_lower(officer, amber, TLP.RED).allowed  # that is a raise


def test_officer_may_not_lower_a_red_item_never_shared_with_them() -> None:
    red = item(TLP.RED)
    officer = Viewer(OWNER_COLLEAGUE, OWNER, "officer")
    assert not may_lower(officer, red, TLP.AMBER).allowed
    submitter_officer = Viewer(SUBMITTER, OWNER, "officer")
    assert may_lower(submitter_officer, red, TLP.AMBER).allowed


def test_may_change_dispatches_and_keeping_is_allowed() -> None:
    amber = item(TLP.AMBER)
    analyst = VIEWERS["owner-analyst"]
    assert may_change(analyst, amber, TLP.AMBER).allowed
    assert may_change(analyst, amber, TLP.RED).allowed
    assert not may_change(analyst, amber, TLP.CLEAR).allowed


# --- properties -------------------------------------------------------------------

POLICY_SETTINGS = settings(max_examples=500, deadline=None)


def with_tlp(shared: Item, tlp: TLP) -> Item:
    return Item(
        shared.owner_member_id,
        tlp,
        shared.audience_members,
        shared.audience_users,
        shared.submitted_by,
    )


@POLICY_SETTINGS
@given(viewers(), items(), tlps, st.booleans())
def test_raising_the_tlp_never_grants_a_viewer(
    viewer: Viewer, shared: Item, higher: TLP, publish: bool
) -> None:
    if higher.rank <= shared.tlp.rank:
        shared, higher = with_tlp(shared, higher), shared.tlp
    if decide(viewer, with_tlp(shared, higher), publish_clear=publish).allowed:
        assert decide(viewer, shared, publish_clear=publish).allowed


@POLICY_SETTINGS
@given(viewers(), items())
def test_publishing_clear_only_adds_the_public(viewer: Viewer, shared: Item) -> None:
    published = decide(viewer, shared, publish_clear=True).allowed
    unpublished = decide(viewer, shared, publish_clear=False).allowed
    if published != unpublished:
        assert published and shared.tlp is TLP.CLEAR and viewer == Viewer.public()


@POLICY_SETTINGS
@given(viewers(), items_lists(), st.booleans())
def test_derived_visible_iff_every_parent_visible(
    viewer: Viewer, parents: list[Item], publish: bool
) -> None:
    each = [decide(viewer, p, publish_clear=publish).allowed for p in parents]
    assert derived_visible(viewer, parents, publish_clear=publish).allowed == all(each)


@POLICY_SETTINGS
@given(viewers(), items())
def test_owner_member_always_sees_its_amber_items(viewer: Viewer, shared: Item) -> None:
    if viewer.member_id == shared.owner_member_id and shared.tlp is not TLP.RED:
        assert decide(viewer, shared, publish_clear=False).allowed


@POLICY_SETTINGS
@given(viewers(), items(), tlps)
def test_whoever_may_lower_may_see_and_is_an_owner_officer(
    actor: Viewer, shared: Item, new: TLP
) -> None:
    if may_lower(actor, shared, new).allowed:
        assert actor.role == "officer" and actor.member_id == shared.owner_member_id
        assert decide(actor, shared, publish_clear=False).allowed


# --- the SQL form, checked against decide() ----------------------------------------


@pytest.fixture(scope="module")
def sqlite() -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, owner_member_id INTEGER NOT NULL,"
        " tlp TEXT NOT NULL, audience JSON, submitted_by INTEGER)"
    )
    yield connection
    connection.close()


def audience_json(shared: Item, style: int) -> str | None:
    """Every way a store might write an audience: NULL, {}, empty lists, full lists."""
    members, users = sorted(shared.audience_members), sorted(shared.audience_users)
    if not members and not users and style % 3 == 0:
        return None
    if not members and not users and style % 3 == 1:
        return "{}"
    return json.dumps({"members": members, "users": users})


SQL_SETTINGS = settings(max_examples=400, deadline=None)


@SQL_SETTINGS
@given(items_lists(), viewers(), st.booleans(), st.integers(0, 2))
def test_sqlite_filter_agrees_with_decide(
    sqlite: sqlite3.Connection, stored: list[Item], viewer: Viewer, publish: bool, style: int
) -> None:
    sqlite.execute("DELETE FROM items")
    sqlite.executemany(
        "INSERT INTO items VALUES (?, ?, ?, ?, ?)",
        [
            (pos, s.owner_member_id, s.tlp.value, audience_json(s, style), s.submitted_by)
            for pos, s in enumerate(stored)
        ],
    )
    params = {"user": viewer.user_id, "member": viewer.member_id, "publish_clear": int(publish)}
    rows = sqlite.execute(f"SELECT id FROM items WHERE {SQLITE_VISIBLE}", params).fetchall()
    assert_filter_matches(viewer, stored, [row[0] for row in rows], publish_clear=publish)
    count = sqlite.execute(f"SELECT count(*) FROM items WHERE {SQLITE_VISIBLE}", params)
    assert count.fetchone()[0] == len(rows)
