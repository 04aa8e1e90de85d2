"""`jic maintain` (``store.maintenance``): it folds the counts, merges the SQLite search
index without changing what a search finds, gives space back, and reports (never
repairs) a damaged index or audit chain; on both backends, and through the CLI."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy import Connection
from tests.conftest import Backend
from typer.testing import CliRunner

from jic.center.founding import Founding, found_center
from jic.cli import app
from jic.domain import TLP, DocumentIn
from jic.store import audit, overview
from jic.store import documents as document_repo
from jic.store import members as member_repo
from jic.store.database import Store
from jic.store.documents import BatchContext, Offer
from jic.store.maintenance import _fts_segments, maintain
from jic.store.schema import audit_log, document_counts, documents
from jic.store.visibility import OPERATOR

WORDS = ["flood", "convoy", "ceasefire", "bridge", "harvest", "election", "drought"]


@pytest.fixture
def center(backend: Backend) -> Iterator[Store]:
    store, _ = found_center(backend.settings, Founding(founders=["alpha"]))
    yield store
    store.close()


def _ingest(store: Store, batches: int, per_batch: int = 20) -> None:
    """``batches`` transactions of documents, each a few words from ``WORDS``: every
    transaction adds a segment to the FTS5 index."""
    for b in range(batches):
        with store.write() as connection:
            member = member_repo.get_member(connection, "alpha")
            offers = []
            for i in range(per_batch):
                n = b * per_batch + i
                text = f"Report {n}: {WORDS[n % 7]} near the {WORDS[(n * 3) % 7]} line."
                item = DocumentIn(
                    text=text,
                    title=f"{WORDS[n % 7].title()} {n}",
                    sha256=hashlib.sha256(text.encode()).hexdigest(),
                    location=f"file:///maintain/{n}",
                    tlp=TLP.GREEN if n % 3 else TLP.AMBER,
                    language="en",
                )
                offers.append(Offer(str(n), item))
            document_repo.store_batch(connection, offers, BatchContext(member, audit.Actor()))


def _matches(connection: Connection) -> dict[str, list[int]]:
    """Each word's matches, as the index lists them (SQLite) or the tsvector (PostgreSQL)."""
    found = {}
    for word in WORDS:
        if connection.dialect.name == "sqlite":
            sql = "SELECT rowid FROM documents_fts WHERE documents_fts MATCH :w ORDER BY rowid"
        else:
            sql = "SELECT id FROM documents WHERE tsv @@ plainto_tsquery('english', :w) ORDER BY id"
        found[word] = list(connection.execute(sa.text(sql), {"w": word}).scalars())
    return found


def _count_rows(connection: Connection) -> int:
    return int(
        connection.execute(sa.select(sa.func.count()).select_from(document_counts)).scalar_one()
    )


def test_maintain_folds_the_counts_and_keeps_every_search_result(center: Store) -> None:
    _ingest(center, batches=12)
    with center.write() as connection:
        # A change from outside ingest leaves +1/-1 rows per document until a fold.
        connection.execute(documents.update().where(documents.c.id % 2 == 0).values(language="fr"))
        unfolded = _count_rows(connection)
        before = _matches(connection)
        tally = overview.tally(connection, OPERATOR)
        if center.is_sqlite:
            assert _fts_segments(connection) > 1
    report = maintain(center)
    assert report.ok
    names = [step.name for step in report.steps]
    assert names == (["counts", "search index"] if center.is_sqlite else ["counts", "statistics"])
    with center.read() as connection:
        groups = _count_rows(connection)
        assert groups < unfolded
        assert report.steps[0].detail == f"{unfolded - groups:,} rows folded, {groups:,} groups"
        assert overview.tally(connection, OPERATOR) == tally
        assert _matches(connection) == before
        assert all(before[w] for w in WORDS)
        if center.is_sqlite:
            assert _fts_segments(connection) == 1
    assert maintain(center).steps[0].detail.startswith("0 rows folded")


def test_the_check_passes_a_sound_center_and_reports_a_broken_audit_chain(
    center: Store,
) -> None:
    _ingest(center, batches=2)
    report = maintain(center, check=True)
    assert report.ok, report.steps
    assert {s.name for s in report.steps} >= {"audit chain"} | (
        {"integrity"} if center.is_sqlite else set()
    )
    with center.write() as connection:
        first = connection.execute(sa.select(sa.func.min(audit_log.c.id))).scalar_one()
        connection.execute(
            audit_log.update().where(audit_log.c.id == first).values(action="tampered")
        )
    report = maintain(center, check=True)
    assert not report.ok
    (chain,) = [s for s in report.steps if s.name == "audit chain"]
    assert not chain.ok and chain.detail.startswith(f"broken at entry {first}")
    assert report.steps[0].ok  # the fold still ran; nothing was repaired or lost


def test_the_check_finds_a_damaged_sqlite_search_index(backend: Backend) -> None:
    if backend.name != "sqlite":
        pytest.skip("FTS5 is SQLite's")
    store, _ = found_center(backend.settings, Founding(founders=["alpha"]))
    try:
        _ingest(store, batches=2)
        with store.write() as connection:
            # The index loses a document's entries while the document stays.
            row = connection.execute(
                sa.select(documents.c.id, documents.c.title, documents.c.text).limit(1)
            ).one()
            connection.execute(
                sa.text(
                    "INSERT INTO documents_fts(documents_fts, rowid, title, text) "
                    "VALUES ('delete', :id, :title, :text)"
                ),
                {"id": row.id, "title": row.title, "text": row.text},
            )
        report = maintain(store, check=True)
        (integrity,) = [s for s in report.steps if s.name == "integrity"]
        assert not integrity.ok and "search index" in integrity.detail
        assert not report.ok
    finally:
        store.close()


def test_vacuum_gives_space_back(center: Store) -> None:
    _ingest(center, batches=4, per_batch=200)
    with center.write() as connection:
        connection.execute(documents.delete().where(documents.c.id % 4 != 0))
    report = maintain(center, vacuum=True)
    assert report.ok
    assert report.size_before is not None and report.size_after is not None
    assert report.size_after < report.size_before
    if center.is_sqlite:
        assert [s.name for s in report.steps] == ["counts", "search index", "vacuum"]
    else:
        assert report.steps[-1].detail.startswith("VACUUM FULL ANALYZE of ")


runner = CliRunner()


def test_the_command_reports_audits_and_is_for_the_operator_only(
    center: Store, backend: Backend
) -> None:
    _ingest(center, batches=3)
    result = runner.invoke(app, [*backend.cli_args(), "maintain", "--check", "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["steps"][0]["name"] == "counts"
    assert all(step["ok"] for step in data["steps"])
    with center.read() as connection:
        entry = connection.execute(
            sa.select(audit_log.c.action, audit_log.c.detail)
            .order_by(audit_log.c.id.desc())
            .limit(1)
        ).one()
    assert entry.action == "center.maintain" and entry.detail["ok"] is True
    result = runner.invoke(app, [*backend.cli_args(), "maintain"])
    assert result.exit_code == 0 and "ok counts:" in result.stdout and "database:" in result.stdout
    result = runner.invoke(app, [*backend.cli_args(), "--as", "anyone", "maintain"])
    assert result.exit_code != 0
    assert "local operator" in result.stderr
