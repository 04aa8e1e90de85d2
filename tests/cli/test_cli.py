"""The `jic` command end to end: init, ingest with bad input, search, export, status."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.conftest import Backend
from typer.testing import CliRunner

from jic.cli import app
from jic.store.database import buffer_warning, open_store, server_warnings

runner = CliRunner()


def jic(backend: Backend, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*backend.cli_args(), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def center(backend: Backend) -> Backend:
    code, _out, err = jic(backend, "init")
    assert code == 0, err
    return backend


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder of good and bad files, written for these tests."""
    root = tmp_path / "inbox"
    (root / "news").mkdir(parents=True)
    (root / "news" / "basra.txt").write_text(
        "Floods hit Basra\n\nHeavy rain flooded parts of Basra on Saturday, officials said.\n"
    )
    (root / "news" / "copy-of-basra.txt").write_bytes((root / "news" / "basra.txt").read_bytes())
    (root / "news" / "mosul.md").write_text(
        "# Bridge reopens in Mosul\n\nThe old bridge reopened.\n"
    )
    (root / "news" / "page.html").write_text(
        "<html><head><title>Aid convoy</title></head><body><nav>Home | World</nav><article>"
        "<h1>Aid convoy reaches Deir ez-Zor</h1>"
        + "<p>An aid convoy carrying food and medicine reached the city on Sunday.</p>" * 4
        + "</article><footer>Copyright</footer></body></html>"
    )
    (root / "news" / "latin1.txt").write_bytes(b"Price rise\n\nBread now costs \xa31.20 a loaf.\n")
    (root / "news" / "empty.txt").write_bytes(b"")
    (root / "news" / "blob.txt").write_bytes(bytes(range(256)) * 10)
    (root / "news" / "notes.pdf").write_bytes(b"%PDF-1.4")
    (root / "feed.jsonl").write_text(
        '{"title": "Ceasefire talks", "text": "Talks resumed in Doha.", "url": "https://example.org/1"}\n'
        "{not json}\n"
        '{"title": "No text here"}\n'
        '{"text": "Port reopened.", "published": "2026-11-20", "tlp": "GREEN"}\n'
    )
    (root / ".hidden.txt").write_text("never ingested")
    return root


def test_ingest_reports_each_bad_item_and_stores_every_good_one(
    center: Backend, folder: Path
) -> None:
    code, out, err = jic(center, "ingest", str(folder))
    assert code == 1  # some items failed
    assert "empty file" in err
    assert "binary file" in err
    assert "feed.jsonl:2" in err and "not valid JSON" in err
    assert "feed.jsonl:3" in err and "no 'text'" in err
    assert "latin1.txt" in err and "Windows-1252" in err
    assert "copy-of-basra.txt" in err and "same bytes as document" in err
    assert "notes.pdf" in err and "skipped" in err
    assert "6 stored" in out and "1 duplicate" in out and "4 failed" in out and "1 skipped" in out
    _code, exported, _ = jic(center, "export", "documents", "--format", "jsonl")
    records = [json.loads(line) for line in exported.splitlines()]
    titles = {r["title"] for r in records}
    assert titles == {
        "Floods hit Basra",
        "Bridge reopens in Mosul",
        "Aid convoy reaches Deir ez-Zor",
        "Price rise",
        "Ceasefire talks",
        "Port reopened.",
    }
    price = next(r for r in records if r["title"] == "Price rise")
    assert "£1.20" in price["text"] and price["lossy"] is True
    port = next(r for r in records if r["title"] == "Port reopened.")
    assert port["tlp"] == "GREEN" and port["published"] == "2026-11-20T00:00:00Z"
    aid = next(r for r in records if r["title"].startswith("Aid convoy"))
    assert "Copyright" not in aid["text"] and "Home | World" not in aid["text"]


def test_reingesting_the_same_files_is_a_no_op(center: Backend, folder: Path) -> None:
    jic(center, "ingest", str(folder))
    code, out, _err = jic(
        center, "ingest", str(folder / "news" / "basra.txt"), str(folder / "news" / "mosul.md")
    )
    assert code == 0
    assert "2 unchanged" in out
    _c, status, _e = jic(center, "status", "--json")
    assert json.loads(status)["documents"] == 6


