"""The sharing policy: who may see an item, and who may change how it is shared.

One pure function, :func:`decide`, answers "may this viewer see this item?" and says
why (or why not). The store applies it on every read path; nothing here touches the
database. The rules are TLP 2.0 as the design's "Sharing model" table puts them:

========== ==================================================================
CLEAR      everyone signed in; unauthenticated readers only if the center
           publishes (``publish_clear``)
GREEN      every user of any member
AMBER      every user of any member, or, when the item names an audience of
           members, the users of those members (and of the owner member)
AMBER+     the users of the listed members; by default of the owner member
STRICT     only (the owner always sees its own item)
RED        the named users only, by default the submitting user only (the
           submitter is always named); and a named user still needs a member
           that could see the item at AMBER+STRICT
========== ==================================================================

Decisions made here, on purpose:

* Role ``admin`` gives no extra read rights: an admin reads what any user of its
  member reads. A user without a member sees CLEAR items only.
* The member audience counts only for AMBER and AMBER+STRICT, the user audience
  only for RED (TLP GREEN is community-wide by definition).
* RED is never wider than AMBER+STRICT with the same audience: a named user of a
  member that is neither the owner nor listed in the member audience is refused.
  This keeps the policy monotonic: raising an item's TLP never adds a viewer. To
  share a RED item with a user of another member, list the user *and* its member.
* A derived item (story, claim cluster, count, graph edge, sitrep line) is visible
  only if every item it rests on is (:func:`derived_visible`).
* Raising the restriction is for any user of the owner member who can see the item;
  lowering it is for the owner member's officers who can see the item (so an
  officer cannot lower a RED item into view that was never shared with them).

policy_sql_hint
---------------
The same rule over a table with columns ``owner_member_id`` (int), ``tlp`` (text, the
:class:`~jic.domain.TLP` values), ``audience`` (JSON ``{"members": [ids], "users":
[ids]}`` or NULL) and ``submitted_by`` (int or NULL), with bind parameters ``:user``,
``:member`` (both NULL for a public reader) and ``:publish_clear`` (0/1). The SQLite
form is :data:`SQLITE_VISIBLE`; the test suite checks it against :func:`decide`
(tests/center/test_policy.py). PostgreSQL reads the same with ``jsonb`` (the
column is ``json``, so cast it): ``audience::jsonb->'members' @> to_jsonb(:member)``
in place of ``EXISTS (SELECT 1 FROM json_each(...))``, and ``jsonb_array_length(...)``
for the emptiness test. Two traps: SQL's three-valued logic (``NULL = x`` is NULL,
so every comparison against a NULL ``:member`` must come out false, never true); and
an empty audience list is the same as no audience. Counts and facets must filter
*before* aggregating.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from jic.domain import TLP
from jic.errors import InputError

ROLES = ("analyst", "officer", "admin")


class PolicyInputError(InputError):
    """A viewer or item handed to the policy does not make sense."""

    code = "JIC-E262"


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking: a user of a member with a role, or (all None) the public."""

    user_id: int | None
    member_id: int | None
    role: str | None

    def __post_init__(self) -> None:
        if self.user_id is None and (self.member_id is not None or self.role is not None):
            raise PolicyInputError(
                "a viewer without a user cannot have a member or a role",
                "use Viewer.public() for unauthenticated readers",
            )
        if self.role is not None and self.role not in ROLES:
            raise PolicyInputError(f"unknown role {self.role!r}", f"use one of {', '.join(ROLES)}")

    @classmethod
    def public(cls) -> Viewer:
        """An unauthenticated reader."""
        return cls(None, None, None)

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None


