"""The curated table of well-known actors: facts about names, written by the project.

    EntityType      what kind of thing an entity is (state, person, armed group, ...)
    Actor           one canonical actor: stable id, preferred name, type, country, names
    CuratedData     the hand-written rows of src/jic/data/actors.json
    AliasTable      every actor, indexed by normalised name; built once and passed in
    normalise_name  the one normalisation used for every lookup (case, quotes, "the", "'s")
    AliasMatcher    finds names of a list in running text (one tokenisation, dict lookups)

States come from countrystatecity-countries (names in en/ar/fa/ru/fr/de/es/it/tr/uk and
the native name), so we do not type 250 countries; the rest — English short forms,
demonyms, capitals used as metonyms, international organisations, armed groups, media,
organs of state and a few public figures — is written by us in src/jic/data/actors.json
(one actor a line). Only public actors: the table holds no private individuals.

Some short names are ``weak`` (e.g. "IS", "WHO", "AP"): they collide with ordinary
words, so the linker counts them only when the same entity is also named in a stronger
way in the document, or when NER already marked the span as an organisation.
"""

from __future__ import annotations

import enum
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jic.errors import ConfigError


class EntityType(enum.StrEnum):
    """What an entity is; the part before the colon in non-table keys."""

    STATE = "state"
    ORGAN = "organ"  # an organ of a state: ministry, army, presidency, state agency
    PLACE = "place"
    PERSON = "person"
    IGO = "igo"  # international (intergovernmental or humanitarian) organisation
    ARMED_GROUP = "armed_group"
    MEDIA = "media"
    ORGANISATION = "organisation"
    GROUP = "group"  # nationalities, religious and political groups (spaCy NORP)
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Actor:
    """One canonical actor of the table.

    ``names`` match case-insensitively (a capitalised name must be capitalised in the
    text); ``acronyms`` match exactly as written; ``weak`` names count only with support
    (see the module docstring); ``adjectives`` are demonyms ("Russian"), used to link
    "Russian" and to give "Russian Defence Ministry" its country. ``country`` is the
    ISO-3166 alpha-3 code of a state, of the state an organ belongs to, of the state
    owning a state medium, or of the state a public figure is known for serving.
    """

    id: str
    name: str
    type: EntityType
    country: str | None = None
    names: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()
    adjectives: tuple[str, ...] = ()


_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "“": '"', "”": '"', "«": '"', "»": '"'})
_ARABIC_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ک": "ك", "ة": "ه", "ۀ": "ه"}
)
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640\u200c\u200f\u200e]")
_EDGE_JUNK = re.compile(r"^[\"'\s(\[]+|[\"'\s)\].,;:]+$")
_POSSESSIVE = re.compile(r"(?:'s|')$")
_SPACES = re.compile(r"[\s\-‐‑–—_]+")


def normalise_name(text: str) -> str:
    """The lookup form of a name: NFKC, casefolded, no quotes, "the" or "'s", one space.

    Arabic and Persian letter variants (alef forms, yeh, keheh, teh marbuta) and
    diacritics are folded so that a name typed either way finds the same actor.
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)
    text = _SPACES.sub(" ", text).strip().casefold().removeprefix("the ")
    text = _POSSESSIVE.sub("", _EDGE_JUNK.sub("", text))
    return _EDGE_JUNK.sub("", text).removeprefix("the ")


def slug(text: str) -> str:
    """A stable, readable key fragment: ascii letters where possible, words joined by '-'."""
    folded = unicodedata.normalize("NFKD", normalise_name(text))
    kept = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"[^\w]+", "-", kept).strip("-")


ACTORS_FILE = Path(__file__).resolve().parents[1] / "data" / "actors.json"


@dataclass(frozen=True, slots=True)
class CuratedData:
    """The hand-written part of the table (src/jic/data/actors.json), parsed."""

    actors: tuple[Actor, ...]
    state_extras: dict[str, dict[str, tuple[str, ...]]]  # ISO3 -> names/acronyms/adjectives
    capital_metonyms: dict[str, tuple[str, ...]]  # state id -> capitals standing for it

    @classmethod
    def load(cls, path: Path = ACTORS_FILE) -> CuratedData:
        """Read and check the curated file; a broken file says where it is broken."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            actors = tuple(_actor(row) for row in raw["actors"])
            extras = {
                iso3: {kind: tuple(values) for kind, values in row.items()}
                for iso3, row in raw["states"].items()
            }
            capitals = {key: tuple(names) for key, names in raw["capital_metonyms"].items()}
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ConfigError(
                f"cannot read the alias table {path}: {error}",
                "reinstall jic, or fix the file you edited (it is JSON)",
            ) from error
        return cls(actors, extras, capitals)


