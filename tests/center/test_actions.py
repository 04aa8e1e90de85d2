"""Chair actions at the exact instant of a handover, handovers in the audit log, and
changes to how a document is shared."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from jic.center.actions import change_tlp, note_handovers, require_chair
from jic.center.founding import Founding, found_center
from jic.domain import TLP, DocumentIn
from jic.errors import AccessError
from jic.settings import Settings
from jic.store import audit
from jic.store import documents as repo
from jic.store import members as member_repo
from jic.store import users as user_repo
from jic.store.database import Store
from jic.store.documents import BatchContext, Offer
from jic.store.schema import audit_log
from jic.store.visibility import policy_item

START = datetime(2026, 1, 31, tzinfo=UTC)


@pytest.fixture
def center(tmp_path: object) -> Store:
    founding = Founding(founders=["A", "B", "C"], first_chair="A", term_months=3, start=START)
    store, _ = found_center(Settings(home=tmp_path / "c"), founding)  # type: ignore[operator]
    with store.write() as connection:
        for name, member, role in (
            ("a-off", "A", "officer"),
            ("b-off", "B", "officer"),
            ("b-ana", "B", "analyst"),
            ("c-off", "C", "officer"),
        ):
            owner = member_repo.get_member(connection, member)
            user_repo.add_user(connection, name, member=owner, role=role, actor=audit.Actor())
    return store


def user(store: Store, name: str) -> user_repo.User:
    with store.read() as connection:
        return user_repo.get_user(connection, name)


def test_a_chair_action_one_second_after_a_handover(center: Store) -> None:
    with center.read() as connection:
        rotation = member_repo.rotation(connection)
    handover = rotation.term_at(START).end  # A hands over to B (Apr 30, clamped from Jan 31)
    assert handover == datetime(2026, 4, 30, tzinfo=UTC)
    before, after = handover - timedelta(seconds=1), handover + timedelta(seconds=1)
    assert require_chair(rotation, user(center, "a-off"), before, "approving") == "A"
    with pytest.raises(AccessError, match="B chairs"):
        require_chair(rotation, user(center, "a-off"), after, "approving")
    assert require_chair(rotation, user(center, "b-off"), after, "approving") == "B"
    with pytest.raises(AccessError):  # an analyst of the chair is not enough
        require_chair(rotation, user(center, "b-ana"), after, "approving")
    with pytest.raises(AccessError, match="local operator"):
        require_chair(rotation, None, after, "approving")


def test_handovers_are_in_the_audit_log_at_the_instant_they_happened(center: Store) -> None:
    with center.write() as connection:
        rotation = member_repo.rotation(connection)
        at = datetime(2026, 11, 29, tzinfo=UTC)
        assert note_handovers(connection, rotation, at) == 4  # A, B, C, A
        assert note_handovers(connection, rotation, at) == 0  # nothing twice
    with center.read() as connection:
        rows = connection.execute(
            sa.select(audit_log.c.at, audit_log.c.detail)
            .where(audit_log.c.action == "chair.handover")
            .order_by(audit_log.c.id)
        ).all()
        assert audit.verify(connection).ok
    assert [r.detail["chair"] for r in rows] == ["A", "B", "C", "A"]
    assert rows[1].at.replace(tzinfo=UTC) == datetime(2026, 4, 30, tzinfo=UTC)


def _document(store: Store, member: str, tlp: TLP) -> int:
    with store.read() as connection:
        owner = member_repo.get_member(connection, member)
    item = DocumentIn(
        text="Note",
        sha256=hashlib.sha256(tlp.value.encode()).hexdigest(),
        location=f"file:///{tlp.value}",
        tlp=tlp,
    )
    with store.write() as connection:
        (outcome,) = repo.store_batch(
            connection, [Offer("n", item)], BatchContext(owner, audit.Actor())
        )
    assert outcome.document_id is not None
    return outcome.document_id


@pytest.mark.parametrize(
    "who,start,new,allowed",
    [
        ("b-ana", TLP.AMBER, TLP.AMBER_STRICT, True),  # raising: any user of the owner
        ("b-ana", TLP.AMBER, TLP.GREEN, False),  # lowering: officers only
        ("b-off", TLP.AMBER, TLP.GREEN, True),
        ("c-off", TLP.AMBER, TLP.GREEN, False),  # another member's officer
        ("c-off", TLP.GREEN, TLP.AMBER, False),
    ],
)
def test_sharing_changes(center: Store, who: str, start: TLP, new: TLP, allowed: bool) -> None:
    doc = _document(center, "B", start)
    with center.write() as connection:
        item = policy_item(connection, doc)
        if allowed:
            change_tlp(connection, user(center, who), doc, new, item)
        else:
            with pytest.raises(AccessError):
                change_tlp(connection, user(center, who), doc, new, item)
    with center.read() as connection:
        assert repo.get(connection, doc).tlp is (new if allowed else start)
        shares = connection.execute(
            sa.select(sa.func.count()).where(audit_log.c.action == "document.share")
        ).scalar_one()
    assert shares == (1 if allowed else 0)
