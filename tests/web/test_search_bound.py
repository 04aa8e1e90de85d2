"""The search page says when a total is a lower bound and the hits the best of the
newest matches only (a bounded search), and shows exact totals as they are."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import put, sign_in

from jic.domain import TLP
from jic.store import search as store_search
from jic.store.database import Store


def test_a_bounded_total_shows_as_a_lower_bound(
    center: Store, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(7):
        put(center, f"Convoy report {n}\n\nThe convoy reached the camp.", tlp=TLP.GREEN)
    sign_in(client, "bob")
    exact = client.get("/search", params={"q": "convoy"})
    assert "7 document(s) match" in exact.text and "newest" not in exact.text
    monkeypatch.setattr(store_search, "BOUND", 5)
    bounded = client.get("/search", params={"q": "convoy"})
    assert bounded.status_code == 200
    assert "5+ document(s) match" in bounded.text
    assert "The best of the newest 5 matches" in bounded.text
