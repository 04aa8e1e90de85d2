"""Situation reports through the API: generate a draft, submit it, approve it as the
chair's officer (a joint product), download it; nobody else may approve it and no
line rests on a document its reader may not see."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import HIDDEN_WORDS, Center

from jic.api.app import create_app

pytestmark = pytest.mark.slow

OFFICERS = {"North": "olga", "South": "sven"}


@pytest.fixture(scope="module")
def client(center: Center) -> Iterator[TestClient]:
    with TestClient(create_app(center.backend.settings, center.store)) as test_client:
        yield test_client


def test_a_sitrep_goes_from_draft_to_joint_product(client: TestClient, center: Center) -> None:
    created = client.post(
        "/api/v1/sitreps",
        json={"since": "2026-11-01T00:00:00Z", "until": "2026-11-30T00:00:00Z"},
        headers=center.headers("ana"),
    )
    assert created.status_code == 201, created.text
    report = created.json()
    assert report["status"] == "draft" and report["member"] == "North"
    assert report["citations"] and center.hidden_id not in report["documents"]
    assert not any(word in str(report) for word in HIDDEN_WORDS)
    path = f"/api/v1/sitreps/{report['id']}"
    early = client.post(f"{path}/approve", headers=center.headers("olga"))
    assert early.status_code in (403, 409)  # not submitted yet (or not the chair)
    submitted = client.post(f"{path}/submit", headers=center.headers("ana"))
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"

    chair = client.get("/api/v1/chair", headers=center.headers("ana")).json()["chair"]
    other = next(name for member, name in OFFICERS.items() if member != chair)
    refused = client.post(f"{path}/approve", headers=center.headers(other))
    assert refused.status_code == 403 and refused.json()["error"]["code"].startswith("JIC-E6")
    analyst = client.post(f"{path}/approve", headers=center.headers("ana"))
    assert analyst.status_code == 403
    approved = client.post(f"{path}/approve", headers=center.headers(OFFICERS[chair]))
    assert approved.status_code == 200, approved.text
    assert approved.json()["joint_product"] is True

    markdown = client.get(f"{path}/markdown", headers=center.headers("ana"))
    assert markdown.status_code == 200 and "JOINT PRODUCT" in markdown.text
    assert markdown.headers["content-type"].startswith("text/markdown")
    page = client.get(f"{path}/html", headers=center.headers("ana"))
    assert page.status_code == 200 and f"TLP:{report['tlp']}" in page.text
    pdf = client.get(f"{path}/pdf", headers=center.headers("ana"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    listed = client.get("/api/v1/sitreps?status=approved", headers=center.headers("ana")).json()
    assert [r["id"] for r in listed["items"]] == [report["id"]]
