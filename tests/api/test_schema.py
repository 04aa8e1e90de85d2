"""The API keeps its OpenAPI promises: schemathesis generates requests for every
operation from /api/v1/openapi.json (a bounded number each) and checks that no answer
is a server error and that every answer matches its declared status, content type,
headers and schema. Run against a processed center with an officer's token, so the
answers carry real entities, events, claims, places and stories.

The schema is one contract whatever the backend, and the other API tests run every
route on both backends; so this one runs on SQLite only, which keeps it near ten
seconds (on PostgreSQL the same run takes two minutes on the reference machine)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.api.conftest import Center, build_center
from tests.conftest import Backend

from jic.api.app import create_app
from jic.api.deps import WriteLimit
from jic.settings import Settings

pytestmark = pytest.mark.slow

EXAMPLES = 15  # per operation: about 25 operations x 15 in well under a minute
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory, stage_settings: Settings) -> Iterator[Center]:
    home = tmp_path_factory.mktemp("schema-center") / "home"
    built = build_center(Backend("sqlite", Settings(home=home)), stage_settings)
    try:
        yield built
    finally:
        built.store.close()


@pytest.fixture(scope="module")
def app(center: Center) -> Iterator[FastAPI]:
    built = create_app(
        center.backend.settings, center.store, write_limit=WriteLimit(per_minute=6000, burst=500)
    )
    with TestClient(built):  # runs the lifespan: the app's store and settings
        yield built


def test_every_operation_keeps_its_schema(app: FastAPI, center: Center) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    headers = center.headers("olga")
    failures: list[str] = []
    operations = 0
    statuses: Counter[int] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            statuses[response.status_code] += 1

        try:
            check()
        except Exception as error:  # one report for every operation that failed
            failures.append(f"{operation.label}: {error}")
    assert operations >= 15 and statuses[200] > operations * 3, statuses
    assert not failures, "\n\n".join(failures)


def test_the_schema_declares_the_envelope_and_the_document_record(app: FastAPI) -> None:
    document = app.openapi()
    components = document["components"]["schemas"]
    assert components["ErrorEnvelope"]["properties"]["error"]
    record = components["DocumentRecord"]
    assert "entities" in record["required"] and record["additionalProperties"] is False
    refs = str(record)
    assert "'$ref': '#/$defs/" not in refs and "'$ref': '#/components/schemas/Export_" in refs
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert "422" not in statuses or "ErrorEnvelope" in str(operation["responses"]["422"]), (
                method,
                path,
            )
            assert "HTTPValidationError" not in str(operation), (method, path)
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):  # every error is the JSON envelope
                    assert list(response["content"]) == ["application/json"], (path, status)
                    assert "ErrorEnvelope" in str(response["content"]), (path, status)
