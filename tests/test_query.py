"""The query language: what users type, what the index is asked."""

from __future__ import annotations

import pytest

from jic import query as q
from jic.errors import QueryError


@pytest.mark.parametrize(
    "text,expected",
    [
        ("oil", q.Term("oil")),
        ("oil prices", q.And((q.Term("oil"), q.Term("prices")))),
        ('"oil prices"', q.Phrase("oil prices")),
        ("oil OR gas", q.Or((q.Term("oil"), q.Term("gas")))),
        ("oil -gas", q.And((q.Term("oil"), q.Not(q.Term("gas"))))),
        ("oil AND NOT gas", q.And((q.Term("oil"), q.Not(q.Term("gas"))))),
        ("(oil OR gas) Basra", q.And((q.Or((q.Term("oil"), q.Term("gas"))), q.Term("Basra")))),
        ("war or peace", q.And((q.Term("war"), q.Term("or"), q.Term("peace")))),
        ("al-Assad", q.Term("al-Assad")),
        ('"unclosed phrase', q.Phrase("unclosed phrase")),
    ],
)
def test_parse(text: str, expected: q.Node) -> None:
    assert q.parse(text) == expected


@pytest.mark.parametrize(
    "text", ["", "  ", "-oil", "NOT oil", "oil OR -gas", "(oil", "oil)", "x" * 1001]
)
def test_unusable_queries_explain_themselves(text: str) -> None:
    with pytest.raises(QueryError) as caught:
        q.parse(text)
    assert caught.value.hint


def test_fts5_quotes_every_word_so_syntax_cannot_leak() -> None:
    assert q.to_fts5(q.parse('NEAR(a b) "x" y*')) == '("NEAR" AND ("a" AND "b") AND "x" AND "y*")'
    compiled = q.to_fts5(q.parse('oil -"gas field" OR coal'))
    assert compiled == '((("oil") NOT "gas field") OR "coal")'
    assert q.to_fts5(q.parse('say "hi""')) == '("say" AND "hi")'


@pytest.mark.parametrize(
    "text,message",
    [
        ("oil (gas OR -coal)", "NOT cannot be one side of an OR"),
        ("oil NOT (gas OR -coal)", "NOT cannot be one side of an OR"),
        ("oil (-gas -coal)", "part of the query only excludes words"),
        ("oil NOT NOT gas", "part of the query only excludes words"),
    ],
)
def test_exclusions_sqlite_cannot_answer_are_refused_on_every_backend(
    text: str, message: str
) -> None:
    with pytest.raises(QueryError) as caught:
        q.parse(text)
    assert caught.value.message == message and caught.value.hint


@pytest.mark.parametrize("text", ["(oil -coal) OR gas", "oil NOT (gas OR coal)", "a (b -c)"])
def test_exclusions_inside_a_positive_part_are_fine(text: str) -> None:
    q.to_fts5(q.parse(text))


def test_entity_and_place_filters_are_taken_out_of_the_words() -> None:
    words, filters = q.split_filters(
        'ceasefire entity:Peskov entity:"Islamic State" place:Baghdad place:gn:98182 lang:en'
    )
    assert words == "ceasefire"
    assert filters.entities == ("Peskov", "Islamic State")
    assert filters.places == ("Baghdad", "gn:98182")
    assert filters.languages == ("en",) and not filters.empty


@pytest.mark.parametrize("text", ['entity:""', 'place:"  "'])
def test_an_entity_or_place_filter_needs_a_value(text: str) -> None:
    with pytest.raises(QueryError) as caught:
        q.split_filters(text)
    assert caught.value.hint
