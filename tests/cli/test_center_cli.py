"""The joint center from the command line: init, chair, users, tokens, --as, share."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Backend
from typer.testing import CliRunner

from jic.cli import app
from jic.store import audit

runner = CliRunner()


def jic(backend: Backend, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*backend.cli_args(), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def test_a_center_run_jointly(backend: Backend, tmp_path: Path) -> None:
    code, out = jic(
        backend,
        "init",
        "--member",
        "North",
        "--member",
        "South",
        "--first-chair",
        "South",
        "--start",
        "2026-01-01",
    )
    assert code == 0, out
    code, out = jic(backend, "chair", "--at", "2026-04-01T00:00:00Z", "--json")
    answer = json.loads(out)
    assert answer["chair"] == "North" and answer["term_start"].startswith("2026-04-01")
    assert [t["chair"] for t in answer["next"]] == ["South", "North", "South", "North"]
    assert jic(backend, "users", "add", "nadia", "--member", "North", "--role", "officer")[0] == 0
    assert jic(backend, "users", "add", "sam", "--member", "South", "--role", "officer")[0] == 0
    code, out = jic(backend, "tokens", "create", "--user", "nadia")
    token = next(line for line in out.splitlines() if line.startswith("jic_"))
    code, listing = jic(backend, "tokens", "list")
    assert token[:12] in listing and token not in listing  # shown once, stored as a hash

    secret = tmp_path / "south.txt"
    secret.write_text("South only\n\nA report for South's eyes.")
    assert jic(backend, "--as", "sam", "ingest", str(secret), "--tlp", "AMBER+STRICT")[0] == 0
    assert "1 document(s)" in jic(backend, "--as", "sam", "search", "report")[1]
    assert "0 document(s)" in jic(backend, "--as", "nadia", "search", "report")[1]
    code, out = jic(backend, "--as", "nadia", "export", "documents")
    assert not [line for line in out.splitlines() if line.startswith("{")]
    assert json.loads(jic(backend, "--as", "nadia", "status", "--json")[1])["documents"] == 0

    code, out = jic(backend, "--as", "nadia", "share", "1", "--tlp", "GREEN")
    assert code == 2 and "owner member" in out
    assert jic(backend, "--as", "sam", "share", "1", "--tlp", "GREEN")[0] == 0
    assert "1 document(s)" in jic(backend, "--as", "nadia", "search", "report")[1]


def test_admitting_a_member_is_for_the_chairs_officers(backend: Backend) -> None:
    jic(
        backend,
        "init",
        "--member",
        "North",
        "--member",
        "South",
        "--first-chair",
        "North",
        "--start",
        "2026-01-01",
    )
    chair = json.loads(jic(backend, "chair", "--json")[1])["chair"]
    other = "South" if chair == "North" else "North"
    jic(backend, "users", "add", "chair-officer", "--member", chair, "--role", "officer")
    jic(backend, "users", "add", "other-officer", "--member", other, "--role", "officer")
    code, out = jic(backend, "--as", "other-officer", "members", "add", "East")
    assert code == 2 and "chair action" in out
    code, out = jic(backend, "--as", "chair-officer", "members", "add", "East", "--in-rotation")
    assert code == 0 and "into the rotation" in out
    assert "East" in jic(backend, "members", "list")[1]
    code, out = jic(backend, "--as", "other-officer", "watchlist", "add", "Sinjar")
    assert code == 2 and "chair action" in out
    assert (
        jic(backend, "--as", "chair-officer", "watchlist", "add", "Sinjar", "--kind", "place")[0]
        == 0
    )
    assert "Sinjar" in jic(backend, "watchlist", "list")[1]
    assert (
        jic(backend, "--as", "chair-officer", "watchlist", "remove", "Sinjar", "--kind", "place")[0]
        == 0
    )
    code, out = jic(backend, "audit", "verify")
    assert code == 0 and "intact" in out


def test_revoking_an_unknown_token_prefix_says_so(backend: Backend) -> None:
    assert jic(backend, "init", "--member", "North")[0] == 0
    assert jic(backend, "users", "add", "nadia", "--member", "North", "--role", "officer")[0] == 0
    code, out = jic(backend, "--as", "nadia", "tokens", "revoke", "jic_nothere")
    assert code != 0 and "no token with the prefix" in out and "officer" not in out


def test_passwords_are_set_by_officers_and_checked_without_telling_why(backend: Backend) -> None:
    from jic.store import users as user_repo
    from jic.store.database import open_store
    from jic.store.users import LoginRefused

    assert jic(backend, "init", "--member", "North", "--member", "South")[0] == 0
    assert jic(backend, "users", "add", "nadia", "--member", "North", "--role", "officer")[0] == 0
    assert jic(backend, "users", "add", "sam", "--member", "South", "--role", "officer")[0] == 0
    result = runner.invoke(
        app, [*backend.cli_args(), "users", "password", "nadia", "--password-stdin"],
        input="short\n",
    )  # fmt: skip
    assert result.exit_code == 2 and "at least 12" in result.stdout + result.stderr
    result = runner.invoke(
        app, [*backend.cli_args(), "--as", "sam", "users", "password", "nadia",
              "--password-stdin"], input="correct horse battery\n",
    )  # fmt: skip
    assert result.exit_code == 2 and "not an officer of North" in result.stdout + result.stderr
    result = runner.invoke(
        app, [*backend.cli_args(), "users", "password", "nadia", "--password-stdin"],
        input="correct horse battery\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.stdout
    store = open_store(backend.settings)
    try:
        with store.write() as connection:
            assert user_repo.check_password(connection, "nadia", "correct horse battery").name == (
                "nadia"
            )
            messages = set()
            for name, password in (("nadia", "wrong horse battery"), ("nobody", "x" * 12),
                                   ("sam", "correct horse battery")):  # fmt: skip
                try:
                    user_repo.check_password(connection, name, password)
                except LoginRefused as refused:
                    messages.add(str(refused))
            assert len(messages) == 1  # the same answer for every reason
            rows = [e["action"] for e in audit.entries(connection)]
            assert "user.password" in rows and "correct horse" not in str(audit.entries(connection))
    finally:
        store.close()
