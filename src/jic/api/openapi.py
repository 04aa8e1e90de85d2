"""The OpenAPI document: FastAPI's, plus the document record from the export schema.

``GET /api/v1/documents/{id}`` answers with exactly what ``jic export documents``
writes, so its schema is the export schema (jic/data/export-schema.json, JSON Schema
2020-12, which OpenAPI 3.1 speaks): its ``$defs`` become components named
``Export_<name>`` and the record itself ``DocumentRecord``. A test validates real
answers against it, as the export tests validate real exports.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

RECORD = "DocumentRecord"
EXPORT_SCHEMA = Path(__file__).resolve().parents[1] / "data" / "export-schema.json"

DOCUMENT_RECORD: dict[str, Any] = {
    "description": "The document and what processing found in it (the export record)",
    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{RECORD}"}}},
}


def _rewrite(node: Any) -> Any:
    """The schema with ``#/$defs/x`` references pointing at the components."""
    if isinstance(node, dict):
        return {
            key: (
                value.replace("#/$defs/", "#/components/schemas/Export_")
                if key == "$ref" and isinstance(value, str)
                else _rewrite(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite(value) for value in node]
    return node


@cache
def export_components() -> dict[str, Any]:
    """The export schema (package data, so installed wheels carry it too) as OpenAPI
    components."""
    schema = json.loads(EXPORT_SCHEMA.read_text(encoding="utf-8"))
    definitions = schema.pop("$defs", {})
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    found = {f"Export_{name}": _rewrite(body) for name, body in definitions.items()}
    found[RECORD] = _rewrite(schema)
    return found


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` include the export schema's components."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            document.setdefault("components", {}).setdefault("schemas", {}).update(
                export_components()
            )
            document["components"]["securitySchemes"] = {
                "bearer": {"type": "http", "scheme": "bearer"}
            }
            document["security"] = [{"bearer": []}]
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]