def _actor(row: dict[str, Any]) -> Actor:
    return Actor(
        id=row["id"],
        name=row["name"],
        type=EntityType(row["type"]),
        country=row.get("country"),
        names=(row["name"], *row.get("names", ())),
        acronyms=tuple(row.get("acronyms", ())),
        weak=tuple(row.get("weak", ())),
    )


@dataclass(slots=True)
class AliasTable:
    """Every actor and its names, indexed for lookup by normalised name.

    Build once (``AliasTable.default()`` reads the country package, ~0.1 s) and pass the
    object to whatever links entities.
    """

    actors: dict[str, Actor]
    by_name: dict[str, str] = field(default_factory=dict)  # normalised name -> actor id
    by_acronym: dict[str, str] = field(default_factory=dict)  # exact text -> actor id
    weak: dict[str, str] = field(default_factory=dict)  # exact text -> actor id
    by_adjective: dict[str, str] = field(default_factory=dict)  # normalised demonym -> id
    capitals: dict[str, str] = field(default_factory=dict)  # normalised capital -> state id

    @classmethod
    def default(cls, curated: CuratedData | None = None) -> AliasTable:
        """States from countrystatecity-countries plus the curated actors (actors.json)."""
        data = curated or CuratedData.load()
        return cls.from_actors([*_states(data), *data.actors], data.capital_metonyms)

    @classmethod
    def from_actors(
        cls, actors: Iterable[Actor], capital_metonyms: dict[str, tuple[str, ...]] | None = None
    ) -> AliasTable:
        """Index the given actors; a name claimed twice keeps its first owner."""
        table = cls(actors={})
        for actor in actors:
            table.actors[actor.id] = actor
            for name in actor.names:
                table.by_name.setdefault(normalise_name(name), actor.id)
            for acronym in actor.acronyms:
                table.by_acronym.setdefault(acronym, actor.id)
            for acronym in actor.weak:
                table.weak.setdefault(acronym, actor.id)
            for adjective in actor.adjectives:
                table.by_adjective.setdefault(normalise_name(adjective), actor.id)
        for state_id, capitals in (capital_metonyms or {}).items():
            for capital in capitals:
                table.capitals[normalise_name(capital)] = state_id
        return table

    def lookup(self, text: str) -> Actor | None:
        """The actor a name names: exact acronym first, then the normalised name."""
        stripped = text.strip()
        actor_id = self.by_acronym.get(stripped) or self.by_name.get(normalise_name(stripped))
        return self.actors[actor_id] if actor_id else None

    def surface_forms(self) -> Iterator[tuple[str, str, str]]:
        """Every (form, actor id, kind) to match in running text; kind is one of
        'name', 'acronym', 'weak', 'adjective'."""
        for actor in self.actors.values():
            for name in actor.names:
                yield name, actor.id, "name"
            for acronym in actor.acronyms:
                yield acronym, actor.id, "acronym"
            for acronym in actor.weak:
                yield acronym, actor.id, "weak"
            for adjective in actor.adjectives:
                yield adjective, actor.id, "adjective"


def _states(data: CuratedData) -> Iterator[Actor]:
    """One Actor per country of countrystatecity-countries, keyed ``state:ISO3``."""
    import countrystatecity_countries as csc

    for country in csc.get_countries():
        if not country.iso3:
            continue
        extra = data.state_extras.get(country.iso3, {})
        names = [country.name, *extra.get("names", ())]
        if country.native:
            names.append(country.native)
        names.extend(v for k, v in (country.translations or {}).items() if k in _LANGUAGES)
        yield Actor(
            id=f"state:{country.iso3}",
            name=country.name,
            type=EntityType.STATE,
            country=country.iso3,
            names=tuple(dict.fromkeys(n for n in names if n)),
            acronyms=extra.get("acronyms", ()),
            adjectives=extra.get("adjectives", ()),
        )


