"""Full-text search on both backends: ranking, snippets, the query language."""

from __future__ import annotations

import hashlib

import pytest

from jic.domain import DocumentIn
from jic.errors import QueryError
from jic.store import audit
from jic.store import documents as repo
from jic.store import members as member_repo
from jic.store.database import Store
from jic.store.documents import BatchContext, Offer
from jic.store.search import MARK_END, MARK_START, search

CORPUS = {
    "oil": "Oil prices rose on Monday\n\nOil prices rose sharply as producers cut output.",
    "gas": "Gas exports resume\n\nGas exports through the pipeline resumed after repairs.",
    "both": "Energy markets\n\nTraders watched oil and gas prices as winter approached.",
    "price": "Bread price protests\n\nProtesters marched over the price of bread in the capital.",
}


@pytest.fixture
def filled(store: Store) -> Store:
    with store.read() as connection:
        member = member_repo.get_member(connection, "local")
    offers = [
        Offer(
            key,
            DocumentIn(
                text=text,
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                location=f"file:///{key}",
                title=text.split("\n")[0],
            ),
        )
        for key, text in CORPUS.items()
    ]
    with store.write() as connection:
        repo.store_batch(connection, offers, BatchContext(member=member, actor=audit.Actor()))
    return store


def titles(store: Store, query: str) -> list[str]:
    with store.read() as connection:
        return [hit.title or "" for hit in search(connection, query).hits]


def test_words_are_all_required_and_stemmed(filled: Store) -> None:
    # "prices" matches "price" and "prices": both backends stem English.
    assert set(titles(filled, "oil prices")) == {"Oil prices rose on Monday", "Energy markets"}


def test_title_matches_rank_first(filled: Store) -> None:
    assert titles(filled, "oil")[0] == "Oil prices rose on Monday"


def test_phrase_or_and_not(filled: Store) -> None:
    assert titles(filled, '"gas exports"') == ["Gas exports resume"]
    assert set(titles(filled, "bread OR pipeline")) == {
        "Bread price protests",
        "Gas exports resume",
    }
    assert set(titles(filled, "price -oil")) == {"Bread price protests"}
    assert set(titles(filled, "prices NOT (oil OR bread)")) == set()


def test_snippets_mark_the_matches(filled: Store) -> None:
    with filled.read() as connection:
        result = search(connection, "pipeline")
    assert result.total == 1
    assert f"{MARK_START}pipeline{MARK_END}" in result.hits[0].snippet


def test_total_counts_all_matches_beyond_the_page(filled: Store) -> None:
    with filled.read() as connection:
        result = search(connection, "prices", limit=1)
    assert result.total == 3
    assert len(result.hits) == 1


@pytest.mark.parametrize("query", ['"unclosed phrase', "NEAR(", "a:b", "*", "AND", "oil)"])
def test_odd_queries_never_reach_the_index_as_syntax(filled: Store, query: str) -> None:
    with filled.read() as connection:
        try:
            search(connection, query)
        except QueryError as error:
            assert error.hint


@pytest.mark.parametrize("query", ["", "   ", "-oil", "NOT gas"])
def test_queries_with_nothing_to_find_are_refused(filled: Store, query: str) -> None:
    with filled.read() as connection, pytest.raises(QueryError):
        search(connection, query)
