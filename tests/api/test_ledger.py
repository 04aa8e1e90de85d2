"""The claims ledger through the API: propositions with their grade and its
explanation; an officer sets a grade, an analyst may not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import Center

from jic.api.app import create_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(center: Center) -> Iterator[TestClient]:
    with TestClient(create_app(center.backend.settings, center.store)) as test_client:
        yield test_client


def test_propositions_come_with_their_grade_and_explanation(
    client: TestClient, center: Center
) -> None:
    page = client.get("/api/v1/propositions?limit=100", headers=center.headers("ana")).json()
    assert page["items"], page
    for item in page["items"]:
        assert 1 <= item["grade"]["value"] <= 6 and item["grade"]["explanation"]
        assert item["claims"] and all(c["document_id"] != center.hidden_id for c in item["claims"])
    first = page["items"][0]
    one = client.get(f"/api/v1/propositions/{first['id']}", headers=center.headers("ana"))
    assert one.status_code == 200 and one.json()["text"] == first["text"]


def test_an_officer_grades_and_an_analyst_may_not(client: TestClient, center: Center) -> None:
    page = client.get("/api/v1/propositions", headers=center.headers("olga")).json()
    target = page["items"][0]
    path = f"/api/v1/propositions/{target['id']}/grade"
    refused = client.put(path, json={"grade": 2}, headers=center.headers("ana"))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "JIC-E611"
    graded = client.put(
        path, json={"grade": 2, "note": "two teams"}, headers=center.headers("olga")
    )
    assert graded.status_code == 200, graded.text
    body = graded.json()
    assert body["grade"]["value"] == 2 and "olga" in body["grade"]["explanation"]
    assert body["computed"] == target["computed"]  # the computed grade stays beside it
    assert body["manual"]["note"] == "two teams"
    bad = client.put(path, json={"grade": 9}, headers=center.headers("olga"))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "JIC-E200"
    audit = client.get("/api/v1/audit", headers=center.headers("olga")).json()["items"]
    assert audit[0]["action"] == "proposition.grade"
    cleared = client.put(path, json={"grade": None}, headers=center.headers("olga")).json()
    assert cleared["manual"] is None and cleared["grade"] == cleared["computed"]
