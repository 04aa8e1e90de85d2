"""`jic up` on a new center: one officer to sign in with, its password said once."""

from __future__ import annotations

import stat

from tests.conftest import Backend

from jic.service import FIRST_USER, _first_user
from jic.settings import Settings
from jic.store import users as user_repo
from jic.store.database import Store


def test_a_new_center_gets_an_officer_to_sign_in_with(store: Store, backend: Backend) -> None:
    settings: Settings = backend.settings
    said: list[str] = []
    _first_user(store, settings, said.append)
    note = settings.home / "first-login.txt"
    password = note.read_text().split("password: ")[1].split()[0]
    assert password in said[0] and len(password) >= user_repo.MIN_PASSWORD
    assert stat.S_IMODE(note.stat().st_mode) == 0o600
    with store.read() as connection:
        user = user_repo.check_password(connection, FIRST_USER, password)
    assert user.role == "officer"
