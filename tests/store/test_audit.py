"""The audit log's hash chain catches any single changed, deleted or reordered row."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from jic.store import audit
from jic.store.database import Store
from jic.store.schema import audit_log


@pytest.fixture
def logged(store: Store) -> Store:
    with store.write() as connection:
        for number in range(5):
            audit.append(
                connection,
                audit.Actor(member="local", user="ana"),
                "test.write",
                object_type="thing",
                object_id=number,
                detail={"n": number},
            )
    return store


def verify(store: Store) -> audit.VerifyResult:
    with store.read() as connection:
        return audit.verify(connection)


def ids(store: Store) -> list[int]:
    with store.read() as connection:
        return list(
            connection.execute(sa.select(audit_log.c.id).order_by(audit_log.c.id)).scalars()
        )


def test_an_untouched_log_verifies(logged: Store) -> None:
    result = verify(logged)
    assert result.ok and result.entries == 6  # center.init + 5


@pytest.mark.parametrize(
    "column,value",
    [
        ("action", "test.other"),
        ("detail", {"n": 99}),
        ("actor_user", "mallory"),
        ("object_id", "7"),
    ],
)
def test_a_changed_row_is_named(logged: Store, column: str, value: object) -> None:
    target = ids(logged)[3]
    with logged.write() as connection:
        connection.execute(
            audit_log.update().where(audit_log.c.id == target).values({column: value})
        )
    result = verify(logged)
    assert not result.ok
    assert result.first_bad_id == target


def test_a_deleted_row_is_detected(logged: Store) -> None:
    target = ids(logged)[2]
    with logged.write() as connection:
        connection.execute(audit_log.delete().where(audit_log.c.id == target))
    result = verify(logged)
    assert not result.ok
    assert result.first_bad_id == ids(logged)[2]


def test_reordered_rows_are_detected(logged: Store) -> None:
    first, second = ids(logged)[2:4]
    with logged.write() as connection:
        rows = {
            row.id: {k: v for k, v in row._asdict().items() if k != "id"}
            for row in connection.execute(
                sa.select(audit_log).where(audit_log.c.id.in_([first, second]))
            )
        }
        # Swap the two entries whole (hash unique: park one hash first).
        connection.execute(audit_log.update().where(audit_log.c.id == first).values(hash="parked"))
        connection.execute(audit_log.update().where(audit_log.c.id == second).values(**rows[first]))
        connection.execute(audit_log.update().where(audit_log.c.id == first).values(**rows[second]))
    result = verify(logged)
    assert not result.ok
    assert result.first_bad_id == first


def test_deleting_the_last_entry_is_detected(logged: Store) -> None:
    last = ids(logged)[-1]
    with logged.write() as connection:
        connection.execute(audit_log.delete().where(audit_log.c.id == last))
    result = verify(logged)
    assert not result.ok and result.first_bad_id == last
    assert "should end at entry" in result.reason
