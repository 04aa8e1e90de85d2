"""The pages over a processed center, through FastAPI's TestClient: what each user
sees, and that an AMBER+STRICT document shows nowhere for a member without access."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import sign_in
from tests.web.processed import STRICT_WORD, Processed

from jic.analyse.story_run import stories
from jic.api.app import create_app

pytestmark = pytest.mark.slow


def _client(processed: Processed, name: str) -> Iterator[TestClient]:
    app = create_app(processed.settings, processed.store)
    with TestClient(app, follow_redirects=False) as client:
        client.headers["X-CSRF-Token"] = sign_in(client, name)
        yield client


@pytest.fixture
def alice(processed: Processed) -> Iterator[TestClient]:
    yield from _client(processed, "alice")


@pytest.fixture
def bob(processed: Processed) -> Iterator[TestClient]:
    yield from _client(processed, "bob")


PAGES = ("/", "/stories", "/claims", "/map?days=all", "/timeline?days=all", "/graph?days=all")


def test_every_page_renders_with_its_tlp(alice: TestClient, processed: Processed) -> None:
    for path in (*PAGES, "/center", "/sources", "/audit", "/sitreps", "/search?q=earthquake"):
        answer = alice.get(path)
        assert answer.status_code == 200, (path, answer.text[:500])
        assert 'class="tlp-banner' in answer.text and "TLP:" in answer.text, path
    document = alice.get(f"/documents/{processed.quake}")
    assert "TLP:AMBER" in document.text
    assert 'class="hl hl-place"' in document.text and ">Ankara</mark>" in document.text


def test_search_shows_snippets_and_facets(alice: TestClient) -> None:
    page = alice.get("/search", params={"q": "earthquake"})
    assert "<mark>" in page.text.lower()
    assert "Source" in page.text or "Language" in page.text  # the facets column
    assert "2 document(s) match" in page.text


def test_a_query_the_index_cannot_read_is_explained_beside_the_box(alice: TestClient) -> None:
    page = alice.get("/search", params={"q": "NOT"})
    assert page.status_code == 422 and "JIC-E210" in page.text
    assert 'id="q"' in page.text  # the box is there to fix it


def test_the_owner_sees_its_strict_document(alice: TestClient, processed: Processed) -> None:
    page = alice.get(f"/documents/{processed.strict}")
    assert page.status_code == 200 and "TLP:AMBER+STRICT" in page.text
    assert STRICT_WORD in alice.get("/search", params={"q": STRICT_WORD}).text
    assert STRICT_WORD in alice.get("/").text  # its page is alpha's overview too
    for path in ("/", "/map?days=all", "/graph?days=all", "/timeline?days=all"):
        assert 'data-tlp="AMBER+STRICT"' in alice.get(path).text, path


def test_a_member_without_access_sees_the_strict_document_nowhere(
    bob: TestClient, processed: Processed
) -> None:
    assert bob.get(f"/documents/{processed.strict}").status_code == 404
    (story,) = [v.id for v in stories(processed.store) if processed.strict in v.documents]
    assert bob.get(f"/stories/{story}").status_code == 404
    found = bob.get("/search", params={"q": STRICT_WORD})
    assert "0 document(s) match" in found.text
    for path in (*PAGES, "/search?q=convoy", "/search?q=Norway"):
        text = bob.get(path).text
        for secret in (STRICT_WORD, "Nordlys", "Tromsø", "AMBER+STRICT"):
            assert secret not in text, (path, secret)


def test_an_analyst_cannot_grade_or_read_the_audit_log(bob: TestClient) -> None:
    assert bob.get("/audit").status_code == 403
    assert "Set the grade" not in bob.get("/claims").text


def test_an_officer_grades_a_proposition_and_an_analyst_may_not(
    alice: TestClient, bob: TestClient, processed: Processed
) -> None:
    from jic.analyse import ledger
    from jic.store.visibility import OPERATOR

    with processed.store.read() as connection:
        shared = next(
            p.id for p in ledger.propositions(connection, OPERATOR, limit=50) if "Basra" in p.text
        )
    set_grade = alice.post(f"/claims/{shared}/grade", data={"grade": "2", "note": "seen it"})
    assert set_grade.status_code == 303
    shown = alice.get(set_grade.headers["location"]).text
    assert "2 probably true" in shown and "set by alice" in shown
    assert "set by alice" in bob.get(f"/claims/{shared}").text  # the grade is shared
    refused = bob.post(f"/claims/{shared}/grade", data={"grade": "6"})
    assert refused.status_code == 403
    cleared = alice.post(f"/claims/{shared}/grade", data={"grade": ""})
    assert "set by alice" not in alice.get(cleared.headers["location"]).text
