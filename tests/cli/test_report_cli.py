"""`jic report ...`, `jic timeline`, `jic map` and `jic graph` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Backend
from typer.testing import CliRunner

from jic import cli, cli_report

runner = CliRunner()

if "report" not in {group.name for group in cli.app.registered_groups}:
    # Until jic.cli registers these commands itself, register them as it will.
    cli_report.register(cli.app, cli.JicGroup, cli._store, cli.out)


def jic(backend: Backend, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli.app, [*backend.cli_args(), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def _center(backend: Backend, tmp_path: Path) -> tuple[str, str]:
    """North and South, monthly terms; returns (the officer of the chair, the other)."""
    assert (
        jic(backend, "init", "--member", "North", "--member", "South", "--term-months", "1")[0] == 0
    )
    chair = json.loads(jic(backend, "chair", "--json")[1])["chair"]
    for name, member in (("nadia", "North"), ("sam", "South")):
        assert jic(backend, "users", "add", name, "--member", member, "--role", "officer")[0] == 0
    assert jic(backend, "users", "add", "nick", "--member", "North")[0] == 0
    note = tmp_path / "note.txt"
    note.write_text("Flooding in Basra\n\nHeavy rain flooded parts of Basra on Saturday.")
    assert jic(backend, "--as", "nick", "ingest", str(note), "--tlp", "GREEN")[0] == 0
    return ("nadia", "sam") if chair == "North" else ("sam", "nadia")


def test_a_sitrep_is_saved_submitted_and_approved_by_the_chair(
    backend: Backend, tmp_path: Path
) -> None:
    chair_officer, other_officer = _center(backend, tmp_path)
    code, out = jic(backend, "--as", "nick", "report", "sitrep", "--since", "2026-01-01")
    assert code == 0 and "# Situation report 2026-01-01" in out and "Draft" in out
    code, out = jic(backend, "--as", "nick", "report", "sitrep", "--since", "2026-01-01", "--save")
    assert code == 0 and "Saved sitrep 1 as a draft" in out
    listed = json.loads(jic(backend, "--as", "nick", "report", "list", "--json")[1])
    assert [(r["id"], r["status"], r["joint_product"]) for r in listed] == [(1, "draft", False)]

    code, out = jic(backend, "--as", chair_officer, "report", "approve", "1")
    assert code == 2 and "only a submitted sitrep" in out
    code, out = jic(backend, "--as", "sam", "report", "submit", "1")
    assert code == 2 and "JIC-E620" in out  # sam is not of North, which wrote it
    assert jic(backend, "--as", "nick", "report", "submit", "1")[0] == 0
    code, out = jic(backend, "report", "approve", "1")
    assert code == 2 and "chair action" in out  # the local operator is not an officer
    code, out = jic(backend, "--as", other_officer, "report", "approve", "1")
    assert code == 2 and "chair action" in out
    code, out = jic(backend, "--as", "nick", "report", "approve", "1")
    assert code == 2 and "chair action" in out  # an analyst of the chair
    code, out = jic(backend, "--as", chair_officer, "report", "approve", "1")
    assert code == 0 and "JOINT PRODUCT" in out

    pdf = tmp_path / "sitrep.pdf"
    code, out = jic(backend, "report", "show", "1", "--format", "pdf", "--output", str(pdf))
    assert code == 0, out
    assert pdf.read_bytes().startswith(b"%PDF") and b"JOINT PRODUCT" in pdf.read_bytes()
    code, html = jic(backend, "report", "show", "1", "--format", "html")
    assert "<!DOCTYPE html>" in html and "JOINT PRODUCT" in html and "http" not in html
    code, out = jic(backend, "audit", "show", "--json")
    assert code == 0 and "sitrep.approve" in out


def test_a_bad_format_or_a_missing_font_is_one_line(backend: Backend, tmp_path: Path) -> None:
    _center(backend, tmp_path)
    code, out = jic(backend, "report", "sitrep", "--since", "2026-01-01", "--format", "docx")
    assert code == 2 and out.startswith("error JIC-E200: unknown format")
    code, out = jic(
        backend,
        "report",
        "sitrep",
        "--since",
        "2026-01-01",
        "--format",
        "pdf",
        "--font",
        str(tmp_path / "none.ttf"),
        "--save",
    )
    assert code == 2 and "JIC-E252" in out
    assert json.loads(jic(backend, "report", "list", "--json")[1]) == []  # nothing saved


def test_timeline_map_and_graph_print_json(backend: Backend, tmp_path: Path) -> None:
    _center(backend, tmp_path)
    code, out = jic(backend, "--as", "nadia", "timeline", "--bucket", "month")
    assert code == 0, out
    assert json.loads(out)["totals"]["document"] == 1
    code, out = jic(backend, "--as", "sam", "timeline")
    assert json.loads(out)["totals"]["document"] == 1  # GREEN: every member's user sees it
    code, out = jic(backend, "map", "--since", "2026-01-01")
    assert code == 0 and json.loads(out)["type"] == "FeatureCollection"
    code, out = jic(backend, "graph", "--limit", "5")
    assert code == 0 and set(json.loads(out)) == {"nodes", "edges", "truncated"}
    code, out = jic(backend, "timeline", "--bucket", "fortnight")
    assert code == 2 and "JIC-E250" in out