# Languages whose country names the table keeps (those jic routes documents in).
_LANGUAGES = frozenset({"ar", "fa", "ru", "uk", "fr", "de", "es", "it", "tr"})


# Words: dotted acronyms (U.S.), runs of letters/digits with Arabic marks and ZWNJ, and
# single punctuation marks (which stop a name). Hyphens, quotes and apostrophes are
# skipped, so "al-Qaeda" and "al Qaeda" are the same tokens.
_TOKEN = re.compile(
    r"[^\W\d_](?:\.[^\W\d_])+\.?|[\w\u064b-\u065f\u0670\u0640\u200c]+\+?|[^\w\s\-‐‑–'’‘`\"“”«»]"
)
# Clitics of Arabic and Persian words: conjunctions, prepositions, with or without the article.
_ARABIC_PREFIXES = (
    *("وال", "فال", "بال", "كال", "لل"),
    *("وب", "ول", "فب", "فل", "وك", "و", "ف", "ب", "ل", "ك"),
)


def fold(token: str) -> str:
    """The lookup form of one token."""
    return normalise_name(token) or token.casefold()


def tokenise(text: str) -> list[tuple[str, int, int]]:
    """(token, start, end) of the words and punctuation marks of ``text``."""
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def is_word(token: str) -> bool:
    """A word (letters, digits, Arabic script), not a punctuation mark."""
    return token[0].isalnum() or "\u0600" <= token[0] <= "\u06ff"


@dataclass(frozen=True, slots=True)
class MatchedForm:
    actor_id: str
    kind: str  # name | acronym | weak | adjective | local
    tokens: tuple[str, ...]  # as written in the table, for case checks


class AliasMatcher:
    """Finds names from a list in running text with one tokenisation and dict lookups.

    Longest match wins; acronyms match exactly as written; a name written with a
    capital must be capitalised in the text; Arabic and Persian words may carry the
    clitics و ف ب ل ك and the article.
    """

    def __init__(self, forms: Iterable[tuple[str, str, str]]) -> None:
        self._index: dict[tuple[str, ...], list[MatchedForm]] = {}
        self._longest: dict[str, int] = {}
        for text, actor_id, kind in forms:
            raw = tuple(token for token, _, _ in tokenise(text))
            if not raw:
                continue
            key = tuple(fold(token) for token in raw)
            self._index.setdefault(key, []).append(MatchedForm(actor_id, kind, raw))
            self._longest[key[0]] = max(self._longest.get(key[0], 0), len(key))

    def find(self, text: str) -> list[tuple[int, int, MatchedForm]]:
        """Every non-overlapping (start, end, form) in ``text``, left to right."""
        tokens = tokenise(text)
        folded = [fold(token) for token, _, _ in tokens]
        hits: list[tuple[int, int, MatchedForm]] = []
        i = 0
        while i < len(tokens):
            found = self._match_at(tokens, folded, i)
            if found is None:
                i += 1
                continue
            length, form = found
            hits.append((tokens[i][1], tokens[i + length - 1][2], form))
            i += length
        return hits

    def _match_at(
        self, tokens: list[tuple[str, int, int]], folded: list[str], i: int
    ) -> tuple[int, MatchedForm] | None:
        for first in _first_variants(folded[i]):
            longest = self._longest.get(first, 0)
            for length in range(min(longest, len(tokens) - i), 0, -1):
                key = (first, *folded[i + 1 : i + length])
                for form in self._index.get(key, ()):
                    written = [token for token, _, _ in tokens[i : i + length]]
                    if first == folded[i] and _case_fits(form, written):
                        return length, form
                    if first != folded[i] and form.kind in ("name", "local"):
                        return length, form
        return None


def _first_variants(token: str) -> list[str]:
    """The token, and for Arabic script the token without its clitics."""
    variants = [token]
    if token and "\u0600" <= token[0] <= "\u06ff":
        for prefix in _ARABIC_PREFIXES:
            rest = token[len(prefix) :]
            if token.startswith(prefix) and len(rest) >= 3:
                article = prefix.endswith("ال") or prefix == "لل"
                variants.append("ال" + rest if article else rest)
    return variants


def _case_fits(form: MatchedForm, written: list[str]) -> bool:
    if form.kind in ("acronym", "weak"):
        return list(form.tokens) == written
    first = form.tokens[0][0]
    return not (first.isupper() and written[0][0].islower())
