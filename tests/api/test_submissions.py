"""Members' submissions over POST /api/v1/documents."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.conftest import Backend

from jic.api.app import create_app
from jic.store import documents as repo
from jic.store.database import Store


@pytest.fixture
def client(store: Store, backend: Backend, auth: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(backend.settings, store), headers=auth) as test_client:
        yield test_client


def test_one_submission_is_stored_with_its_note_and_tlp(client: TestClient, store: Store) -> None:
    response = client.post(
        "/api/v1/documents",
        json={
            "text": "Field note\n\nThe bridge at Qayyarah is open.",
            "tlp": "AMBER+STRICT",
            "note": "seen by our team",
            "published": "2026-11-28T09:00:00",
        },
    )
    assert response.status_code == 201
    outcome = response.json()["outcomes"][0]
    assert outcome["status"] == "stored"
    with store.read() as connection:
        document = repo.get(connection, outcome["id"])
    assert document.tlp.value == "AMBER+STRICT"
    assert document.meta["note"] == "seen by our team"
    assert document.published is not None and document.published.tzinfo is not None


def test_a_batch_reports_one_outcome_per_item_and_is_idempotent(client: TestClient) -> None:
    batch = {
        "documents": [
            {"text": "First report."},
            {"html": "<p>" + "Second report. " * 30 + "</p>"},
            {"text": "First report."},
        ]
    }
    first = client.post("/api/v1/documents", json=batch).json()["outcomes"]
    assert [o["status"] for o in first] == ["stored", "stored", "unchanged"]
    again = client.post("/api/v1/documents", json=batch).json()["outcomes"]
    assert [o["status"] for o in again] == ["unchanged", "unchanged", "unchanged"]


@pytest.mark.parametrize(
    "body",
    [{}, {"text": "   "}, {"documents": []}, {"text": "x", "tlp": "PURPLE"}, {"text": 5}, []],
)
def test_bad_submissions_get_the_error_envelope(client: TestClient, body: object) -> None:
    response = client.post("/api/v1/documents", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "JIC-E200"