@dataclass(frozen=True, slots=True)
class Item:
    """How one item is shared: its owner member, TLP, and optional audiences."""

    owner_member_id: int
    tlp: TLP
    audience_members: frozenset[int] = field(default_factory=frozenset)
    audience_users: frozenset[int] = field(default_factory=frozenset)
    submitted_by: int | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether something is allowed, and a sentence saying why."""

    allowed: bool
    reason: str


def _allow(reason: str) -> Decision:
    return Decision(True, reason)


def _deny(reason: str) -> Decision:
    return Decision(False, reason)


def decide(viewer: Viewer, item: Item, *, publish_clear: bool) -> Decision:
    """May ``viewer`` see ``item``? ``publish_clear``: the center shows CLEAR to the public."""
    if item.tlp is TLP.CLEAR:
        if viewer.authenticated:
            return _allow("TLP:CLEAR is open to every signed-in user")
        if publish_clear:
            return _allow("TLP:CLEAR and this center publishes CLEAR items")
        return _deny("TLP:CLEAR, but this center does not publish to readers who are not signed in")
    if not viewer.authenticated:
        return _deny(f"TLP:{item.tlp.value} is for signed-in users of members only")
    if viewer.member_id is None:
        return _deny(f"TLP:{item.tlp.value} is for users of members; this user has no member")
    if item.tlp is TLP.GREEN:
        return _allow("TLP:GREEN is shared with every member")
    if item.tlp is TLP.AMBER:
        return _decide_amber(viewer.member_id, item)
    if item.tlp is TLP.AMBER_STRICT:
        return _decide_strict(viewer.member_id, item)
    return _decide_red(viewer, viewer.member_id, item)


def _decide_amber(member: int, item: Item) -> Decision:
    if member == item.owner_member_id:
        return _allow("TLP:AMBER and the viewer's member owns the item")
    if not item.audience_members:
        return _allow("TLP:AMBER with no audience listed is shared with every member")
    if member in item.audience_members:
        return _allow("TLP:AMBER and the viewer's member is in the item's audience")
    return _deny("TLP:AMBER is limited to listed members, and the viewer's member is not one")


def _decide_strict(member: int, item: Item) -> Decision:
    level = item.tlp.value
    if member == item.owner_member_id:
        return _allow(f"TLP:{level} and the viewer's member owns the item")
    if member in item.audience_members:
        return _allow(f"TLP:{level} and the viewer's member is in the item's audience")
    if not item.audience_members:
        return _deny(f"TLP:{level} with no audience is for the owner member only")
    return _deny(f"TLP:{level} is limited to listed members, and the viewer's member is not one")


def _decide_red(viewer: Viewer, member: int, item: Item) -> Decision:
    if viewer.user_id is not None and viewer.user_id == item.submitted_by:
        named = "TLP:RED and the viewer submitted the item"
    elif viewer.user_id in item.audience_users:
        named = "TLP:RED and the viewer is one of the named users"
    elif not item.audience_users:
        return _deny("TLP:RED with no named users is for the submitting user only")
    else:
        return _deny("TLP:RED is for the named users only, and the viewer is not named")
    if member != item.owner_member_id and member not in item.audience_members:
        # Keeps RED no wider than AMBER+STRICT with the same audience (monotonic policy).
        return _deny(
            "TLP:RED: the viewer is named, but its member is neither the owner nor listed "
            "in the item's audience; list the member too"
        )
    return _allow(named)


def derived_visible(viewer: Viewer, items: Iterable[Item], *, publish_clear: bool) -> Decision:
    """May ``viewer`` see something derived from ``items``? Only if it may see every one.

    A derived item resting on nothing reveals nothing hidden, so it is allowed; its
    own sharing, if it has one, is a separate :func:`decide`.
    """
    count = 0
    for position, item in enumerate(items):
        decision = decide(viewer, item, publish_clear=publish_clear)
        if not decision.allowed:
            return _deny(
                f"it rests on an item the viewer may not see (#{position}): {decision.reason}"
            )
        count += 1
    return _allow(f"the viewer may see all {count} item(s) it rests on")


def may_raise(actor: Viewer, item: Item, new_tlp: TLP) -> Decision:
    """May ``actor`` make ``item`` more restricted (``new_tlp`` above its TLP)?"""
    if new_tlp.rank <= item.tlp.rank:
        return _deny(f"TLP:{new_tlp.value} is not more restricted than TLP:{item.tlp.value}")
    return _may_change(actor, item, new_tlp, officers_only=False)


def may_lower(actor: Viewer, item: Item, new_tlp: TLP) -> Decision:
    """May ``actor`` make ``item`` less restricted (``new_tlp`` below its TLP)?"""
    if new_tlp.rank >= item.tlp.rank:
        return _deny(f"TLP:{new_tlp.value} is not less restricted than TLP:{item.tlp.value}")
    return _may_change(actor, item, new_tlp, officers_only=True)


def may_change(actor: Viewer, item: Item, new_tlp: TLP) -> Decision:
    """Raise, lower or keep: the check for any requested TLP (keeping it is allowed)."""
    if new_tlp.rank > item.tlp.rank:
        return may_raise(actor, item, new_tlp)
    if new_tlp.rank < item.tlp.rank:
        return may_lower(actor, item, new_tlp)
    return _allow(f"the item is already TLP:{new_tlp.value}; nothing changes")


def _may_change(actor: Viewer, item: Item, new_tlp: TLP, *, officers_only: bool) -> Decision:
    change = f"TLP:{item.tlp.value} to TLP:{new_tlp.value}"
    if actor.member_id is None or actor.member_id != item.owner_member_id:
        return _deny(f"only the owner member's users may change {change}")
    if officers_only and actor.role != "officer":
        return _deny(f"lowering {change} needs an officer of the owner member")
    # The same publish setting for everyone: the actor is signed in, so it does not matter.
    seen = decide(actor, item, publish_clear=False)
    if not seen.allowed:
        return _deny(f"the actor may not see the item, so may not change it: {seen.reason}")
    who = "an officer" if officers_only else "a user"
    return _allow(f"{who} of the owner member may change {change}")


SQLITE_VISIBLE = """
(
  (tlp = 'CLEAR' AND (:user IS NOT NULL OR :publish_clear = 1))
  OR (:member IS NOT NULL AND (
    tlp = 'GREEN'
    OR (tlp = 'AMBER' AND (
      owner_member_id = :member
      OR COALESCE(json_array_length(audience, '$.members'), 0) = 0
      OR EXISTS (SELECT 1 FROM json_each(audience, '$.members') WHERE value = :member)))
    OR (tlp IN ('AMBER+STRICT', 'RED')
      AND (owner_member_id = :member
        OR EXISTS (SELECT 1 FROM json_each(audience, '$.members') WHERE value = :member))
      AND (tlp = 'AMBER+STRICT'
        OR submitted_by = :user
        OR EXISTS (SELECT 1 FROM json_each(audience, '$.users') WHERE value = :user)))
  ))
)
"""
"""The visibility rule as an SQLite boolean expression (see policy_sql_hint above)."""
