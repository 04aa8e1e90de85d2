"""What the CLI prints stays one clean line per problem, whatever the documents hold."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Backend
from typer.testing import CliRunner

from jic.cli import app

runner = CliRunner()


def jic(backend: Backend, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*backend.cli_args(), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_search_output_cannot_be_read_as_markup(backend: Backend, tmp_path: Path) -> None:
    jic(backend, "init")
    records = tmp_path / "odd.jsonl"
    records.write_text(
        json.dumps({"title": "[bold]Markup[/] title", "text": "Convoy [red]reached[/] the camp."})
        + "\n"
    )
    assert jic(backend, "ingest", str(records))[0] == 0
    code, out, _err = jic(backend, "search", "convoy")
    assert code == 0
    assert "[bold]Markup[/] title" in out and "[red]reached[/]" in out


def test_export_into_a_missing_folder_is_a_clear_error(backend: Backend, tmp_path: Path) -> None:
    jic(backend, "init")
    code, _out, err = jic(backend, "export", "documents", "--out", str(tmp_path / "no" / "x.csv"))
    assert code == 2 and err.startswith("error JIC-E") and "create it first" in err


def test_gathering_a_files_source_is_refused(backend: Backend, tmp_path: Path) -> None:
    jic(backend, "init")
    note = tmp_path / "note.txt"
    note.write_text("A note\n\nFrom the field.")
    jic(backend, "ingest", str(note), "--source", "field notes")
    code, _out, err = jic(backend, "gather", "--source", "field notes")
    assert code == 2 and "not gathered from the network" in err


def test_status_names_recent_processing_failures(backend: Backend, tmp_path: Path) -> None:
    import sqlalchemy as sa

    from jic.store.database import open_store
    from jic.store.schema import document_stages

    jic(backend, "init")
    note = tmp_path / "note.txt"
    note.write_text("A note\n\nFrom the field.")
    jic(backend, "ingest", str(note))
    store = open_store(backend.settings)
    with store.write() as connection:
        connection.execute(
            document_stages.insert().values(
                document_id=1,
                stage="places",
                version=1,
                state="failed",
                error="ValueError: broken gazetteer",
                updated_at=sa.func.now(),
            )
        )
    store.close()
    code, out, _err = jic(backend, "status")
    assert code == 0 and "document 1 at places: ValueError: broken gazetteer" in out
    data = json.loads(jic(backend, "status", "--json")[1])
    assert data["recent_failures"] == [
        {"document": 1, "stage": "places", "reason": "ValueError: broken gazetteer"}
    ]
