"""`jic search` past the bound: the total as a lower bound, the hits ranked among the
newest, and --exhaustive for every match."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli.test_cli import center, jic  # noqa: F401 (the fixture)
from tests.conftest import Backend

from jic.store import search as store_search


def test_a_bounded_search_says_so_and_exhaustive_counts_all(
    center: Backend,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n in range(6):
        (inbox / f"r{n}.txt").write_text(f"Convoy report {n}\n\nThe convoy reached camp {n}.")
    code, _out, err = jic(center, "ingest", str(inbox))
    assert code == 0, err
    monkeypatch.setattr(store_search, "BOUND", 4)
    code, out, _err = jic(center, "search", "convoy")
    assert code == 0 and "of 4+ document(s) match" in out
    assert "best of the newest 4 matches" in out and "--exhaustive" in out
    _c, raw, _e = jic(center, "search", "convoy", "--json")
    data = json.loads(raw)
    assert data["total"] == 4 and data["total_exact"] is False and data["ranked_within"] == 4
    code, out, _err = jic(center, "search", "convoy", "--exhaustive")
    assert code == 0 and "of 6 document(s) match" in out and "newest" not in out
