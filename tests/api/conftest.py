"""API fixtures: a user of the center's member with a bearer token."""

from __future__ import annotations

import pytest

from jic.store import audit
from jic.store import members as member_repo
from jic.store import users as user_repo
from jic.store.database import Store


def make_token(store: Store, name: str, *, member: str = "local", role: str = "analyst") -> str:
    """A new user of ``member`` and a token for it."""
    with store.write() as connection:
        owner = member_repo.get_member(connection, member)
        user = user_repo.add_user(connection, name, member=owner, role=role, actor=audit.Actor())
        token, _info = user_repo.create_token(
            connection, user, name="tests", expires_at=None, actor=audit.Actor()
        )
    return token


@pytest.fixture
def auth(store: Store) -> dict[str, str]:
    """Headers of an analyst of the founding member ``local``."""
    return {"Authorization": f"Bearer {make_token(store, 'ana')}"}
