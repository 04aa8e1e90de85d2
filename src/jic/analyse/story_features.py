"""Turn text and extracted spans into the keys that story clustering compares.

    terms(text)          content words for the TF-IDF channel (lower-cased, light stemming)
    lead(text, n)        the first n sentences: where news says who did what, where, when
    entity_key(name)     one key per entity name ("the Indian Navy's" -> "indian navy")
    number_key(span)     one key per number mention ("1,000" -> "1000", "six" -> "6")
    date_keys(span)      coarse keys for a date mention ("May 2, 2013" -> "2013", "2013-05")
    lead_year(text)      the year a lead names most often: the year of the event it reports

The clusterer itself takes keys from outside (the pipeline supplies linked entities and
geocoded places); these helpers are what it uses for plain text, and what a caller
without entity linking can use to make keys from NER spans.
"""

from __future__ import annotations

import re
from collections import Counter

from jic.process.dates import MONTHS

# A short English stop list: function words only. Content words that are merely
# frequent ("said", "police") are left to IDF, which knows the corpus better.
_STOP_LIST = """
a about above after again against all almost also am an and any are as at be because been
before being below between both but by can could did do does doing down during each either
else ever every few for from further had has have having he her here hers herself him
himself his how however i if in into is it its itself just least less many may me might
more most much must my myself neither no nor not now of off often on once only or other
others otherwise our ours ourselves out over own per perhaps quite rather same shall she
should since so some still such than that the their theirs them themselves then there these
they this those though through thus to too under until up upon us very was we were what
whatever when whenever where whether which while who whom whose why will with within
without would yet you your yours yourself yourselves s t d ll m re ve n't nt
"""
STOP_WORDS = frozenset(_STOP_LIST.split())

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_MONTHS = MONTHS
_NUMBER_NAMES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
)
_NUMBER_WORDS = dict(zip(_NUMBER_NAMES.split(), range(21), strict=True)) | {
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "dozen": 12,
}
_SCALE = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}


def stem(word: str) -> str:
    """A deliberately light stemmer: plural and possessive endings only.

    Heavier stemming (Porter) merges words that tell similar events apart
    ("shooting"/"shooter", "arrested"/"arrests" are kept distinct on purpose).
    """
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """Content words of ``text`` in order, lower-cased and lightly stemmed."""
    words = (stem(match.group().lower()) for match in _WORD.finditer(text))
    return [word for word in words if len(word) > 1 and word not in STOP_WORDS]


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n+")


def lead(text: str, sentences: int = 3) -> str:
    """The first ``sentences`` sentences (or lines) of ``text``.

    News is written as an inverted pyramid: the headline and first sentences name the
    event, the rest gives background that two similar events often share.
    """
    parts = [part for part in _SENTENCE_END.split(text.strip(), maxsplit=sentences) if part.strip()]
    return "\n".join(parts[:sentences])


def entity_key(name: str) -> str:
    """A comparable key for an entity or place name: case, articles and possessives dropped."""
    text = " ".join(name.split()).strip(" .,;:'\"`“”‘’-").lower()
    for article in ("the ", "a ", "an "):
        if text.startswith(article):
            text = text[len(article) :]
    for suffix in (" 's", "'s", "’s", " ’s"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    return text.strip()


def number_key(span: str) -> str | None:
    """The value of a number mention as a key, or None when it carries no number.

    "1,000", "1000" and "one thousand" give the same key; "6.1" stays "6.1";
    "23 pirates" gives "23" (the unit is left to the text channel).
    """
    lowered = span.lower()
    match = _NUMBER.search(lowered)
    value: float | None = None
    if match is not None:
        raw = match.group()
        # "1,000" groups thousands; "6.1" is a decimal; "1.000" (European grouping) is rare
        # in English news, so a dot is read as a decimal point.
        value = float(raw.replace(",", "")) if "," in raw else float(raw)
    else:
        words = re.findall(r"[a-z]+", lowered)
        numbers = [_NUMBER_WORDS[word] for word in words if word in _NUMBER_WORDS]
        if numbers:
            value = float(sum(numbers))
    if value is None:
        return None
    for word, scale in _SCALE.items():
        if word in lowered:
            value *= scale
    return f"{value:g}" if value != int(value) else str(int(value))


def date_keys(span: str) -> list[str]:
    """Coarse keys for a date mention: the year, and year-month when both are named.

    Relative dates ("on Saturday", "last week") give no key: without a publication
    date they say nothing about which event a document reports.
    """
    lowered = span.lower()
    years = _YEAR.findall(lowered)
    months = [_MONTHS[word] for word in re.findall(r"[a-z]+", lowered) if word in _MONTHS]
    keys = list(dict.fromkeys(years))
    if years and months:
        keys.append(f"{years[0]}-{months[0]:02d}")
    elif months:
        keys.append(f"month-{months[0]:02d}")
    return keys


def lead_year(text: str) -> str | None:
    """The year that ``text`` (a title and lead) names most often, the first named on a
    tie; None when it names none.

    A lead that names a year names the year of its event ("May 03, 2013", "the 2008
    season"); years named further down are background ("previously at Betty Ford from
    September 2010"), which is why two reports of one event often differ in the years of
    their whole text but seldom in the year of their lead.
    """
    years = _YEAR.findall(text)
    return Counter(years).most_common(1)[0][0] if years else None
