"""Search facets through the API: the fact facets, and saying when they were sampled."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.conftest import Backend
from tests.process.test_pipeline import fill

from jic.api.app import create_app
from jic.store import facts
from jic.store import search as store_search
from jic.store.database import Store
from jic.store.search import FACT_FACET_SAMPLE


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_fact_facets_say_when_they_counted_a_sample(
    backend: Backend, store: Store, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    many = FACT_FACET_SAMPLE + 30
    fill(store, [f"Convoy {n} reached the camp near Hasakah." for n in range(many)])
    fill(store, ["A quiet day in Basra."], source="other")
    with store.write() as connection:
        ids = list(range(1, many + 2))
        facts.rewrite(
            connection,
            {
                doc: {
                    "entities": [
                        {"id": "ORG:un", "name": "United Nations", "type": "ORG", "aliases": ["UN"]}
                    ],
                    "places": [{"geonames_id": 99347, "name": "Hasakah", "mentions": [[0, 7]]}],
                }
                for doc in ids
            },
        )
    with TestClient(create_app(backend.settings, store)) as client:
        _check(client, auth, many)
        _check_bounded(client, auth, many, monkeypatch)


def _check(client: TestClient, auth: dict[str, str], many: int) -> None:
    broad = client.get("/api/v1/search?q=convoy&facets=true&limit=5", headers=auth).json()
    assert broad["total"] == many
    assert broad["facets_sampled"] == FACT_FACET_SAMPLE
    assert broad["facets"]["entity"] == [{"value": "United Nations", "count": FACT_FACET_SAMPLE}]
    assert broad["facets"]["source"] == [{"value": "wire", "count": many}]  # exact
    narrow = client.get("/api/v1/search?q=basra&facets=true", headers=auth).json()
    assert narrow["total"] == 1 and narrow["facets_sampled"] is None
    assert narrow["facets"]["place"] == [{"value": "Hasakah", "count": 1}]
    by_alias = client.get("/api/v1/search?q=entity:UN%20basra", headers=auth).json()
    assert by_alias["total"] == 1


def _check_bounded(
    client: TestClient, auth: dict[str, str], many: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below the bound a search is exact; past it the total is a lower bound, the page
    is ranked among the newest, and ``exhaustive=true`` counts and ranks every match."""
    exact = client.get("/api/v1/search?q=convoy&limit=5", headers=auth).json()
    assert exact["total_exact"] is True and exact["ranked_within"] is None
    monkeypatch.setattr(store_search, "BOUND", 400)
    monkeypatch.setitem(store_search.RANK_WINDOW, "sqlite", 400)
    bounded = client.get("/api/v1/search?q=convoy&facets=true&limit=5", headers=auth).json()
    assert bounded["total"] == 400 and bounded["total_exact"] is False
    assert bounded["ranked_within"] == 400
    assert bounded["facets"]["source"] == [{"value": "wire", "count": 400}]
    assert bounded["hits"] and all(hit["id"] > many - 400 for hit in bounded["hits"])
    full = client.get("/api/v1/search?q=convoy&exhaustive=true&limit=5", headers=auth).json()
    assert full["total"] == many and full["total_exact"] is True
    assert full["ranked_within"] is None
    listed = client.get("/api/v1/documents?q=convoy&limit=5", headers=auth).json()
    assert listed["total"] == 400 and listed["total_exact"] is False
