"""A bearer token's last use is noted at most once a minute, so that reads with a
token do not each become a write."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.api.conftest import make_token

from jic.store import users as user_repo
from jic.store.database import Store


def _last_used(store: Store) -> datetime | None:
    with store.read() as connection:
        (info,) = user_repo.list_tokens(connection)
    return info.last_used_at


def test_last_use_is_written_at_most_once_a_minute(store: Store) -> None:
    token = make_token(store, "ana")
    assert _last_used(store) is None
    with store.write() as connection:
        user_repo.authenticate(connection, token)
    first = _last_used(store)
    assert first is not None
    with store.write() as connection:
        assert user_repo.authenticate(connection, token).name == "ana"
    assert _last_used(store) == first  # within the minute: not written again
    earlier = first - user_repo.TOKEN_TOUCH_EVERY - timedelta(seconds=1)
    with store.write() as connection:
        connection.execute(user_repo.api_tokens.update().values(last_used_at=earlier))
        user_repo.authenticate(connection, token)
    later = _last_used(store)
    assert later is not None and later > first  # a minute on: noted again


def test_a_request_checks_on_a_read_and_writes_only_when_due(store: Store) -> None:
    import pytest

    token = make_token(store, "ana")
    assert user_repo.authenticate_in(store, token).name == "ana"
    first = _last_used(store)
    assert first is not None
    assert user_repo.authenticate_in(store, token).name == "ana"
    assert _last_used(store) == first
    earlier = first - user_repo.TOKEN_TOUCH_EVERY - timedelta(seconds=1)
    with store.write() as connection:
        connection.execute(user_repo.api_tokens.update().values(last_used_at=earlier))
    user_repo.authenticate_in(store, token)
    later = _last_used(store)
    assert later is not None and later > first
    with pytest.raises(user_repo.TokenRefused, match="not valid"):
        user_repo.authenticate_in(store, token + "x")
