"""API fixtures: a user of the center's member with a bearer token; a small processed
center with two members, shared by a module's read-only tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.conftest import Backend, make_backend

from jic.analyse.ledger import assign_propositions
from jic.analyse.story_run import assign_stories
from jic.center.founding import Founding, found_center
from jic.gather.ingest import IngestTarget, ingest
from jic.gather.submissions import Submission, to_offer
from jic.process.pipeline import Pipeline, ProcessOptions
from jic.settings import Settings
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


# A small processed center shared by the read-only tests of a module: two founding
# members, North (chairing) and South; North's analyst ana and officer olga; South's
# analyst sam, whose AMBER+STRICT report North must not see anywhere, and officer
# sven. Terms of three months from 2026-01-01: North chairs Jan-Mar and Jul-Sep.

TALKS = (
    "Talks in Doha\n\n"
    "Tarvonian officials said on Monday that the talks in Doha would resume. "
    "\u201cWe are ready. The delegation has arrived,\u201d Foreign Minister Lena Vos told "
    "Kestrel News.\n\n"
    "But the rebel command denied this on Tuesday. Russia, Iran, Iraq and Syria have agreed "
    "to establish a joint information center in Baghdad."
)
CLASHES = (
    "Clashes near Mosul\n\nIraqi forces clashed with Islamic State fighters near Mosul on "
    "Saturday, officials told Reuters."
)
FOLLOW_UP = (
    "Fighting continues near Mosul\n\nIraqi forces clashed again with Islamic State "
    "fighters west of Mosul on Sunday, the army said."
)
# South's own report: the marker word appears in no other document.
HIDDEN = (
    "Zephyrine convoy at Kirkuk\n\nSouth's field team said the Zephyrine convoy reached "
    "Kirkuk on Sunday and Kurdish forces attacked a checkpoint near Kirkuk."
)
HIDDEN_WORDS = ("Zephyrine", "Kirkuk")


@dataclass
class Center:
    """A processed center and who reads it."""

    backend: Backend
    store: Store
    tokens: dict[str, str]  # user name -> bearer token
    hidden_id: int

    def headers(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


def _submit(store: Store, user: str, member: str, text: str, **fields: Any) -> int:
    with store.read() as connection:
        found = user_repo.get_user(connection, user)
    offer = to_offer(Submission(text=text, **fields), member, "fixture")
    target = IngestTarget(member=member, user=user, user_id=found.id)
    (outcome,) = ingest(store, [offer], target).outcomes
    assert outcome.document_id is not None, outcome
    return outcome.document_id


def build_center(backend: Backend, cache: Settings) -> Center:
    founding = Founding(founders=["North", "South"], start=datetime(2026, 1, 1, tzinfo=UTC))
    store, _info = found_center(backend.settings, founding)
    tokens = {
        "ana": make_token(store, "ana", member="North"),
        "olga": make_token(store, "olga", member="North", role="officer"),
        "sam": make_token(store, "sam", member="South"),
        "sven": make_token(store, "sven", member="South", role="officer"),
    }
    _submit(store, "ana", "North", TALKS, published="2026-11-19T08:00:00Z", tlp="GREEN")
    _submit(store, "ana", "North", CLASHES, published="2026-11-21T10:00:00Z")
    _submit(store, "ana", "North", FOLLOW_UP, published="2026-11-22T10:00:00Z")
    hidden = _submit(
        store, "sam", "South", HIDDEN, published="2026-11-23T10:00:00Z", tlp="AMBER+STRICT"
    )
    settings = backend.settings.model_copy(update={"cache_dir": cache.resolved_cache_dir()})
    Pipeline(store, settings).run(ProcessOptions())
    assign_stories(store)
    assign_propositions(store)
    return Center(backend, store, tokens, hidden)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def center(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    stage_settings: Settings,
) -> Iterator[Center]:
    """A processed center for the tests of one module (read-only: do not write to it)."""
    for backend in make_backend(request.param, tmp_path_factory.mktemp("center")):
        built = build_center(backend, stage_settings)
        try:
            yield built
        finally:
            built.store.close()
