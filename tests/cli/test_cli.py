"""The `jic` command end to end: init, ingest with bad input, search, export, status."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from tests.conftest import Backend
from typer.testing import CliRunner

from jic.cli import app

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


def test_unreadable_and_oversized_files_fail_alone(center: Backend, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Good\n\nA fine report.")
    big = tmp_path / "big.txt"
    big.write_text("x" * 2000)
    locked = tmp_path / "locked.txt"
    locked.write_text("secret")
    locked.chmod(0)
    env = {"JIC_MAX_FILE_BYTES": "1000"}
    result = runner.invoke(
        app,
        [
            *center.cli_args(),
            "ingest",
            str(good),
            str(big),
            str(locked),
            str(tmp_path / "missing.txt"),
        ],
        env=env,
    )
    assert result.exit_code == 1
    assert "over the 0 MB limit" in result.stderr or "over the" in result.stderr
    assert "missing.txt" in result.stderr
    if os.geteuid() != 0:  # root reads any file
        assert "locked.txt" in result.stderr
    assert "1 stored" in result.stdout or "2 stored" in result.stdout


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
