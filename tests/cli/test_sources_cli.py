"""Grading sources and grouping them by ownership from the command line."""

from __future__ import annotations

import json

from tests.cli.test_center_cli import jic
from tests.conftest import Backend

from jic.store import audit
from jic.store.database import open_store


def _center(backend: Backend) -> None:
    assert jic(backend, "init", "--member", "North", "--member", "South")[0] == 0
    assert jic(backend, "users", "add", "nadia", "--member", "North", "--role", "officer")[0] == 0
    assert jic(backend, "users", "add", "ann", "--member", "North", "--role", "analyst")[0] == 0
    assert jic(backend, "users", "add", "sam", "--member", "South", "--role", "officer")[0] == 0
    for name in ("Wire A", "Wire B"):
        code, out = jic(
            backend, "sources", "add", f"https://example.org/{name[-1]}.xml",
            "--kind", "feed", "--name", name, "--member", "North",
        )  # fmt: skip
        assert code == 0, out


def test_officers_of_the_owner_grade_and_group_sources(backend: Backend) -> None:
    _center(backend)
    code, out = jic(
        backend, "--as", "nadia", "sources", "set", "Wire A", "--reliability", "b",
        "--group", "  Example   Media ",
    )  # fmt: skip
    assert code == 0, out
    record = json.loads(out)
    assert record["reliability"] == "B" and record["ownership_group"] == "Example Media"
    listed = json.loads(jic(backend, "sources", "list", "--json")[1])
    assert {s["name"]: s["ownership_group"] for s in listed} == {
        "Wire A": "Example Media",
        "Wire B": None,
    }
    assert (
        json.loads(jic(backend, "sources", "set", "Wire A", "--no-group")[1])["ownership_group"]
        is None
    )
    store = open_store(backend.settings)
    with store.read() as connection:
        actions = [e["action"] for e in audit.entries(connection)]
    store.close()
    assert actions.count("source.update") == 2


def test_others_may_not_and_bad_values_are_refused(backend: Backend) -> None:
    _center(backend)
    code, out = jic(backend, "--as", "sam", "sources", "set", "Wire A", "--reliability", "A")
    assert code == 2 and "officer of the member that owns" in out
    code, out = jic(backend, "--as", "ann", "sources", "set", "Wire A", "--reliability", "A")
    assert code == 2 and "may not change" in out
    code, out = jic(backend, "sources", "set", "Wire A", "--reliability", "G")
    assert code == 2 and "unknown reliability" in out
    code, out = jic(backend, "sources", "set", "Wire A", "--group", "   ")
    assert code == 2 and "needs a name" in out
    code, out = jic(backend, "sources", "set", "Wire A", "--group", "x", "--no-group")
    assert code == 2 and "contradict" in out
    code, out = jic(backend, "sources", "set", "Nowhere", "--reliability", "A")
    assert code != 0 and "Nowhere" in out
    listed = json.loads(jic(backend, "sources", "list", "--json")[1])
    assert {s["reliability"] for s in listed} == {"F"}  # nothing changed
