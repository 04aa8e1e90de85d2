"""Every export validates against docs/export-schema.json, processed or not."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from tests.conftest import Backend
from typer.testing import CliRunner

from jic.cli import app
from jic.interop.export import DOCUMENT_FIELDS, SCHEMA_VERSION
from jic.settings import Settings

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "export-schema.json").read_text())
runner = CliRunner()


def jic(backend: Backend, *args: str, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(app, [*backend.cli_args(), *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_schema_and_the_code_agree_on_fields_and_version() -> None:
    assert set(SCHEMA["required"]) == set(DOCUMENT_FIELDS)
    assert SCHEMA["properties"]["schema"]["const"] == SCHEMA_VERSION
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.slow
def test_exports_validate_before_and_after_processing(
    backend: Backend, tmp_path: Path, stage_settings: Settings
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Clashes near Mosul\n\nIraqi forces clashed with Islamic State fighters near Mosul on "
        "Saturday, officials told Reuters."
    )
    (folder / "b.jsonl").write_text(
        json.dumps(
            {
                "text": "Талибы заявили о переговорах в Дохе.",
                "published": "2026-11-20T10:00:00Z",
                "url": "https://example.org/ru",
            }
        )
        + "\n"
    )
    jic(backend, "init")
    jic(backend, "ingest", str(folder))
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for line in jic(backend, "export", "documents").splitlines():
        validator.validate(json.loads(line))
    # Process with the shared cache (the gazetteer is built once per test session).
    jic(
        backend,
        "process",
        env={"JIC_HOME": str(stage_settings.home)} if backend.name == "x" else None,
    )
    exported = [json.loads(line) for line in jic(backend, "export", "documents").splitlines()]
    for record in exported:
        validator.validate(record)
    english = next(r for r in exported if r["language"] == "en")
    assert any(e["name"] == "Islamic State" for e in english["entities"])
    for place in english["places"]:
        for mention in place["mentions"]:
            assert english["text"][mention["start"] : mention["end"]] == mention["text"]
    rows = list(csv.DictReader(io.StringIO(jic(backend, "export", "documents", "--format", "csv"))))
    assert [int(r["id"]) for r in rows] == [r["id"] for r in exported]
    assert json.loads(rows[0]["entities"]) == exported[0]["entities"]
