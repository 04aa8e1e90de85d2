"""``document_counts``: the triggers and ``fold_counts`` keep what ``tally`` reads equal
to counting the documents themselves under the policy, through every kind of change,
on both backends; on PostgreSQL two writers of one group never wait for each other."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from itertools import count
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Connection
from tests.conftest import Backend

from jic.center.founding import Founding, found_center
from jic.domain import TLP, DocumentIn
from jic.store import audit, migrate, overview, processing
from jic.store import documents as document_repo
from jic.store import members as member_repo
from jic.store import sources as source_repo
from jic.store import users as user_repo
from jic.store.database import Store
from jic.store.documents import BatchContext, Offer
from jic.store.schema import document_counts, documents
from jic.store.visibility import OPERATOR, Reader, fragment

_NUMBERS = count()


def _by_the_documents(connection: Connection, reader: Reader) -> dict[Any, int]:
    """What ``tally`` must say, counted over the documents themselves."""
    where, params = fragment(connection, reader)
    rows = connection.execute(
        sa.text(
            "SELECT source_id, language, tlp, count(*) FROM documents "
            f"WHERE {where} GROUP BY source_id, language, tlp"
        ),
        params,
    )
    return {(s, lang, tlp): int(n) for s, lang, tlp, n in rows}


def _by_the_tally(connection: Connection, reader: Reader) -> dict[Any, int]:
    tally = overview.tally(connection, reader)
    assert tally.total == sum(n for *_, n in tally.sources)
    assert tally.total == sum(tally.tlps.values()) == sum(tally.languages.values())
    return {
        "total": tally.total,
        "sources": {i: n for i, _, n in tally.sources},
        "tlps": tally.tlps,
        "languages": tally.languages,
    }


def _expected(groups: dict[Any, int]) -> dict[Any, Any]:
    out: dict[str, Any] = {"total": sum(groups.values()), "sources": {}, "tlps": {}}
    out["languages"] = {}
    for (source, language, tlp), n in groups.items():
        for name, key in (("sources", source), ("tlps", tlp), ("languages", language)):
            out[name][key] = out[name].get(key, 0) + n
    return out


class Center:
    def __init__(self, store: Store) -> None:
        self.store = store
        with store.write() as connection:
            self.members = {m: member_repo.get_member(connection, m) for m in ("alpha", "beta")}
            self.users = {
                name: user_repo.add_user(
                    connection, name, member=self.members[m], role=role, actor=audit.Actor()
                )
                for name, m, role in (("ann", "alpha", "analyst"), ("bert", "beta", "officer"))
            }
            self.sources = [
                source_repo.add(
                    connection,
                    source_repo.NewSource(name, "feed", f"https://{name}.example/"),
                    owner=self.members["alpha"],
                    actor=audit.Actor(),
                ).id
                for name in ("wire", "site")
            ]
        self.readers = {
            "operator": OPERATOR,
            "public": Reader(publish_clear=True),
            **{name: Reader(user.viewer) for name, user in self.users.items()},
        }

    def put(
        self,
        connection: Connection,
        member: str,
        tlp: TLP,
        *,
        source: int | None = 0,
        language: str | None = "en",
        by: str | None = None,
    ) -> int:
        n = next(_NUMBERS)
        text = f"Document {n}: {member}, {tlp.value}."
        item = DocumentIn(
            text=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            location=f"file:///counts/{n}",
            tlp=tlp,
            language=language,
        )
        context = BatchContext(
            self.members[member],
            audit.Actor(),
            source_id=None if source is None else self.sources[source],
            submitted_by=None if by is None else self.users[by].id,
        )
        (outcome,) = document_repo.store_batch(connection, [Offer(str(n), item)], context)
        assert outcome.document_id is not None
        return outcome.document_id

    def check(self, after: str = "") -> None:
        with self.store.read() as connection:
            for name, reader in self.readers.items():
                expected = _expected(_by_the_documents(connection, reader))
                assert _by_the_tally(connection, reader) == expected, f"{name} {after}"


@pytest.fixture
def center(backend: Backend) -> Iterator[Center]:
    store, _ = found_center(backend.settings, Founding(founders=["alpha", "beta"]))
    yield Center(store)
    store.close()


def _rows(connection: Connection) -> int:
    return int(
        connection.execute(sa.select(sa.func.count()).select_from(document_counts)).scalar_one()
    )


def test_counts_follow_every_change_to_what_the_policy_reads(center: Center) -> None:
    with center.store.write() as connection:
        ids = [
            center.put(connection, "alpha", TLP.GREEN),
            center.put(connection, "alpha", TLP.CLEAR, source=1, language=None),
            center.put(connection, "alpha", TLP.AMBER, source=None),
            center.put(connection, "beta", TLP.AMBER_STRICT, language="fr"),
            center.put(connection, "beta", TLP.RED, by="bert"),  # bert sees it as submitter
            center.put(connection, "beta", TLP.RED, source=1),  # bert may not: no submitter
        ]
    center.check()
    changes: list[tuple[str, dict[str, Any]]] = [
        ("tlp", {"id": ids[0], "tlp": "RED"}),
        ("language", {"id": ids[1], "language": "ar"}),
        ("source", {"id": ids[2], "source_id": center.sources[1]}),
        ("audience", {"id": ids[3], "audience": {"members": [center.members["alpha"].id]}}),
        ("audience", {"id": ids[5], "audience": {"users": [center.users["bert"].id]}}),
        ("member", {"id": ids[2], "member_id": center.members["beta"].id}),
        ("submitter", {"id": ids[5], "submitted_by": None}),
    ]
    for what, change in changes:
        values = {k: v for k, v in change.items() if k != "id"}
        with center.store.write() as connection:
            connection.execute(
                documents.update().where(documents.c.id == change["id"]).values(**values)
            )
        center.check(f"after a {what} change")  # unfolded: +1 and -1 rows summed as they stand
    with center.store.write() as connection:
        processing.set_languages(connection, {ids[0]: "de", ids[4]: "de"})  # folds
        connection.execute(documents.delete().where(documents.c.id == ids[1]))
    center.check()
    with center.store.write() as connection:
        before = _rows(connection)
        folded = overview.fold_counts(connection)
        assert folded > 0 and _rows(connection) == before - folded
        assert overview.fold_counts(connection) == 0  # nothing left to fold
    center.check()


def test_a_fold_leaves_one_row_per_group_and_drops_empty_groups(center: Center) -> None:
    with center.store.write() as connection:
        ids = [center.put(connection, "alpha", TLP.GREEN) for _ in range(5)]
        assert _rows(connection) == 1  # each batch folded its row into the group's
        connection.execute(documents.update().values(language="fr"))  # 5 rows: -1 and +1
        connection.execute(documents.delete().where(documents.c.id == ids[0]))
        assert _rows(connection) == 1 + 5 * 2 + 1
        overview.fold_counts(connection)
        rows = connection.execute(sa.select(document_counts)).all()
    assert [(r.language, r.tlp, r.n) for r in rows] == [("fr", "GREEN", 4)]
    center.check()


def _insert(connection: Connection, center: Center, member: str) -> None:
    """A document written straight into the table (store_batch queues writers on the
    audit chain's lock; processing's language updates do not), then a fold."""
    n = next(_NUMBERS)
    connection.execute(
        documents.insert().values(
            member_id=center.members[member].id,
            source_id=center.sources[0],
            location=f"file:///raw/{n}",
            text=f"raw {n}",
            language="en",
            ingested_at=sa.func.now(),
            tlp="GREEN",
            sha256=hashlib.sha256(f"raw {n}".encode()).hexdigest(),
            content_type="text/plain",
            size=5,
            lossy=False,
        )
    )
    overview.fold_counts(connection)


@pytest.mark.postgres
def test_two_writers_of_one_group_never_wait_for_each_other(center: Center) -> None:
    if center.store.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    with center.store.write() as connection:
        _insert(connection, center, "alpha")
        _insert(connection, center, "alpha")  # the group now has one folded row
    first = center.store.engine.connect()
    second = center.store.engine.connect()
    try:
        first.begin()
        _insert(first, center, "alpha")  # its fold holds the group's row
        second.begin()
        second.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
        _insert(second, center, "beta")  # would time out if it waited
        second.commit()
        first.commit()
    finally:
        first.close()
        second.close()
    with center.store.read() as connection:
        assert overview.tally(connection, OPERATOR).tlps == {"GREEN": 4}
    with center.store.write() as connection:
        overview.fold_counts(connection)
        assert _rows(connection) == 1
    center.check()


def test_the_upgrade_counts_the_documents_already_stored(center: Center) -> None:
    with center.store.write() as connection:
        ids = [
            center.put(connection, "alpha", TLP.GREEN),
            center.put(connection, "alpha", TLP.AMBER, source=None, language=None),
            center.put(connection, "beta", TLP.GREEN),  # the first one's group
            center.put(connection, "beta", TLP.RED, by="bert"),
            center.put(connection, "beta", TLP.RED, source=1),
        ]
        connection.execute(
            documents.update()
            .where(documents.c.id == ids[1])
            .values(audience={"members": [center.members["beta"].id]})  # only bert's member
        )
        migrate.downgrade(connection, "0010")
        migrate.upgrade(connection)
        assert _rows(connection) == 4  # one row per group, written by the upgrade
    center.check("after the upgrade")
