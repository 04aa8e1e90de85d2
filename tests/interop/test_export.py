"""Every export validates against src/jic/data/export-schema.json, processed or not, and the
claims and events exports obey the sharing policy as the document export does."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from tests.conftest import Backend
from typer.testing import CliRunner

from jic.cli import app
from jic.interop.export import CLAIM_FIELDS, DOCUMENT_FIELDS, EVENT_FIELDS, SCHEMA_VERSION
from jic.settings import Settings

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "src" / "jic" / "data" / "export-schema.json").read_text()
)
runner = CliRunner()

TALKS = (
    "Talks in Doha\n\n"
    "Tarvonian officials said on Monday that the talks in Doha would resume. "
    "\u201cWe are ready. The delegation has arrived,\u201d Foreign Minister Lena Vos told "
    "Kestrel News.\n\n"
    "But the rebel command denied this on Tuesday. Russia, Iran, Iraq and Syria have agreed "
    "to establish a joint information center in Baghdad."
)
CLASHES = (
    "Clashes near Mosul\n\nIraqi forces clashed with Islamic State fighters near Mosul on "
    "Saturday, officials told Reuters."
)


def jic(backend: Backend, *args: str, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(app, [*backend.cli_args(), *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def validator(definition: str | None = None) -> jsonschema.Draft202012Validator:
    schema = SCHEMA if definition is None else {**SCHEMA, "$ref": f"#/$defs/{definition}"}
    if definition is not None:  # the row alone, not a document
        schema = {k: v for k, v in schema.items() if k in ("$schema", "$defs", "$ref")}
    return jsonschema.Draft202012Validator(schema)


def flat_columns(definition: str) -> list[str]:
    """The CSV columns a row definition gives: objects flattened one level."""
    body = SCHEMA["$defs"][definition]
    columns = ["schema", "document", "tlp", "index"]
    for name, spec in body["properties"].items():
        options = [
            SCHEMA["$defs"][o["$ref"].split("/")[-1]] if "$ref" in o else o
            for o in spec.get("oneOf", [spec])
        ]
        inner = next((o for o in options if o.get("type") == "object"), None)
        if inner is None:
            columns.append(name)
        else:
            columns += [f"{name}_{field}" for field in inner["properties"]]
    return columns


def test_the_schema_and_the_code_agree_on_fields_and_version() -> None:
    assert set(SCHEMA["required"]) == set(DOCUMENT_FIELDS)
    assert SCHEMA["properties"]["schema"]["const"] == SCHEMA_VERSION
    assert SCHEMA["$defs"]["claim_row"]["properties"]["schema"]["const"] == SCHEMA_VERSION
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert sorted(CLAIM_FIELDS) == sorted(flat_columns("claim_body"))
    assert sorted(EVENT_FIELDS) == sorted(flat_columns("event_body"))


def test_the_row_schemas_refuse_a_claim_without_its_document() -> None:
    claim = {
        "claimant": None,
        "cue": {"start": 0, "end": 4, "text": "said", "lemma": "say"},
        "stance": "assert",
        "content": {"start": 5, "end": 9, "text": "this"},
        "sentence": {"start": 0, "end": 9, "text": "said this"},
        "channel": None,
        "refers_to": None,
        "claim_time": None,
        "claim_date": None,
    }
    validator("claim").validate(claim)
    row = {"schema": SCHEMA_VERSION, "document": 1, "tlp": "GREEN", "index": 0, **claim}
    validator("claim_row").validate(row)
    with pytest.raises(jsonschema.ValidationError):
        validator("claim_row").validate(claim)
    with pytest.raises(jsonschema.ValidationError):
        validator("claim").validate(row)  # a document's claim carries no row fields
    with pytest.raises(jsonschema.ValidationError):
        validator("claim_row").validate({**row, "stance": "maybe"})


def spans_of(value: Any) -> list[dict[str, Any]]:
    """Every object with start, end and text inside ``value``."""
    if isinstance(value, list):
        return [span for item in value for span in spans_of(item)]
    if not isinstance(value, dict):
        return []
    own = [value] if {"start", "end", "text"} <= value.keys() else []
    return own + [span for item in value.values() for span in spans_of(item)]


@pytest.mark.slow
def test_exports_validate_before_and_after_processing(
    backend: Backend, tmp_path: Path, stage_settings: Settings
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(CLASHES)
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
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "talks.jsonl").write_text(
        json.dumps({"text": TALKS, "published": "2026-11-19T08:00:00Z"}) + "\n"
    )
    jic(backend, "init", "--member", "North", "--member", "South")
    jic(backend, "users", "add", "nadia", "--member", "North", "--role", "analyst")
    jic(backend, "users", "add", "sam", "--member", "South", "--role", "analyst")
    jic(backend, "--as", "nadia", "ingest", str(folder))
    jic(backend, "--as", "sam", "ingest", str(secret), "--tlp", "AMBER+STRICT")
    documents = validator()
    for line in jic(backend, "export", "documents").splitlines():
        documents.validate(json.loads(line))
    assert jic(backend, "export", "claims") == ""  # nothing processed yet
    # the gazetteer index is built once per test session, in the shared cache
    jic(backend, "process", env={"JIC_CACHE_DIR": str(stage_settings.resolved_cache_dir())})

    exported = [json.loads(line) for line in jic(backend, "export", "documents").splitlines()]
    for record in exported:
        documents.validate(record)
        for span in spans_of([record["claims"], record["events"]]):
            assert record["text"][span["start"] : span["end"]] == span["text"]
    clashes = next(r for r in exported if r["text"].startswith("Clashes"))
    talks = next(r for r in exported if r["text"].startswith("Talks"))
    assert any(e["name"] == "Islamic State" for e in clashes["entities"])
    for place in clashes["places"]:
        for mention in place["mentions"]:
            assert clashes["text"][mention["start"] : mention["end"]] == mention["text"]
    fight = next(e for e in clashes["events"] if e["trigger"]["text"] == "clashed")
    assert fight["type"] == "FIGHT" and fight["date"]["date"] is not None
    assert fight["place"] is not None and fight["place"]["text"] == "Mosul"
    assert fight["place"]["geonames_id"] is not None
    assert "IRQ" in {a["country"] for a in fight["sources"]}
    told = next(c for c in clashes["claims"] if c["cue"]["text"] == "told")
    assert told["claimant"]["kind"] == "collective" and told["channel"] is not None
    denial = next(c for c in talks["claims"] if c["stance"] == "deny")
    assert denial["refers_to"] is not None and denial["claim_date"] == "2026-11-17"
    agree = next(e for e in talks["events"] if e["type"] == "AGREE")
    assert {a["country"] for a in agree["sources"]} == {"RUS", "IRN", "IRQ", "SYR"}
    assert agree["place"]["text"] == "Baghdad"

    rows = list(csv.DictReader(io.StringIO(jic(backend, "export", "documents", "--format", "csv"))))
    assert [int(r["id"]) for r in rows] == [r["id"] for r in exported]
    assert json.loads(rows[0]["entities"]) == exported[0]["entities"]

    for what, definition in (("claims", "claim_row"), ("events", "event_row")):
        lines = jic(backend, "export", what).splitlines()
        expected = [(r["id"], i, item) for r in exported for i, item in enumerate(r[what])]
        assert len(lines) == len(expected) > 0
        for line, (document, index, item) in zip(lines, expected, strict=True):
            row = json.loads(line)
            validator(definition).validate(row)
            assert (row["document"], row["index"]) == (document, index)
            assert {
                k: v for k, v in row.items() if k not in ("schema", "document", "tlp", "index")
            } == item
        table = list(csv.DictReader(io.StringIO(jic(backend, "export", what, "--format", "csv"))))
        assert len(table) == len(lines)
        assert list(table[0]) == list(CLAIM_FIELDS if what == "claims" else EVENT_FIELDS)

    # nadia (North) may not see South's AMBER+STRICT talks: none of their claims or events
    for what in ("claims", "events"):
        seen = {
            json.loads(line)["document"]
            for line in jic(backend, "--as", "nadia", "export", what).splitlines()
        }
        assert seen == {clashes["id"]}
        seen = {
            json.loads(line)["document"]
            for line in jic(backend, "--as", "sam", "export", what).splitlines()
        }
        assert talks["id"] in seen
    entries = [json.loads(line) for line in jic(backend, "audit", "show", "--json").splitlines()]
    exports = [e for e in entries if e["action"] == "export.claims"]
    assert any(e["user"] == "nadia" and e["detail"]["claims"] >= 1 for e in exports)
