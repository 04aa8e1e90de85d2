"""`jic claims ...` and `jic sources track-record|group` from the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from tests.analyse.test_ledger import BASE, DENIAL, Center, Said
from tests.conftest import Backend
from typer.testing import CliRunner

from jic import cli, cli_ledger
from jic.domain import TLP
from jic.store.database import open_store

runner = CliRunner()

# The lead registers the ledger commands in cli.py; until then (and only then) the
# test adds them itself.
if not any(info.name == "claims" for info in cli.app.registered_groups):
    cli_ledger.register(cli.app, cli.JicGroup, cli._store, cli.out)


def jic(backend: Backend, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli.app, [*backend.cli_args(), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


@pytest.fixture
def center(backend: Backend) -> Iterator[Center]:
    assert jic(backend, "init")[0] == 0
    store = open_store(backend.settings)
    try:
        yield Center(store, mentions={"Russia": "GPE:russia", "Latakia": "GPE:latakia"})
    finally:
        store.close()


def test_list_show_and_grade_a_disputed_proposition(backend: Backend, center: Center) -> None:
    center.source("Wire", "B")
    center.source("Paper", "C")
    center.source("Ministry", "F")
    center.user("ana")
    center.user("otto", role="officer")
    center.doc(Said("Wire", "assert", BASE), source="Wire")
    center.doc(Said("Paper", "confirm", BASE, cue="confirmed"), source="Paper")
    center.doc(Said("The ministry", "deny", DENIAL, cue="denied"), source="Ministry")
    code, out = jic(backend, "claims", "assign")
    assert code == 0 and "3 claim(s)" in out
    code, out = jic(backend, "claims", "list", "--disputed", "--json")
    assert code == 0
    (found,) = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert (found["support"], found["deny"], found["grade"]["value"]) == (2, 1, 2)
    assert found["computed"]["explanation"].startswith(
        "asserted by 2 independent sources of reliability B and C, "
        "denied by 1 source of reliability F"
    )
    pid = str(found["id"])
    code, out = jic(backend, "claims", "show", pid)
    assert code == 0 and "probably true" in out and "Ministry" in out
    code, out = jic(backend, "--as", "ana", "claims", "grade", pid, "1")
    assert code == 2 and "JIC-E611" in out
    code, out = jic(backend, "claims", "grade", pid, "1")
    assert code == 2 and "officers" in out
    code, out = jic(backend, "--as", "otto", "claims", "grade", pid, "9")
    assert code == 2 and "JIC-E241" in out
    code, out = jic(backend, "--as", "otto", "claims", "grade", pid, "1", "--note", "imagery")
    assert code == 0 and "grade 1 (confirmed)" in out
    shown = json.loads(jic(backend, "claims", "show", pid, "--json")[1])
    assert shown["grade"]["value"] == 1 and shown["computed"]["value"] == 2
    assert shown["manual"]["set_by"] == "otto"
    assert "1* confirmed" in jic(backend, "claims", "list")[1]
    code, out = jic(backend, "audit", "verify")
    assert code == 0 and "intact" in out


def test_a_reader_lists_only_what_it_may_see(backend: Backend, center: Center) -> None:
    center.member("other")
    center.user("olga", member="other")
    center.doc(Said("Wire", "assert", BASE), tlp=TLP.AMBER_STRICT)
    assert jic(backend, "claims", "assign")[0] == 0
    assert BASE in jic(backend, "claims", "list", "--json")[1]
    assert jic(backend, "--as", "olga", "claims", "list", "--json") == (0, "")
    code, out = jic(backend, "--as", "olga", "claims", "show", "1")
    assert code == 2 and "no proposition 1" in out


def test_ownership_groups_and_track_records(backend: Backend, center: Center) -> None:
    center.source("State TV", "C")
    center.source("State agency", "C")
    center.user("ana")
    first = center.doc(Said("State TV", "assert", BASE), source="State TV")
    center.doc(Said("State agency", "confirm", BASE, cue="confirmed"), source="State agency")
    assert jic(backend, "claims", "assign")[0] == 0
    pid = str(center.proposition_of(first))
    assert json.loads(jic(backend, "claims", "show", pid, "--json")[1])["support"] == 2
    code, out = jic(backend, "--as", "ana", "sources", "set", "State TV", "--group", "State media")
    assert code == 2 and "may not change" in out
    assert jic(backend, "sources", "set", "State TV", "--group", "State media")[0] == 0
    assert jic(backend, "sources", "set", "State agency", "--group", "State media")[0] == 0
    assert json.loads(jic(backend, "claims", "show", pid, "--json")[1])["support"] == 1
    code, out = jic(backend, "sources", "track-record", "--json")
    records = {r["source"]: r for r in map(json.loads, filter(str.strip, out.splitlines()))}
    assert code == 0 and records["State TV"]["confirmed"] == 0  # its sibling is no confirmation
    assert records["State TV"]["suggested"] == "F" and records["State TV"]["reliability"] == "C"
    assert "track-record" in jic(backend, "sources", "--help")[1]
