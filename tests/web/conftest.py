"""Web fixtures: a center of two members, users with passwords, a signed-in client."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from tests.conftest import Backend

from jic.api.app import create_app
from jic.center.founding import Founding, found_center
from jic.center.secrets import hash_password
from jic.domain import TLP, DocumentIn
from jic.settings import Settings
from jic.store import audit
from jic.store import documents as document_repo
from jic.store import members as member_repo
from jic.store import users as user_repo
from jic.store.database import Store
from jic.store.documents import BatchContext, Offer
from jic.store.schema import users

if TYPE_CHECKING:
    from tests.web.processed import Processed

PASSWORD = "correct horse battery staple"


@functools.cache
def _password_hash() -> str:
    # scrypt takes a third of a second: hash PASSWORD once for every user of the run.
    return hash_password(PASSWORD)


def add_user(store: Store, name: str, member: str, role: str = "analyst") -> None:
    """A user with PASSWORD (its hash written as `jic users password` would)."""
    with store.write() as connection:
        owner = member_repo.get_member(connection, member)
        user = user_repo.add_user(connection, name, member=owner, role=role, actor=audit.Actor())
        connection.execute(
            users.update().where(users.c.id == user.id).values(password_hash=_password_hash())
        )


def put(
    store: Store,
    text: str,
    *,
    member: str = "alpha",
    tlp: TLP | None = None,
    published: datetime | None = None,
    url: str | None = None,
) -> int:
    digest = hashlib.sha256(text.encode()).hexdigest()
    item = DocumentIn(
        text=text,
        sha256=digest,
        location=url or f"file:///doc/{digest[:12]}",
        url=url,
        title=text.split("\n", maxsplit=1)[0][:80],
        tlp=tlp,
        published=published or datetime.now(UTC) - timedelta(hours=2),
    )
    with store.read() as connection:
        owner = member_repo.get_member(connection, member)
    with store.write() as connection:
        (outcome,) = document_repo.store_batch(
            connection, [Offer("t", item)], BatchContext(owner, audit.Actor())
        )
    assert outcome.document_id is not None
    return outcome.document_id


@pytest.fixture
def center(backend: Backend) -> Iterator[Store]:
    """Members alpha (chairing now) and bravo; alice is an officer of alpha, bob an
    analyst of bravo, both with PASSWORD."""
    founding = Founding(
        founders=["alpha", "bravo"],
        first_chair="alpha",
        start=datetime.now(UTC) - timedelta(days=1),
    )
    opened, _info = found_center(backend.settings, founding)
    add_user(opened, "alice", "alpha", "officer")
    add_user(opened, "bob", "bravo")
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def client(center: Store, backend: Backend) -> Iterator[TestClient]:
    with TestClient(create_app(backend.settings, center), follow_redirects=False) as test_client:
        yield test_client


def login_token(client: TestClient) -> str:
    page = client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Sign ``client`` in; returns the CSRF token of the session's forms."""
    answer = client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": login_token(client)},
    )
    assert answer.status_code == 303, answer.text
    page = client.get("/sources")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


@pytest.fixture(scope="session")
def processed(
    tmp_path_factory: pytest.TempPathFactory, stage_settings: Settings
) -> Iterator[Processed]:
    """One processed center for every page test of the session (processing is slow)."""
    from tests.web.processed import build

    built = build(tmp_path_factory.mktemp("web-center") / "home", stage_settings)
    try:
        yield built
    finally:
        built.store.close()
