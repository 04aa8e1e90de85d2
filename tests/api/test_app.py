"""The HTTP API and pages over a real store, through FastAPI's TestClient."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.conftest import Backend

from jic.api.app import create_app
from jic.domain import DocumentIn
from jic.interop.export import SCHEMA_VERSION
from jic.settings import Settings
from jic.store import audit
from jic.store import documents as repo
from jic.store import members as member_repo
from jic.store.database import Store
from jic.store.documents import BatchContext, Offer


def add_document(store: Store, text: str, url: str) -> None:
    item = DocumentIn(
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        location=url,
        url=url,
        title=text.split("\n", maxsplit=1)[0],
    )
    with store.read() as connection:
        member = member_repo.get_member(connection, "local")
    with store.write() as connection:
        repo.store_batch(connection, [Offer("item", item)], BatchContext(member, audit.Actor()))


@pytest.fixture
def client(store: Store, backend: Backend, auth: dict[str, str]) -> Iterator[TestClient]:
    text = "Convoy reaches Raqqa\n\nAn aid convoy reached <Raqqa> on Sunday."
    add_document(store, text, "https://example.org/convoy")
    with TestClient(create_app(backend.settings, store), headers=auth) as test_client:
        yield test_client


def test_search_returns_marked_snippets(client: TestClient) -> None:
    response = client.get("/api/v1/search", params={"q": "convoy"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    assert "<mark>convoy</mark>" in body["hits"][0]["snippet"].lower()
    assert "<Raqqa>" not in body["hits"][0]["snippet"]  # user text is escaped


@pytest.mark.parametrize(
    "path,status,code",
    [
        ("/api/v1/documents/999", 404, "JIC-E300"),
        ("/api/v1/search?q=-convoy", 422, "JIC-E210"),
        ("/api/v1/search", 422, "JIC-E200"),
        ("/api/v1/nowhere", 404, "JIC-E300"),
    ],
)
def test_every_error_has_the_same_envelope(
    client: TestClient, path: str, status: int, code: str
) -> None:
    response = client.get(path)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and isinstance(error["details"], list)


def test_pages_render_and_escape(client: TestClient) -> None:
    page = client.get("/", params={"q": "raqqa"})
    assert page.status_code == 200 and "Convoy reaches Raqqa" in page.text
    document = client.get("/documents/1")
    assert "TLP:AMBER" in document.text
    assert "&lt;Raqqa&gt;" in document.text and "<Raqqa>" not in document.text


def test_document_page_links_only_web_addresses(client: TestClient, store: Store) -> None:
    add_document(store, "Trap\n\nA stored script address.", "javascript:alert(document.domain)")
    trap = client.get("/documents/2")
    assert trap.status_code == 200 and "A stored script address." in trap.text
    assert 'href="javascript:' not in trap.text
    assert "javascript:alert(document.domain) (not a web address; not linked)" in trap.text
    page = client.get("/documents/1")
    assert '<a href="https://example.org/convoy" rel="noreferrer noopener">' in page.text


def test_a_foreign_host_name_is_refused(client: TestClient) -> None:
    # DNS rebinding: evil.example resolves to 127.0.0.1, the browser sends its Host.
    assert client.get("/api/v1/health", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    for host in ("127.0.0.1:8765", "localhost", "[::1]:8765"):
        assert client.get("/api/v1/health", headers={"Host": host}).status_code == 200


def test_search_filters_and_facets_through_the_api(client: TestClient) -> None:
    body = client.get("/api/v1/search", params={"q": "convoy tlp:amber", "facets": "true"}).json()
    assert body["total"] == 1
    assert body["facets"]["tlp"] == [{"value": "AMBER", "count": 1}]
    none = client.get("/api/v1/search", params={"q": "convoy tlp:red"}).json()
    assert none["total"] == 0 and none["facets"] is None
    bad = client.get("/api/v1/search", params={"q": "convoy from:soon"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "JIC-E210"


def test_a_document_comes_with_what_processing_found(
    client: TestClient, store: Store, stage_settings: Settings
) -> None:
    from jic.process.pipeline import Pipeline, ProcessOptions

    Pipeline(store, stage_settings, stages=["clean", "language"]).run(ProcessOptions())
    record = client.get("/api/v1/documents/1").json()
    assert record["language"] == "en" and record["schema"] == SCHEMA_VERSION
    assert record["text"].startswith("Convoy reaches Raqqa")