def test_a_changed_file_at_the_same_url_is_a_new_version(center: Backend, tmp_path: Path) -> None:
    page = tmp_path / "report.txt"
    page.write_text("Situation report\n\nTwo roads closed.")
    jic(center, "ingest", str(page), "--url", "https://example.org/report", "--source", "ocha")
    page.write_text("Situation report\n\nThree roads closed.")
    code, out, _err = jic(
        center, "ingest", str(page), "--url", "https://example.org/report", "--source", "ocha"
    )
    assert code == 0 and "1 new-version" in out
    _c, exported, _e = jic(center, "export", "documents", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [r["text"].split("\n")[-1] for r in rows] == ["Two roads closed.", "Three roads closed."]
    assert rows[1]["version_of"] == rows[0]["id"] and rows[0]["source"] == "ocha"


def test_search_ranks_with_snippets_and_json(center: Backend, folder: Path) -> None:
    jic(center, "ingest", str(folder))
    code, out, _err = jic(center, "search", "basra floods")
    assert code == 0 and "Floods hit Basra" in out and "1 document(s)" in out
    _c, raw, _e = jic(center, "search", "convoy", "--json")
    data = json.loads(raw)
    assert data["total"] == 1
    assert "<mark>convoy</mark>" in data["hits"][0]["snippet"].lower()


def test_user_mistakes_are_one_line_errors(backend: Backend, tmp_path: Path) -> None:
    code, _out, err = jic(backend, "search", "oil")
    assert code == 2
    assert err.startswith("error JIC-E101: ") and "jic init" in err and err.count("\n") == 1
    assert "Traceback" not in err
    jic(backend, "init")
    code, _out, err = jic(backend, "init")
    assert code == 2 and "JIC-E102" in err
    code, _out, err = jic(backend, "search", "--", "-oil")
    assert code == 2 and "JIC-E210" in err
    code, _out, err = jic(backend, "ingest", str(tmp_path), "--tlp", "purple")
    assert code == 2 and "unknown TLP level" in err


def one_line_error(code: int, err: str, error_code: str) -> str:
    assert code == 2, err
    assert err.startswith(f"error {error_code}: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and " — " in err  # a hint follows the message
    return err


@pytest.mark.parametrize(
    "url", ["nonsense", "mysql://user@db.example/jic", "postgresql+psycopg2://u@localhost/jic"]
)
def test_a_database_url_jic_cannot_use_is_one_line(tmp_path: Path, url: str) -> None:
    result = runner.invoke(app, ["--home", str(tmp_path / "home"), "--db", url, "init"])
    one_line_error(result.exit_code, result.stderr, "JIC-E100")


def test_postgres_scheme_is_read_as_postgresql(backend: Backend) -> None:
    url = backend.settings.database_url
    if url is None:
        pytest.skip("postgres:// URLs need the PostgreSQL backend")
    short_url = url.replace("postgresql://", "postgres://", 1)
    short = Backend("postgres", backend.settings.model_copy(update={"database_url": short_url}))
    code, out, err = jic(short, "init")
    assert code == 0, err
    assert "Created center" in out


def test_a_data_home_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = runner.invoke(app, ["--home", str(blocker / "home"), "init"])
    err = one_line_error(result.exit_code, result.stderr, "JIC-E100")
    assert "cannot create the data home" in err and "--home" in err


def test_a_database_from_a_newer_jic_is_refused(backend: Backend) -> None:
    assert jic(backend, "init")[0] == 0
    store = open_store(backend.settings)
    with store.write() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    store.close()
    code, _out, err = jic(backend, "status")
    err = one_line_error(code, err, "JIC-E400")
    assert "'9999_future'" in err and "upgrade jic" in err


def test_url_with_a_record_file_keeps_each_record_apart(center: Backend, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        '{"title": "First", "text": "Market reopened."}\n'
        '{"title": "Second", "text": "Bridge repaired."}\n'
        '{"title": "Third", "text": "School open.", "url": "https://example.org/3"}\n'
    )
    code, out, err = jic(center, "ingest", str(feed), "--url", "https://example.org/feed")
    assert code == 0, err
    assert "3 stored" in out and "new-version" not in out
    _c, exported, _e = jic(center, "export", "documents", "--format", "jsonl")
    records = {r["title"]: r for r in map(json.loads, exported.splitlines())}
    assert {t: r["version_of"] for t, r in records.items()} == {
        "First": None,
        "Second": None,
        "Third": None,
    }
    assert records["First"]["url"] == "https://example.org/feed"
    assert records["Third"]["url"] == "https://example.org/3"


def test_a_record_cannot_loosen_the_tlp_given(center: Backend, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"title": "Open", "text": "Water restored.", "tlp": "CLEAR"}\n')
    code, _out, err = jic(center, "ingest", str(feed), "--tlp", "AMBER")
    assert code == 0, err
    _c, exported, _e = jic(center, "export", "documents", "--format", "jsonl")
    assert [json.loads(line)["tlp"] for line in exported.splitlines()] == ["AMBER"]


def test_unreadable_and_oversized_files_fail_alone(
    center: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Good\n\nA fine report.")
    big = tmp_path / "big.txt"
    big.write_text("x" * 2000)
    locked = tmp_path / "locked.txt"
    locked.write_text("secret")
    open_file = os.open

    def refuse_locked(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        # chmod 0 stops no one when the tests run as root (CI does): refuse by hand.
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return open_file(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse_locked)
    paths = [good, big, locked, tmp_path / "missing.txt"]
    result = runner.invoke(
        app,
        [*center.cli_args(), "ingest", *map(str, paths)],
        env={"JIC_MAX_FILE_BYTES": "1000"},
    )
    assert result.exit_code == 1
    failed = dict(
        line.removeprefix("failed ").split(" — ", 1)
        for line in result.stderr.splitlines()
        if line.startswith("failed ")
    )
    assert failed == {
        str(big): "2000 bytes, over the 1000 bytes limit (raise it with JIC_MAX_FILE_BYTES)",
        str(locked): "cannot read: Permission denied",
        str(tmp_path / "missing.txt"): "cannot read: No such file or directory",
    }
    assert str(good) not in result.stderr
    assert "1 stored" in result.stdout and "3 failed" in result.stdout
    _c, status, _e = jic(center, "status", "--json")
    assert json.loads(status)["documents"] == 1


def test_status_counts(center: Backend, folder: Path) -> None:
    jic(center, "ingest", str(folder), "--source", "inbox")
    code, out, _err = jic(center, "status")
    assert code == 0 and "6" in out and "inbox" in out
    data = json.loads(jic(center, "status", "--json")[1])
    assert data["sources"] == {"inbox": 6}
    assert data["sightings"] == 1 and data["lossy"] == 1


def test_audit_verify(center: Backend, folder: Path) -> None:
    jic(center, "ingest", str(folder))
    code, out, _err = jic(center, "audit", "verify")
    assert code == 0 and "intact" in out


def test_status_warns_of_a_postgres_server_that_keeps_no_statistics(center: Backend) -> None:
    data = json.loads(jic(center, "status", "--json")[1])
    if center.name == "sqlite":
        assert data["warnings"] == []
        return
    store = open_store(center.settings)
    with store.engine.connect() as connection:
        autovacuum = connection.exec_driver_sql("SHOW autovacuum").scalar()
        assert data["warnings"] == server_warnings(connection)
        assert any("autovacuum is off" in w for w in data["warnings"]) == (autovacuum == "off")
        connection.exec_driver_sql("SET track_counts = off")  # a superuser may, per session
        assert any("track_counts is off" in w for w in server_warnings(connection))
        # A new center's tables are far smaller than any shared_buffers.
        assert not any("shared_buffers" in w for w in data["warnings"])
    store.close()


def test_a_postgres_cache_smaller_than_what_searches_read_is_named() -> None:
    mb = 2**20
    assert buffer_warning(128 * mb, 128 * mb) is None
    warning = buffer_warning(128 * mb, 1381 * mb)
    assert warning is not None
    assert "shared_buffers (128 MB)" in warning and "(1,381 MB)" in warning
