"""The read API over a processed center: what processing found comes back through
every view, pages follow their cursors, reads carry ETags, and a member never sees
another member's AMBER+STRICT report through any route."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import HIDDEN_WORDS, Center

from jic.api.app import create_app

pytestmark = pytest.mark.slow

# Every read that lists or derives from documents, with the parameters that make it
# cover the most; a route added later belongs here too.
READS = [
    "/api/v1/status",
    "/api/v1/documents?limit=100",
    "/api/v1/search?q=forces&facets=true",
    "/api/v1/search?q=convoy",
    "/api/v1/stories?limit=100",
    "/api/v1/entities?limit=100",
    "/api/v1/events?limit=100",
    "/api/v1/claims?limit=100",
    "/api/v1/places",
    "/api/v1/timeline",
    "/api/v1/graph",
    "/api/v1/propositions?limit=100",
    "/api/v1/sources/track-records",
    "/api/v1/places?q=convoy",
    "/api/v1/timeline?place=Kirkuk",
    "/api/v1/entities?place=Kirkuk",
]


@pytest.fixture(scope="module")
def client(center: Center) -> Iterator[TestClient]:
    with TestClient(create_app(center.backend.settings, center.store)) as test_client:
        yield test_client


def read(client: TestClient, center: Center, user: str, path: str) -> dict:  # type: ignore[type-arg]
    response = client.get(path, headers=center.headers(user))
    assert response.status_code == 200, (path, response.text)
    return response.json()  # type: ignore[no-any-return]


def test_each_view_shows_what_processing_found(client: TestClient, center: Center) -> None:
    entities = read(client, center, "ana", "/api/v1/entities?limit=100")["items"]
    assert "Islamic State" in {e["name"] for e in entities}
    events = read(client, center, "ana", "/api/v1/events?limit=100")["items"]
    fight = next(e for e in events if e["trigger"] == "clashed")
    assert fight["type"] == "FIGHT" and "clashed" in fight["sentence"]
    claims = read(client, center, "ana", "/api/v1/claims?limit=100")["items"]
    assert "deny" in {c["stance"] for c in claims}
    geo = read(client, center, "ana", "/api/v1/places")
    assert geo["type"] == "FeatureCollection"
    mosul = next(f for f in geo["features"] if f["properties"]["name"] == "Mosul")
    lon, lat = mosul["geometry"]["coordinates"]
    assert 43 < lon < 44 and 36 < lat < 37  # GeoJSON order: longitude first
    timeline = read(client, center, "ana", "/api/v1/timeline?bucket=week")
    assert timeline["totals"]["document"] == 3 and timeline["totals"]["event"] >= 2
    graph = read(client, center, "ana", "/api/v1/graph")
    assert {"Islamic State"} <= {n["name"] for n in graph["nodes"]}
    assert read(client, center, "ana", "/api/v1/stories")["items"]


def test_a_member_never_sees_another_members_strict_report(
    client: TestClient, center: Center
) -> None:
    for path in READS:
        body = read(client, center, "ana", path)
        dump = str(body)
        assert not any(word in dump for word in HIDDEN_WORDS), path
    assert (
        client.get(
            f"/api/v1/documents/{center.hidden_id}", headers=center.headers("ana")
        ).status_code
        == 404
    )
    # The owner's analyst does see it: the test above can fail.
    seen = str([read(client, center, "sam", path) for path in READS])
    assert all(word in seen for word in HIDDEN_WORDS)


def test_pages_follow_their_cursors_to_the_end(client: TestClient, center: Center) -> None:
    everything = read(client, center, "ana", "/api/v1/entities?limit=100")["items"]
    assert len(everything) > 3
    seen: list[str] = []
    path = "/api/v1/entities?limit=2"
    while True:
        page = read(client, center, "ana", path)
        seen += [e["key"] for e in page["items"]]
        if page["next"] is None:
            break
        path = f"/api/v1/entities?limit=2&cursor={page['next']}"
    assert seen == [e["key"] for e in everything]
    documents = read(client, center, "ana", "/api/v1/documents?limit=2")
    assert documents["total"] == 3 and len(documents["items"]) == 2
    rest = read(client, center, "ana", f"/api/v1/documents?limit=2&cursor={documents['next']}")
    assert rest["next"] is None and len(rest["items"]) == 1
    published = [d["published"] for d in documents["items"] + rest["items"]]
    assert published == sorted(published, reverse=True)  # newest first


def test_a_cursor_belongs_to_its_list_and_filters(client: TestClient, center: Center) -> None:
    first = read(client, center, "ana", "/api/v1/entities?limit=1")
    for path in (
        f"/api/v1/events?limit=1&cursor={first['next']}",
        f"/api/v1/entities?limit=1&place=Mosul&cursor={first['next']}",
        "/api/v1/entities?cursor=not-a-cursor",
        "/api/v1/entities?cursor=eyJvIjogLTF9",  # {"o": -1}
    ):
        response = client.get(path, headers=center.headers("ana"))
        assert response.status_code == 422, path
        assert response.json()["error"]["code"] == "JIC-E270"


def test_reads_carry_an_etag_and_answer_304_when_unchanged(
    client: TestClient, center: Center
) -> None:
    headers = center.headers("ana")
    first = client.get("/api/v1/entities", headers=headers)
    tag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = client.get("/api/v1/entities", headers={**headers, "If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == tag
    other = client.get("/api/v1/entities", headers={**headers, "If-None-Match": '"stale"'})
    assert other.status_code == 200
    # What another reader sees is another answer, with another tag.
    theirs = client.get("/api/v1/entities", headers=center.headers("sam"))
    assert theirs.headers["ETag"] != tag
