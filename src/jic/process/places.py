"""Toponyms in a document → places (GeoNames-style records), and demonyms → countries.

    find_toponyms(text)            detect: spaCy NER (GPE, LOC, FAC; NORP for demonyms;
        │                          ORG, PERSON named like a country or province;
        │                          countries and demonyms inside ORG names or
        │                          missed by NER; towns in datelines)
        │                          or, without an English model, a gazetteer scan
        ▼                          (Arabic, Persian, Russian names)
    resolve(mentions, context)     choose one gazetteer record per mention
        │
        ▼
    Place(name, geonames_id, lat, lon, country, admin1, feature_class, mentions)

Resolution scores each candidate record by a prior (population, feature type: a
country name means the country, a capital beats a village) plus what the rest of the
document says: countries and provinces the other mentions point to, "Paris, Texas"
style qualifiers, and nearness to the other places. The same name means the same place
throughout one document. Names the gazetteer does not know (streets, buildings, small
neighbourhoods) are placed, flagged ``approximate``, at the place named nearest to
them in the text that is finer than a country, else at the document's focus (the place
it names most): that is where such local features usually are.

Demonyms and country adjectives ("Iraqi", "Russian") are linked to their country and
kept apart from places: "Russian strikes" does not put a pin in Russia.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from jic.process.gazetteer import (
    ADMIN1,
    CAPITAL,
    CONTINENT,
    COUNTRY,
    Gazetteer,
    GazetteerRecord,
    distance_km,
    normalise_name,
)

PLACE_LABELS = ("GPE", "LOC", "FAC")
DEMONYM_LABELS = ("NORP", "GPE")
# NER labels under which a country's or province's own name is still read as a place.
RESCUED_LABELS = ("ORG", "PERSON")

# Words that name the kind of place rather than the place: "Afrin District" is near
# Afrin, "Mosul Airport" near Mosul.
GENERIC_WORDS = frozenset(
    [
        "district",
        "province",
        "governorate",
        "county",
        "city",
        "state",
        "region",
        "oblast",
        "prefecture",
        "municipality",
        "river",
        "valley",
        "lake",
        "airport",
        "international",
        "university",
        "port",
        "airbase",
        "base",
        "camp",
        "mountains",
        "mountain",
        "hills",
        "island",
        "islands",
        "bay",
        "coast",
        "village",
        "town",
        "square",
        "street",
        "road",
    ]
)
_LEADING_GENERIC = re.compile(
    r"^(?:city|province|state|university|port|town|county|republic|kingdom|emirate) of ", re.I
)
# Capitalised words that start many names without naming a place ("Bank of England").
_NOT_INNER = frozenset(
    [
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "upper",
        "lower",
        "new",
        "great",
        "united",
        "national",
        "federal",
        "republic",
        "bank",
        "metro",
        "royal",
        "city",
        "state",
        "old",
        "saint",
        "st",
    ]
)
_POSSESSIVE = re.compile(r"['’]s?$")


@dataclass(frozen=True, slots=True)
class Mention:
    """A toponym as written: its text, character offsets and NER label if any."""

    text: str
    start: int
    end: int
    label: str = ""


@dataclass(slots=True)
class Place:
    """A resolved place and where the document mentions it.

    ``approximate`` is True when the gazetteer did not know the name itself and the
    place stands for where it must be (its document's focus, or the town in
    "Mosul Airport").
    """

    name: str
    geonames_id: int | None
    lat: float
    lon: float
    country: str
    admin1: str
    feature_class: str
    mentions: list[tuple[int, int]] = field(default_factory=list)
    feature_code: str = ""
    approximate: bool = False


@dataclass(frozen=True, slots=True)
class DemonymLink:
    """A demonym or adjective ("Iraqi") and the country (or region) it refers to."""

    text: str
    start: int
    end: int
    country: str
    place: Place


@dataclass(slots=True)
class Toponyms:
    """What :meth:`Geocoder.find_toponyms` found in one text."""

    places: list[Place]
    demonyms: list[DemonymLink]
    mentions: list[Mention]


@dataclass(frozen=True, slots=True)
class GeocoderOptions:
    """Weights of the resolution score (tuned on the "tune" half of the evaluation
    sets, see bench/geocoding.py) and switches."""

    population: float = 1.0
    own_name: float = 0.0
    country: float = 4.0
    admin1: float = 3.0
    continent: float = 6.0
    feature: float = 8.0
    capital: float = 2.0
    country_context: float = 2.5
    admin_context: float = 0.0
    near_context: float = 2.0
    qualifier: float = 10.0
    near_km: float = 300.0
    # A town smaller than this, in a country nothing else in the document points to,
    # is read as an unknown local name (0 turns the rule off): see _drop_remote_towns.
    remote_population: int = 5000
    fallback_to_focus: bool = True


class SpacyEntity(Protocol):
    text: str
    start_char: int
    end_char: int
    label_: str


@dataclass(slots=True)
class _Candidate:
    record: GazetteerRecord
    own_name: bool
    demonym: bool = False
    partial: bool = False


@dataclass(slots=True)
class _Group:
    """All mentions of one name in a document: resolved together."""

    key: str
    text: str
    mentions: list[Mention]
    candidates: list[_Candidate]
    chosen: _Candidate | None = None


class Geocoder:
    """Resolves toponyms against a :class:`Gazetteer`.

    ``nlp`` is an optional loaded spaCy pipeline with NER, used by
    :meth:`find_toponyms` when it is not given a parsed document.
    """

    def __init__(
        self, gazetteer: Gazetteer, *, nlp: Any = None, options: GeocoderOptions | None = None
    ) -> None:
        self.gazetteer = gazetteer
        self.nlp = nlp
        self.options = options or GeocoderOptions()

    # -- candidates -------------------------------------------------------------------

    def candidates(self, text: str) -> list[_Candidate]:
        """Records a mention's text may denote, most literal reading first."""
        name = _POSSESSIVE.sub("", text.strip()) if text.strip().endswith(("'s", "’s")) else text
        record = self.gazetteer.demonym(name)
        if record is not None:
            return [_Candidate(record, own_name=True, demonym=True)]
        found = [_Candidate(rec, own) for rec, own in self.gazetteer.lookup(name)]
        if found:
            return _towns_before_their_provinces(found)
        for shorter in _shorter_names(name):
            found = [
                _Candidate(rec, own, partial=True) for rec, own in self.gazetteer.lookup(shorter)
            ]
            if found:
                return found
        return self._embedded(name)

    def _embedded(self, name: str) -> list[_Candidate]:
        """A prominent place named inside an unknown name: "Bank of England" → England,
        "US Federal Reserve" → United States. Longest inner name first."""
        words = name.split()
        for size in range(len(words) - 1, 0, -1):
            for first in range(len(words) - size + 1):
                inner = " ".join(words[first : first + size])
                if not inner[:1].isupper() or inner.casefold() in _NOT_INNER | GENERIC_WORDS:
                    continue
                record = self.gazetteer.demonym(inner)
                if record is not None:
                    return [_Candidate(record, own_name=True, demonym=True, partial=True)]
                found = [
                    _Candidate(rec, own, partial=True)
                    for rec, own in self.gazetteer.lookup(inner)
                    if own and (rec.feature_class != "P" or rec.population >= 100_000)
                ]
                if found:
                    return found
        return []

    # -- resolution -------------------------------------------------------------------

    def resolve(
        self, mentions: Sequence[Mention], context: str | None = None
    ) -> list[Place | None]:
        """One place per mention (None when nothing fits and there is no focus).

        ``context`` is the document's text; when given, "X, Y" qualifiers are read from
        it and the countries it names count as evidence even where they are not among
        ``mentions``.
        """
        groups = self._groups(mentions)
        for mention in mentions:
            if context and _is_dateline(mention, context):
                _prefer_towns(groups[normalise_name(mention.text)])
        extra = self._text_countries(context) if context else Counter()
        qualifiers = _qualifiers(mentions, context) if context else {}
        for key in list(qualifiers):
            if any(_is_country_name(c) for c in groups[key].candidates):
                del qualifiers[key]  # "China, Japan" is a list, not China in Japan
        for group in groups.values():
            group.chosen = max(group.candidates, key=self._prior, default=None)
        self._drop_foreign_parts(groups, extra)
        self._drop_remote_towns(groups, extra)
        for _ in range(2):
            for group in groups.values():
                if len(group.candidates) > 1:
                    evidence = self._evidence(groups, group.key, extra)
                    qualifier = [groups[k] for k in qualifiers.get(group.key, ())]
                    group.chosen = max(
                        group.candidates, key=lambda c: self._score(c, evidence, qualifier)
                    )
        focus = self._focus(groups) if self.options.fallback_to_focus else None
        by_key = {}
        for key, group in groups.items():
            fallback = (_nearest_local(group, groups) or focus) if focus is not None else None
            by_key[key] = self._place(group, fallback)
        results: list[Place | None] = []
        for mention in mentions:
            place = by_key.get(normalise_name(mention.text))
            if place is not None:
                place = _copy(place, [(mention.start, mention.end)])
            results.append(place)
        return results

    def _drop_foreign_parts(self, groups: dict[str, _Group], extra: Counter[str]) -> None:
        """A place read from part of a longer name ("Midlands" in "West Midlands") counts
        only in a country the document is about; otherwise the name is treated as unknown
        (and placed near the places around it)."""
        countries = set(extra)
        for group in groups.values():
            if group.chosen is not None and not group.chosen.partial:
                countries.add(group.chosen.record.country)
        countries.discard("")
        if not countries:
            return
        for group in groups.values():
            if not group.candidates or not all(c.partial for c in group.candidates):
                continue
            group.candidates = [
                c
                for c in group.candidates
                if c.record.feature_code in (COUNTRY, CONTINENT)
                or c.record.country in countries
                or not c.record.country
            ]
            group.chosen = max(group.candidates, key=self._prior, default=None)

    def _drop_remote_towns(self, groups: dict[str, _Group], extra: Counter[str]) -> None:
        """A small town in a country that nothing else in the document points to is more
        likely a street, building or village the gazetteer does not know than that town:
        "Piccadilly" in a London story is not a hamlet in Western Australia. Such a name
        is treated as unknown, and so placed near the places around it."""
        limit = self.options.remote_population
        if limit <= 0:
            return
        country_of = {
            key: group.chosen.record.country
            for key, group in groups.items()
            if group.chosen is not None and not group.chosen.partial
        }
        for key, group in groups.items():
            countries = set(extra) | {c for k, c in country_of.items() if k != key}
            countries.discard("")
            if (
                countries
                and group.candidates
                and all(_remote(c.record, countries, limit) for c in group.candidates)
            ):
                group.candidates, group.chosen = [], None

    def _groups(self, mentions: Sequence[Mention]) -> dict[str, _Group]:
        groups: dict[str, _Group] = {}
        for mention in mentions:
            key = normalise_name(mention.text)
            if key not in groups:
                groups[key] = _Group(key, mention.text, [], self.candidates(mention.text))
            groups[key].mentions.append(mention)
        return groups

    def _prior(self, candidate: _Candidate) -> float:
        """How likely a record is before looking at the rest of the document."""
        opts, record = self.options, candidate.record
        score = opts.population * math.log10(record.population + 10)
        if candidate.own_name:
            score += opts.own_name
        code = record.feature_code
        if code == COUNTRY:
            score += opts.country
        elif code == ADMIN1:
            score += opts.admin1
        elif code == CONTINENT:
            score += opts.continent
        elif record.feature_class in "HLT" and record.geonames_id == 0:
            score += opts.feature  # our curated seas, rivers and regions
        elif code == CAPITAL:
            score += opts.capital
        if candidate.partial:
            score -= opts.own_name
        return score

    def _score(self, candidate: _Candidate, evidence: _Evidence, qualifiers: list[_Group]) -> float:
        opts, record = self.options, candidate.record
        score = self._prior(candidate)
        if record.country:
            score += opts.country_context * math.log1p(evidence.countries[record.country])
        if record.admin1:
            key = (record.country, record.admin1)
            score += opts.admin_context * math.log1p(evidence.admins[key])
        if record.feature_code not in (COUNTRY, CONTINENT) and evidence.points:
            nearest = min(distance_km(record.lat, record.lon, la, lo) for la, lo in evidence.points)
            score += opts.near_context * max(0.0, 1.0 - nearest / opts.near_km)
        for group in qualifiers:
            other = group.chosen.record if group.chosen else None
            if other is not None and _inside(record, other):
                score += opts.qualifier
        return score

    def _evidence(self, groups: dict[str, _Group], skip: str, extra: Counter[str]) -> _Evidence:
        """What the other names of the document point to (each name counted once)."""
        evidence = _Evidence(Counter(extra), Counter(), [])
        for key, group in groups.items():
            if key == skip or group.chosen is None:
                continue
            record = group.chosen.record
            if record.country:
                evidence.countries[record.country] += 1
            if record.admin1:
                evidence.admins[(record.country, record.admin1)] += 1
            if record.feature_code not in (COUNTRY, CONTINENT) and not group.chosen.partial:
                evidence.points.append((record.lat, record.lon))
        return evidence

    def _text_countries(self, text: str) -> Counter[str]:
        """Countries named anywhere in the text, by name or demonym (cheap word scan)."""
        found: Counter[str] = Counter()
        for word in set(re.findall(r"\b[A-Z][\w’'-]+(?: [A-Z][\w-]+)?", text)):
            record = self.gazetteer.demonym(word)
            if record is None:
                hits = self.gazetteer.lookup(word)
                record = next((r for r, own in hits if own and r.feature_code == COUNTRY), None)
            if record is not None and record.country:
                found[record.country] += 1
        return found

    def _focus(self, groups: dict[str, _Group]) -> GazetteerRecord | None:
        """The place the document is about: its most-mentioned resolved place, the
        most precise kind first (a town before its province before its country)."""
        precision = {COUNTRY: 1.0, CONTINENT: 0.5, ADMIN1: 1.5}
        best: tuple[float, float] | None = None
        chosen: GazetteerRecord | None = None
        for group in groups.values():
            if group.chosen is None or group.chosen.demonym or group.chosen.partial:
                continue
            record = group.chosen.record
            weight = precision.get(record.feature_code, 2.0 if record.feature_class == "P" else 1.0)
            key = (len(group.mentions) * weight, float(record.population))
            if best is None or key > best:
                best, chosen = key, record
        return chosen

    def _place(self, group: _Group, fallback: GazetteerRecord | None) -> Place | None:
        if group.chosen is not None:
            return _to_place(group.chosen.record, approximate=group.chosen.partial)
        if fallback is None:
            return None
        place = _to_place(fallback, approximate=True)
        place.name, place.geonames_id = group.text, None
        return place

    # -- detection --------------------------------------------------------------------

    def find_toponyms(self, text: str, spacy_doc: Any = None) -> Toponyms:
        """Toponyms and demonyms in a text, resolved.

        Uses ``spacy_doc`` (or the geocoder's ``nlp``) for English; with neither, or
        for texts in other scripts, scans the text against the gazetteer.
        """
        doc = spacy_doc
        if doc is None and self.nlp is not None and _mostly_latin(text):
            doc = self.nlp(text)
        if doc is not None:
            mentions, demonyms = self._from_entities(doc.ents)
            taken = [(m.start, m.end) for m in (*mentions, *demonyms)]
            datelines = [m for m in self._datelines(text) if not _overlaps(m, taken)]
            mentions += datelines
            taken += [(e.start_char, e.end_char) for e in doc.ents]
            taken += [(m.start, m.end) for m in datelines]
            for found, is_demonym in self._polities_in_text(text):
                if not _overlaps(found, taken):
                    (demonyms if is_demonym else mentions).append(found)
        else:
            mentions, demonyms = self.scan(text)
        resolved = self.resolve([*mentions, *demonyms], context=text)
        places: dict[tuple[Any, ...], Place] = {}
        links = []
        for mention, place in zip([*mentions, *demonyms], resolved, strict=True):
            if place is None:
                continue
            if mention in demonyms:
                links.append(
                    DemonymLink(mention.text, mention.start, mention.end, place.country, place)
                )
                continue
            key = (place.geonames_id, place.name, place.lat, place.lon)
            if key in places:
                places[key].mentions.append((mention.start, mention.end))
            else:
                places[key] = place
        return Toponyms(list(places.values()), links, mentions)

    def _polities_in_text(self, text: str) -> list[tuple[Mention, bool]]:
        """Countries and demonyms NER left out of its entities ("Salvadoran migrants",
        "in Vietnam"): a demonym, or a country or continent written as its own name
        (an alias such as "States" is too often a common word)."""
        whole = Mention(text, 0, len(text), "TEXT")
        return [
            (found, is_demonym)
            for found, is_demonym in self._polities_inside(whole)
            if is_demonym or self._is_own_name(found.text)
        ]

    def _is_own_name(self, text: str) -> bool:
        key = normalise_name(text)
        return any(
            normalise_name(rec.name) == key
            for rec, _own in self.gazetteer.lookup(text)
            if rec.feature_code in (COUNTRY, CONTINENT)
        )

    def _datelines(self, text: str) -> list[Mention]:
        """Towns named in a news dateline ("RALEIGH, N.C. (AP) —", "WINNIPEG —"), which
        NER often tags as an organisation or misses: where the story was filed."""
        found = []
        for match in _DATELINE.finditer(text):
            name = match.group(1)
            if any(rec.feature_class == "P" for rec, _own in self.gazetteer.lookup(name)):
                found.append(Mention(name, match.start(1), match.end(1), "DATELINE"))
        return found

    def _from_entities(self, ents: Sequence[SpacyEntity]) -> tuple[list[Mention], list[Mention]]:
        mentions, demonyms = [], []
        for ent in ents:
            own_article = any(
                rec.name.casefold().startswith("the ")
                for rec, _own in self.gazetteer.lookup(ent.text)
            )
            mention = _trimmed(
                Mention(ent.text, ent.start_char, ent.end_char, ent.label_),
                keep_article=own_article,
            )
            if mention is None:
                continue
            if ent.label_ in DEMONYM_LABELS and self.gazetteer.demonym(mention.text) is not None:
                demonyms.append(mention)
            elif self._keep(mention):
                mentions.append(mention)
            elif ent.label_ == "ORG":
                for inner, is_demonym in self._polities_inside(mention):
                    (demonyms if is_demonym else mentions).append(inner)
        return mentions, demonyms

    def _polities_inside(self, org: Mention) -> list[tuple[Mention, bool]]:
        """Countries, continents and demonyms named inside an organisation's name, each
        with True when it is a demonym: "the Syrian Observatory for Human Rights" →
        Syrian, "the US Census Bureau" → US. Towns inside names ("The New York Times")
        are left alone: a newspaper's name does not put the story in its city."""
        found: list[tuple[Mention, bool]] = []
        kinds: dict[str, bool | None] = {}  # a text repeats its capitalised words
        words = list(re.finditer(r"[A-Z][\w.]*", org.text))
        i = 0
        while i < len(words):
            step = 1
            for size in (2, 1):
                run = words[i : i + size]
                text = org.text[run[0].start() : run[-1].end()]
                if len(run) < size or len(text.split(" ")) != size:
                    continue  # past the end, or not adjacent ("Council of Europe")
                if text not in kinds:
                    kinds[text] = self._polity_kind(text)
                if kinds[text] is not None:
                    start = org.start + run[0].start()
                    found.append(
                        (Mention(text, start, start + len(text), "ORG"), bool(kinds[text]))
                    )
                    step = size
                    break
            i += step
        return found

    def _polity_kind(self, text: str) -> bool | None:
        """True for a demonym ("Nigerian", not "Nigerians"), False for a country's or
        continent's own name, None for anything else."""
        if self.gazetteer.demonym(text) is not None:
            return None if _plural_demonym(self.gazetteer, text) else True
        if self.gazetteer.has_name(normalise_name(text)) and self._names_polity(
            text, (COUNTRY, CONTINENT)
        ):
            return False
        return None

    def _is_polity_name(self, mention: Mention) -> bool:
        """An entity NER calls an organisation or a person whose whole name is the name
        of a country, province or continent ("EU", "UAE", "Tamil Nadu"): a place. One
        word names a place only as a country or continent, since "Chad" and "Jordan" are
        people and "Centre" is a French region."""
        if len(mention.text.split()) < 2:
            if mention.label == "PERSON":
                return False
            codes: tuple[str, ...] = (COUNTRY, CONTINENT)
        else:
            codes = (COUNTRY, ADMIN1, CONTINENT)
        return self._names_polity(mention.text, codes)

    def _names_polity(self, text: str, codes: tuple[str, ...]) -> bool:
        """Whether ``text`` is the own name of a record of one of ``codes`` (a demonym
        is not: "Nigerians" does not name Nigeria). Whole names only, so a plain lookup:
        this runs on every capitalised word of a text."""
        if self.gazetteer.demonym(text) is not None:
            return False
        found = [_Candidate(rec, own) for rec, own in self.gazetteer.lookup(text)]
        return any(
            c.own_name and c.record.feature_code in codes
            for c in _towns_before_their_provinces(found)
        )

    def _keep(self, mention: Mention) -> bool:
        """GPE names are places even when unknown; LOC and FAC only when the gazetteer
        knows them (spaCy's LOC/FAC include many things that are not on a map); ORG and
        PERSON only as the name of a country or province (:meth:`_is_polity_name`)."""
        if mention.label == "GPE":
            return True
        if mention.label in RESCUED_LABELS:
            return self._is_polity_name(mention)
        if mention.label not in PLACE_LABELS:
            return False
        return any(not c.partial for c in self.candidates(mention.text))

    def scan(self, text: str) -> tuple[list[Mention], list[Mention]]:
        """Gazetteer matching without NER, for scripts spaCy's English model cannot read.

        Longest match first over runs of up to three words; only prominent places
        (countries, provinces, towns of 15,000 or more) so common words stay words.
        """
        words = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\w[\w'’-]*", text)]
        mentions: list[Mention] = []
        demonyms: list[Mention] = []
        i = 0
        while i < len(words):
            for size in (3, 2, 1):
                if i + size > len(words):
                    continue
                start, end = words[i][0], words[i + size - 1][1]
                found = self._scan_match(text[start:end])
                if found is None:
                    continue
                surface, is_demonym = found
                target = demonyms if is_demonym else mentions
                target.append(Mention(surface, start, end, "SCAN"))
                i += size
                break
            else:
                i += 1
        return mentions, demonyms

    def _scan_match(self, surface: str) -> tuple[str, bool] | None:
        if surface[0].isalpha() and surface[0].islower():
            return None  # cased scripts write names with a capital
        for form in _word_forms(surface):
            if self.gazetteer.demonym(form) is not None and form[0].isupper():
                return form, True
            if any(_prominent(rec) for rec, _own in self.gazetteer.lookup(form)):
                return form, False
        return None


@dataclass(slots=True)
class _Evidence:
    countries: Counter[str]
    admins: Counter[tuple[str, str]]
    points: list[tuple[float, float]]


def _nearest_local(group: _Group, groups: dict[str, _Group]) -> GazetteerRecord | None:
    """For a name the gazetteer does not know: the place named nearest to it in the
    text, finer than a country ("a camp in Pibor county, near Bor"), where such
    unknown local features usually are."""
    if group.chosen is not None:
        return None
    best: tuple[int, GazetteerRecord] | None = None
    for other in groups.values():
        chosen = other.chosen
        if chosen is None or chosen.partial or chosen.demonym:
            continue
        record = chosen.record
        if record.feature_code in (COUNTRY, CONTINENT) or record.feature_class == "H":
            continue
        gap = min(abs(a.start - b.start) for a in group.mentions for b in other.mentions)
        if best is None or gap < best[0]:
            best = (gap, record)
    return best[1] if best else None


def _remote(record: GazetteerRecord, countries: set[str], limit: int) -> bool:
    """A town under ``limit`` people outside every country the document points to."""
    return (
        record.feature_class == "P"
        and record.population < limit
        and record.country not in countries
    )


def _towns_before_their_provinces(found: list[_Candidate]) -> list[_Candidate]:
    """Drops a province from a name's candidates when its namesake town (the same name,
    in that province) is among them: news that says "Milan" or "Bolton" means the town,
    and names the province as one ("the province of Milan")."""
    towns = {
        (c.record.country, c.record.admin1)
        for c in found
        if c.own_name and c.record.feature_class == "P"
    }
    return [
        c
        for c in found
        if not (c.record.feature_code == ADMIN1 and (c.record.country, c.record.admin1) in towns)
    ]


# An upper-case name opening a line, then the dateline's comma, "(AP)" or dash.
_DATELINE = re.compile(r"(?m)^[ \t]*([A-Z][A-Z.'’ -]{1,40}[A-Z])(?=[ \t]*(?:,|\(|—|–|--| - ))")
_LEADING_ARTICLE = re.compile(r"^the\s+", re.I)
_TRAILING_POSSESSIVE = re.compile(r"(?:['’]s|s['’]|['’])$")


def _trimmed(mention: Mention, *, keep_article: bool = False) -> Mention | None:
    """The name without the article or possessive that NER keeps in an entity's span
    ("the United States'" → "United States", "Orange County’s" → "Orange County"):
    the toponym, and so its span, is the name alone. ``keep_article`` for names that
    begin with it ("The Hague")."""
    text, start = mention.text, mention.start
    article = None if keep_article else _LEADING_ARTICLE.match(text)
    if article:
        text, start = text[article.end() :], start + article.end()
    possessive = _TRAILING_POSSESSIVE.search(text)
    if possessive and possessive.start() > 0:
        text = text[: possessive.start() + (1 if possessive.group().startswith("s") else 0)]
    text = text.rstrip()
    if not text:
        return None
    return Mention(text, start, start + len(text), mention.label)


def _overlaps(mention: Mention, spans: list[tuple[int, int]]) -> bool:
    return any(mention.start < end and start < mention.end for start, end in spans)


def _plural_demonym(gazetteer: Gazetteer, word: str) -> bool:
    """ "Nigerians" (people), as against "Nigerian" or "Swiss" (an adjective)."""
    return word.endswith("s") and gazetteer.demonym(word[:-1]) is not None


def _prominent(record: GazetteerRecord) -> bool:
    return record.feature_code in (COUNTRY, ADMIN1, CONTINENT) or record.population >= 15000


_ARABIC_PREFIXES = ("وال", "بال", "لل", "فال", "و", "ب", "ل", "ف")
_RUSSIAN_ENDINGS = ("ом", "ой", "ем", "е", "у", "а", "ы", "и", "я")


def _word_forms(surface: str) -> list[str]:
    """The surface, then forms without Arabic clitics (وبغداد → بغداد) or with a Russian
    case ending replaced (Харькове → Харьков, Москве → Москва)."""
    forms = [surface]
    if re.match(r"[\u0600-\u06ff]", surface):
        for prefix in _ARABIC_PREFIXES:
            if surface.startswith(prefix) and len(surface) > len(prefix) + 2:
                stem = surface[len(prefix) :]
                forms += [stem, "ال" + stem] if prefix.endswith("ال") else [stem]
    elif re.match(r"[\u0400-\u04ff]", surface) and " " not in surface:
        for ending in _RUSSIAN_ENDINGS:
            if surface.endswith(ending) and len(surface) > len(ending) + 3:
                stem = surface[: -len(ending)]
                forms += [stem, stem + "а", stem + "ь", stem + "я"]
    return forms


def _mostly_latin(text: str) -> bool:
    letters = [ch for ch in text[:2000] if ch.isalpha()]
    return not letters or sum(ch.isascii() for ch in letters) / len(letters) > 0.6


def _shorter_names(name: str) -> list[str]:
    """ "Afrin District" → "Afrin"; "City of Boston" → "Boston"; "Mosul, Iraq" → "Mosul"."""
    shorter = []
    if "," in name:
        shorter.append(name.split(",", maxsplit=1)[0])
    stripped = _LEADING_GENERIC.sub("", name)
    words = stripped.split()
    while len(words) > 1 and words[-1].casefold() in GENERIC_WORDS:
        words = words[:-1]
    while len(words) > 1 and words[0].casefold() in GENERIC_WORDS:
        words = words[1:]
    if " ".join(words) != name:
        shorter.append(" ".join(words))
    return [s for s in shorter if s.strip()]


def _qualifiers(mentions: Sequence[Mention], text: str | None) -> dict[str, list[str]]:
    """Name key → keys of the names that qualify it: "Paris, Texas", "Tripoli (Lebanon)"."""
    if not text:
        return {}
    ordered = sorted(mentions, key=lambda m: m.start)
    result: dict[str, list[str]] = defaultdict(list)
    for first, second in itertools.pairwise(ordered):
        between = text[first.end : second.start]
        if between.strip() in (",", "(", ", ") and len(between) <= 3:
            result[normalise_name(first.text)].append(normalise_name(second.text))
    return result


def _is_country_name(candidate: _Candidate) -> bool:
    record = candidate.record
    return candidate.own_name and record.feature_code in (COUNTRY, CONTINENT)


def _is_dateline(mention: Mention, text: str) -> bool:
    """A capitalised name opening the text or a line, as in "WASHINGTON (AP) —"."""
    line_start = text.rfind("\n", 0, mention.start) + 1
    return (
        mention.text.isupper()
        and not text[line_start : mention.start].strip()
        and text[mention.end : mention.end + 6].lstrip().startswith(("(", "—", "-", ",", "–"))
    )


def _prefer_towns(group: _Group) -> None:
    """News datelines name towns (AP style), so "WASHINGTON" is the city, not the state."""
    towns = [c for c in group.candidates if c.record.feature_class == "P"]
    if towns:
        group.candidates = towns


def _inside(record: GazetteerRecord, container: GazetteerRecord) -> bool:
    if container.feature_code == COUNTRY:
        return record.country == container.country and record.feature_code != COUNTRY
    if container.feature_code == ADMIN1:
        return (record.country, record.admin1) == (container.country, container.admin1) and (
            record.feature_code != ADMIN1
        )
    return False


def _to_place(record: GazetteerRecord, *, approximate: bool = False) -> Place:
    return Place(
        name=record.name,
        geonames_id=record.geonames_id or None,
        lat=record.lat,
        lon=record.lon,
        country=record.country,
        admin1=record.admin1_name,
        feature_class=record.feature_class,
        feature_code=record.feature_code,
        approximate=approximate,
    )


def _copy(place: Place, mentions: list[tuple[int, int]]) -> Place:
    return Place(
        place.name,
        place.geonames_id,
        place.lat,
        place.lon,
        place.country,
        place.admin1,
        place.feature_class,
        mentions,
        place.feature_code,
        place.approximate,
    )
