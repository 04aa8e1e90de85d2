"""Every error, whatever raised it, comes back in the one envelope with its status:
{"error": {"code": "JIC-E...", "message": "...", "details": [...]}}."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import make_token
from tests.conftest import Backend

from jic.api.app import create_app
from jic.api.deps import WriteLimit
from jic.store.database import Store


@pytest.fixture
def client(store: Store, backend: Backend) -> Iterator[TestClient]:
    app = create_app(backend.settings, store, write_limit=WriteLimit(per_minute=6, burst=2))
    with TestClient(app) as test_client:
        yield test_client


def assert_envelope(response: object, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == code and re.fullmatch(r"JIC-E\d{3}", error["code"])
    assert error["message"] and isinstance(error["details"], list)
    return error  # type: ignore[no-any-return]


def test_every_kind_of_error_has_the_envelope(client: TestClient, store: Store) -> None:
    analyst = {"Authorization": f"Bearer {make_token(store, 'ana')}"}
    cases = [
        ("GET", "/api/v1/search?q=x", {}, 401, "JIC-E601"),
        ("GET", "/api/v1/search?q=x", {"Authorization": "Basic abc"}, 401, "JIC-E601"),
        ("GET", "/api/v1/documents/999", analyst, 404, "JIC-E300"),
        ("GET", "/api/v1/stories/999", analyst, 404, "JIC-E300"),
        ("GET", "/api/v1/nowhere", analyst, 404, "JIC-E300"),
        ("GET", "/api/v1/audit", analyst, 403, "JIC-E641"),
        ("GET", "/api/v1/search", analyst, 422, "JIC-E200"),
        ("GET", "/api/v1/entities?limit=0", analyst, 422, "JIC-E200"),
        ("GET", "/api/v1/search?q=-convoy", analyst, 422, "JIC-E210"),
        ("GET", "/api/v1/documents?cursor=xyz", analyst, 422, "JIC-E270"),
        ("GET", "/api/v1/timeline?since=2026-02-01&until=2026-01-01", analyst, 422, "JIC-E250"),
        ("DELETE", "/api/v1/documents/1", analyst, 405, "JIC-E271"),
        ("POST", "/api/v1/documents", analyst, 422, "JIC-E200"),  # no body
    ]
    for method, path, headers, status, code in cases:
        response = client.request(method, path, headers=headers)
        assert_envelope(response, status, code)
    refused = client.get("/api/v1/search?q=x")
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert "GET" in client.delete("/api/v1/documents/1", headers=analyst).headers["Allow"]


def test_writes_are_limited_per_token_with_retry_after(client: TestClient, store: Store) -> None:
    first = {"Authorization": f"Bearer {make_token(store, 'ana')}"}
    second = {"Authorization": f"Bearer {make_token(store, 'bob')}"}
    for n in range(2):
        ok = client.post("/api/v1/documents", json={"text": f"Report {n}."}, headers=first)
        assert ok.status_code == 201
    limited = client.post("/api/v1/documents", json={"text": "Report 2."}, headers=first)
    error = assert_envelope(limited, 429, "JIC-E640")
    assert int(limited.headers["Retry-After"]) >= 1
    assert {"retry_after": int(limited.headers["Retry-After"])} in error["details"]  # type: ignore[operator]
    # Another token has its own allowance, and reads are not limited.
    assert client.post("/api/v1/documents", json={"text": "B."}, headers=second).status_code == 201
    assert client.get("/api/v1/status", headers=first).status_code == 200


def test_the_public_may_read_clear_but_not_write(store: Store, backend: Backend) -> None:
    settings = backend.settings.model_copy(update={"publish_clear": True})
    with TestClient(create_app(settings, store)) as public:
        assert public.get("/api/v1/documents").status_code == 200
        assert_envelope(public.post("/api/v1/documents", json={"text": "x"}), 401, "JIC-E642")
        assert_envelope(public.get("/api/v1/members"), 401, "JIC-E642")


def test_the_token_bucket_refills_over_time() -> None:
    limit = WriteLimit(per_minute=60, burst=1)
    limit.take("t", now=100.0)
    with pytest.raises(Exception, match="too many writes") as raised:
        limit.take("t", now=100.2)
    assert raised.value.retry_after == 1  # type: ignore[attr-defined]
    limit.take("t", now=101.5)  # a second later there is room again


def test_the_write_limit_comes_from_the_settings(backend: Backend) -> None:
    from jic.settings import Settings

    settings = Settings(home=backend.settings.home, api_writes_per_minute=6, api_write_burst=3)
    limit = create_app(settings).state.write_limit
    assert (limit.per_minute, limit.burst) == (6, 3)
    with pytest.raises(ValueError, match="greater than 0"):
        Settings(home=backend.settings.home, api_writes_per_minute=0)
