"""Every read path shows a viewer exactly what the sharing policy allows.

Hypothesis generates members, users and documents with random TLP levels, owners,
audiences and submitters, stores them, and then asks search, export, single reads,
counts and the API, as random viewers, for what they can see. Each answer is compared
with ``center.policy.decide``: zero leaks, nothing wrongly hidden, and counts that
count only what may be seen. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.center.strategies import (
    MEMBER_IDS,
    USER_IDS,
    assert_filter_matches,
    items_lists,
    viewers,
)
from tests.conftest import Backend

from jic.center.policy import Item, Viewer
from jic.errors import NotFoundError
from jic.store import documents as repo
from jic.store import facts, overview
from jic.store.database import Store
from jic.store.schema import doc_entities, doc_events, doc_places, documents, members, users
from jic.store.search import search
from jic.store.visibility import Reader

# Generated cases per run, per backend (also in bench/RESULTS.md, "sharing policy").
EXAMPLES = {"sqlite": 150, "postgres": 60}
WORD = "convoy"  # every generated document contains it, so search can find them all
# ... and names one entity, one place and one event, so each facet sums to the total.
FACTS = {
    "entities": [{"id": "ORG:convoy-authority", "name": "Convoy Authority", "type": "ORG"}],
    "places": [{"name": "Raqqa", "geonames_id": 163915, "mentions": [{}]}],
    "events": [
        {
            "type": "MOVE",
            "trigger": {"text": "reached", "start": 0, "end": 7},
            "sentence": {"start": 0, "end": 30},
        }
    ],
}


def _people(store: Store) -> None:
    """Members 1-4 and users 1-8, so owners and submitters are real rows."""
    with store.write() as connection:
        for member_id in MEMBER_IDS:
            if member_id != 1:  # "local" is member 1
                connection.execute(
                    members.insert().values(
                        id=member_id,
                        name=f"m{member_id}",
                        founding=False,
                        default_tlp="AMBER",
                        admitted_at=sa.func.now(),
                    )
                )
        for user_id in USER_IDS:
            connection.execute(
                users.insert().values(
                    id=user_id,
                    member_id=(user_id - 1) % 4 + 1,
                    name=f"u{user_id}",
                    role="analyst",
                    disabled=False,
                    created_at=sa.func.now(),
                )
            )
        if connection.dialect.name == "postgresql":  # explicit ids: move the sequences on
            connection.exec_driver_sql("SELECT setval('members_id_seq', 100)")
            connection.exec_driver_sql("SELECT setval('users_id_seq', 100)")


def _store_items(store: Store, stored: list[Item], fold: bool = False) -> list[int]:
    with store.write() as connection:
        for table in (doc_entities, doc_places, doc_events, documents):
            connection.execute(table.delete())
        ids = []
        for position, item in enumerate(stored):
            text = f"Report {position}: the {WORD} reached the camp."
            audience: Any = None
            if item.audience_members or item.audience_users:
                audience = {
                    "members": sorted(item.audience_members),
                    "users": sorted(item.audience_users),
                }
            result = connection.execute(
                documents.insert().values(
                    member_id=item.owner_member_id,
                    location=f"file:///{position}",
                    title=text,
                    text=text,
                    ingested_at=sa.func.now(),
                    tlp=item.tlp.value,
                    audience=audience if audience is not None else sa.null(),
                    sha256=hashlib.sha256(text.encode()).hexdigest(),
                    content_type="text/plain",
                    size=len(text),
                    lossy=False,
                    submitted_by=item.submitted_by,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            ids.append(int(key[0]))
        facts.rewrite(connection, {document_id: FACTS for document_id in ids})
        if fold:  # else the counts hold this example's rows beside the last one's, unfolded
            overview.fold_counts(connection)
    return ids


def _check(store: Store, stored: list[Item], viewer: Viewer, publish: bool, fold: bool) -> None:
    ids = _store_items(store, stored, fold)
    position = {doc_id: n for n, doc_id in enumerate(ids)}
    reader = Reader(viewer, publish_clear=publish)
    with store.read() as connection:
        exported = {position[d.id] for d in repo.iterate(connection, reader=reader)}
        found = search(connection, WORD, limit=100, reader=reader, facets=True)
        searched = {position[hit.document_id] for hit in found.hits}
        singles = set()
        for doc_id in ids:
            try:
                repo.get(connection, doc_id, reader)
            except NotFoundError:
                continue
            singles.add(position[doc_id])
        counted = repo.count(connection, reader)
        status = repo.status(connection, reader)
    for returned in (exported, searched, singles):
        assert_filter_matches(viewer, stored, returned, publish_clear=publish)
    assert found.total == counted == status.documents == len(exported)
    assert sum(n for _, n in status.by_tlp) == len(exported)
    assert set(found.facets) == {"source", "language", "tlp", "entity", "place", "event_type"}
    for facet in found.facets.values():  # facets count only what may be seen
        assert sum(n for _, n in facet) == len(exported)


@pytest.fixture
def people(store: Store) -> Store:
    _people(store)
    return store


def test_every_read_path_obeys_the_policy(people: Store, backend: Backend) -> None:
    @settings(
        max_examples=EXAMPLES[backend.name],
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        stored=items_lists(max_size=10),
        viewer=viewers(),
        publish=st.booleans(),
        fold=st.booleans(),
    )
    def run(stored: list[Item], viewer: Viewer, publish: bool, fold: bool) -> None:
        _check(people, stored, viewer, publish, fold)

    run()
