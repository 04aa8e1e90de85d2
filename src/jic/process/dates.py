"""Temporal expressions resolved against the publication date, with news conventions.

    ResolvedDate   an expression's span and the day or range it means, with granularity
    resolve        one expression ("on Saturday", "September 9", "last week") -> ResolvedDate
    find_dates     every date expression of a spaCy Doc (its DATE/TIME spans) or of a text

Conventions (those of news writing, where "now" is the publication date):
- a weekday alone is the most recent such day up to the publication day: "on Saturday"
  in a story published on a Sunday is the day before; the same weekday is that day;
  "next Saturday" is the one after;
- a month and day without a year are in the publication year unless that lies in the
  future, then in the year before; a month alone likewise;
- "last week" is the previous Monday–Sunday; "earlier this month" runs from the 1st to
  the publication day; "last month", "last year", "this week" are whole periods;
- "from 3 to 5 May" and "May 3-5" are ranges.
English phrases are handled here (dateparser returns nothing for "earlier this month");
everything else goes to dateparser with the publication date as RELATIVE_BASE and
PREFER_DATES_FROM past.
"""

from __future__ import annotations

import calendar
import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

__all__ = ["Granularity", "ResolvedDate", "find_dates", "resolve"]


Day = date  # the field ResolvedDate.date shadows the type inside the class


class Granularity(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    DECADE = "decade"
    RANGE = "range"  # an explicit span of days ("from 3 to 5 May", "the past 10 days")
    UNKNOWN = "unknown"  # could not be resolved


@dataclass(frozen=True, slots=True)
class ResolvedDate:
    """A temporal expression: its span in the document and what it means.

    ``date`` is set when the expression names one day; ``range_start`` and ``range_end``
    (inclusive) are always set when resolved, equal to ``date`` for a single day.
    """

    text: str
    start: int
    end: int
    date: Day | None
    range_start: Day | None
    range_end: Day | None
    granularity: Granularity

    @property
    def resolved(self) -> bool:
        return self.range_start is not None


MONTHS = {  # English month names and abbreviations -> month number
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAYS = {
    name: number
    for number, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
}
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "several": 3, "few": 3, "a few": 3,
}  # fmt: skip

_M = r"(?P<{0}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?" \
     r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"  # fmt: skip
_D = r"(?P<{0}>[0-3]?\d)(?:st|nd|rd|th)?"
_Y = r"(?:,?\s+(?P<{0}>(?:19|20)\d\d))?"
_N = r"(?P<n>\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|few)"

_RELATIVE_DAYS = re.compile(
    r"\b(?P<w>the\s+day\s+before\s+yesterday|yesterday|today|tonight|tomorrow|last\s+night"
    r"|this\s+(?:morning|afternoon|evening)|overnight|earlier\s+today)\b"
)
_THE_WEEKEND = re.compile(r"\b(?:over\s+|at\s+|during\s+)?the\s+weekend\b")
_WEEKDAY = re.compile(
    r"\b(?:(?P<q>last|this\s+past|past|next|this\s+coming|coming)\s+)?"
    r"(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b"
)
_PERIOD = re.compile(
    r"\b(?:(?P<part>earlier|later|early|late|mid|the\s+end\s+of|end\s+of|the\s+start\s+of"
    r"|start\s+of|the\s+beginning\s+of|beginning\s+of)[\s-]+)?"
    r"(?P<rel>this|last|past|previous|next)\s+(?P<unit>week|weekend|month|year)\b"
)
_AGO = re.compile(_N + r"\s+(?P<unit>day|week|month|year)s?\s+(?:ago|earlier)\b")
_PAST_N = re.compile(
    r"\b(?:the\s+)?(?:past|last|previous)\s+" + _N + r"\s+(?P<unit>day|week|month|year)s\b"
)
_DAY_RANGE = re.compile(
    r"\b" + _D.format("d1") + r"\s*(?:-|–|to|and|until|till|through)\s*" + _D.format("d2")
    + r"\s+(?:of\s+)?" + _M.format("m") + _Y.format("y")
    + r"|\b" + _M.format("m2") + r"\s+" + _D.format("d3") + r"\s*(?:-|–|to|and|until|through)\s*"
    + r"(?:" + _M.format("m3") + r"\s+)?" + _D.format("d4") + _Y.format("y2")
)  # fmt: skip
_DAY_TO_DAY = re.compile(
    r"\b" + _D.format("d1") + r"\s+(?:of\s+)?" + _M.format("m1")
    + r"\s*(?:-|–|to|and|until|till|through)\s*" + _D.format("d2") + r"\s+(?:of\s+)?"
    + _M.format("m2") + _Y.format("y")
)  # fmt: skip
_MONTH_DAY = re.compile(
    r"\b" + _M.format("m") + r"\s+" + _D.format("d") + r"\b" + _Y.format("y")
    + r"|\b" + _D.format("d2") + r"\s+(?:of\s+)?" + _M.format("m2") + _Y.format("y2")
)  # fmt: skip
_MONTH = re.compile(
    r"\b(?:(?P<part>early|mid|late)[\s-]+)?" + _M.format("m")
    + r"(?:\s+(?:of\s+)?(?P<y>(?:19|20)\d\d))?\b"
)  # fmt: skip
_DECADE = re.compile(r"\b(?:the\s+)?(?P<y>(?:19|20)\d)0s\b")
_YEAR = re.compile(r"(?<![\d.,/-])(?P<y>(?:19|20)\d\d)(?![\d.,/-]\d)(?:\s*(?:год[уа]?|г\.))?")
_ISO = re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")

_Span = tuple[date, date, Granularity]


def resolve(
    expression_text: str, published: datetime | date, lang: str = "en", *, start: int = 0
) -> ResolvedDate:
    """Resolve one temporal expression against the publication date.

    ``start`` is the expression's offset in its document (kept in the result, with
    ``end = start + len(expression_text)``). Unresolvable expressions come back with
    granularity UNKNOWN and no dates.
    """
    pub = published.date() if isinstance(published, datetime) else published
    text = " ".join(expression_text.casefold().split())
    span = _resolve_english(text, pub) if lang == "en" else None
    if span is None:
        span = _resolve_numeric(text) or _dateparser(expression_text, pub, lang)
    end = start + len(expression_text)
    if span is None:
        return ResolvedDate(expression_text, start, end, None, None, None, Granularity.UNKNOWN)
    first, last, granularity = span
    day = first if first == last and granularity == Granularity.DAY else None
    return ResolvedDate(expression_text, start, end, day, first, last, granularity)


def _resolve_english(text: str, pub: date) -> _Span | None:
    rules: tuple[Callable[[str, date], _Span | None], ...] = (
        _relative_day,
        _day_ranges,
        _month_day,
        _past_n,
        _ago,
        _period,
        _weekday,
        _decade,
        _month,
        _year,
    )
    for rule in rules:
        span = rule(text, pub)
        if span is not None:
            return span
    return None


def _day(day: date) -> _Span:
    return day, day, Granularity.DAY


def _relative_day(text: str, pub: date) -> _Span | None:
    match = _RELATIVE_DAYS.search(text)
    if not match:
        if _THE_WEEKEND.search(text):
            # "over the weekend": the Saturday and Sunday just gone (or this one, if now).
            saturday = pub - timedelta(days=(pub.weekday() - 5) % 7)
            return saturday, saturday + timedelta(days=1), Granularity.RANGE
        return None
    word = " ".join(match.group("w").split())
    if "before yesterday" in word:
        return _day(pub - timedelta(days=2))
    if word in ("yesterday", "last night"):
        return _day(pub - timedelta(days=1))
    if word == "tomorrow":
        return _day(pub + timedelta(days=1))
    return _day(pub)


def _weekday(text: str, pub: date) -> _Span | None:
    """Most recent such day up to publication; "next"/"coming" the one after."""
    match = _WEEKDAY.search(text)
    if not match:
        return None
    weekday = _WEEKDAYS[match.group("wd")]
    qualifier = " ".join((match.group("q") or "").split())
    if qualifier in ("next", "this coming", "coming"):
        return _day(pub + timedelta(days=(weekday - pub.weekday() - 1) % 7 + 1))
    back = (pub.weekday() - weekday) % 7
    if back == 0 and qualifier in ("last", "this past", "past"):
        back = 7
    return _day(pub - timedelta(days=back))


def _period(text: str, pub: date) -> _Span | None:
    """this/last/next week, weekend, month, year, with earlier/later/early/mid/late."""
    match = _PERIOD.search(text)
    if not match:
        return None
    unit, rel = match.group("unit"), match.group("rel")
    step = {"this": 0, "next": 1}.get(rel, -1)
    first, last = _unit_bounds(unit, pub, step)
    part = " ".join((match.group("part") or "").split()).removeprefix("the ")
    if part == "earlier" and step == 0:
        last = min(last, pub)
    elif part == "later" and step == 0:
        first = max(first, pub)
    elif part:
        first, last = _part_of(first, last, part)
    granularity = Granularity.RANGE if part else _UNIT_GRANULARITY[unit]
    return first, last, granularity


_UNIT_GRANULARITY = {
    "day": Granularity.DAY,
    "week": Granularity.WEEK,
    "weekend": Granularity.RANGE,
    "month": Granularity.MONTH,
    "year": Granularity.YEAR,
}


def _unit_bounds(unit: str, pub: date, step: int) -> tuple[date, date]:
    """The whole week/weekend/month/year ``step`` units from the one holding ``pub``."""
    if unit in ("week", "weekend"):
        monday = pub - timedelta(days=pub.weekday()) + timedelta(weeks=step)
        if unit == "weekend":
            # "last weekend" read on a Sunday or Monday is the one just gone.
            if step == -1 and pub.weekday() in (6, 0):
                monday += timedelta(weeks=1 if pub.weekday() == 0 else 0)
                if pub.weekday() == 6:
                    return pub - timedelta(days=1), pub
            return monday + timedelta(days=5), monday + timedelta(days=6)
        return monday, monday + timedelta(days=6)
    if unit == "month":
        year, month = divmod(pub.year * 12 + pub.month - 1 + step, 12)
        return _month_bounds(year, month + 1)
    return date(pub.year + step, 1, 1), date(pub.year + step, 12, 31)


def _part_of(first: date, last: date, part: str) -> tuple[date, date]:
    """early/mid/late thirds of a period; its start or end (a tenth of it)."""
    days = (last - first).days + 1
    third = max(days // 3, 1)
    if part == "early":
        return first, first + timedelta(days=third - 1)
    if part == "mid":
        return first + timedelta(days=third), last - timedelta(days=third)
    if part == "late":
        return last - timedelta(days=third - 1), last
    tenth = max(days // 10, 1)
    if part.endswith("end of"):
        return last - timedelta(days=tenth - 1), last
    return first, first + timedelta(days=tenth - 1)


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS.get(word, 1)


def _ago(text: str, pub: date) -> _Span | None:
    match = _AGO.search(text)
    if not match:
        return None
    n, unit = _count(match.group("n")), match.group("unit")
    if unit == "day":
        return _day(pub - timedelta(days=n))
    if unit == "week":
        first, last = _unit_bounds("week", pub - timedelta(weeks=n), 0)
        return first, last, Granularity.WEEK
    if unit == "month":
        first, last = _unit_bounds("month", pub, -n)
        return first, last, Granularity.MONTH
    return date(pub.year - n, 1, 1), date(pub.year - n, 12, 31), Granularity.YEAR


def _past_n(text: str, pub: date) -> _Span | None:
    """ "the past 10 days", "the last two weeks": from that long ago to publication."""
    match = _PAST_N.search(text)
    if not match:
        return None
    n, unit = _count(match.group("n")), match.group("unit")
    days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit] * n
    return pub - timedelta(days=days), pub, Granularity.RANGE


def _in_past_year(pub: date, month: int, day: int, year: str | None) -> date | None:
    """The date in the given year, else the publication year unless that is in the future."""
    try:
        if year:
            return date(int(year), month, day)
        candidate = date(pub.year, month, day)
        return candidate if candidate <= pub else date(pub.year - 1, month, day)
    except ValueError:  # 30 February, 29 February outside a leap year
        return None


def _day_ranges(text: str, pub: date) -> _Span | None:
    match = _DAY_TO_DAY.search(text)
    if match:
        first_month, last_month = MONTHS[match["m1"]], MONTHS[match["m2"]]
        first = _in_past_year(pub, first_month, int(match["d1"]), match["y"])
        last = _in_past_year(pub, last_month, int(match["d2"]), match["y"])
        return _ordered_range(first, last)
    match = _DAY_RANGE.search(text)
    if not match:
        return None
    if match["m"]:
        month, d1, d2, year = MONTHS[match["m"]], match["d1"], match["d2"], match["y"]
        last_month = month
    else:
        month, d1, d2, year = MONTHS[match["m2"]], match["d3"], match["d4"], match["y2"]
        last_month = MONTHS[match["m3"]] if match["m3"] else month
    first = _in_past_year(pub, month, int(d1), year)
    last = None
    if first is not None:
        try:
            last = date(first.year, last_month, int(d2))
        except ValueError:
            return None
    return _ordered_range(first, last)


def _ordered_range(first: date | None, last: date | None) -> _Span | None:
    if first is None or last is None:
        return None
    if last < first:  # "28 December to 2 January": the range crosses a year end
        try:
            last = last.replace(year=last.year + 1)
        except ValueError:
            return None
    return first, last, Granularity.RANGE


def _month_day(text: str, pub: date) -> _Span | None:
    match = _MONTH_DAY.search(text)
    if not match:
        return None
    if match["m"]:
        month, day, year = MONTHS[match["m"]], int(match["d"]), match["y"]
    else:
        month, day, year = MONTHS[match["m2"]], int(match["d2"]), match["y2"]
    resolved = _in_past_year(pub, month, day, year)
    return _day(resolved) if resolved else None


def _month(text: str, pub: date) -> _Span | None:
    match = _MONTH.search(text)
    # "may" alone is more often the verb than the month.
    if not match or (match["m"] == "may" and not match["y"] and not match["part"]):
        return None
    month = MONTHS[match["m"]]
    year = int(match["y"]) if match["y"] else pub.year
    if not match["y"] and date(year, month, 1) > pub:
        year -= 1
    first, last = _month_bounds(year, month)
    if match["part"]:
        first, last = _part_of(first, last, match["part"])
        return first, last, Granularity.RANGE
    return first, last, Granularity.MONTH


def _decade(text: str, pub: date) -> _Span | None:
    match = _DECADE.search(text)
    if not match:
        return None
    first_year = int(match["y"]) * 10
    return date(first_year, 1, 1), date(first_year + 9, 12, 31), Granularity.DECADE


def _year(text: str, pub: date) -> _Span | None:
    match = _YEAR.search(text)
    if not match:
        return None
    year = int(match["y"])
    return date(year, 1, 1), date(year, 12, 31), Granularity.YEAR


def _resolve_numeric(text: str) -> _Span | None:
    """ISO dates, and "в 2015 году" (which dateparser reads as year 9)."""
    match = _ISO.search(text)
    if match:
        try:
            return _day(date(int(match["y"]), int(match["m"]), int(match["d"])))
        except ValueError:
            return None
    digits = re.findall(r"\d+", text)
    if len(digits) == 1 and _YEAR.fullmatch(text.removeprefix("в ").strip()):
        return _year(text, date.min)
    return None


def _dateparser(text: str, pub: date, lang: str) -> _Span | None:
    from dateparser.date import DateDataParser

    base = datetime(pub.year, pub.month, pub.day, 12)
    settings: dict[str, Any] = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"}
    languages = [lang] if lang != "en" else ["en"]
    try:
        data = DateDataParser(languages=languages, settings=settings).get_date_data(text)
    except ValueError:  # a language dateparser does not know
        return None
    found = data.date_obj
    if found is None or not 1900 <= found.year <= 2100:
        return None
    day = found.date()
    if data.period == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31), Granularity.YEAR
    if data.period == "month":
        first, last = _month_bounds(day.year, day.month)
        return first, last, Granularity.MONTH
    if data.period == "week":
        first, last = _unit_bounds("week", day, 0)
        return first, last, Granularity.WEEK
    return _day(day)


# -- finding expressions --------------------------------------------------------------

_SPACY_LABELS = ("DATE", "TIME")
# TIME spans worth resolving name a day ("last night", "Monday evening").
_DAY_WORDS = re.compile(
    r"\b(?:tonight|yesterday|today|tomorrow|last\s+night|overnight|monday|tuesday|wednesday"
    r"|thursday|friday|saturday|sunday)\b",
    re.I,
)
_FINDERS: dict[str, re.Pattern[str]] = {
    "en": re.compile(
        r"\b(?:the\s+day\s+before\s+yesterday|yesterday|today|tonight|tomorrow|last\s+night"
        r"|(?:(?:earlier|later|early|late|mid)[\s-]+)?(?:this|last|past|previous|next)\s+"
        r"(?:week|weekend|month|year)"
        r"|(?:last|next|this\s+past\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day"
        r"(?:\s+(?:morning|afternoon|evening|night))?"
        r"|\d+\s+(?:days?|weeks?|months?|years?)\s+ago|(?:over\s+)?the\s+weekend"
        r"|(?:from\s+)?\d{1,2}(?:st|nd|rd|th)?(?:\s*(?:-|–|to|and)\s*\d{1,2}(?:st|nd|rd|th)?)?"
        r"\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
        r"(?:,?\s+(?:19|20)\d\d)?"
        r"|(?:jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?"
        r"(?:\s*(?:-|–|to)\s*\d{1,2})?(?:,?\s+(?:19|20)\d\d)?"
        r"|in\s+(?:19|20)\d\d|(?:19|20)\d\d-[01]\d-[0-3]\d)\b",
        re.I,
    ),
    "ru": re.compile(
        r"(?<!\w)(?:позавчера|вчера|сегодня|завтра"
        r"|(?:в|во)\s+(?:понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье)"
        r"|\d{1,2}\s+(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября"
        r"|ноября|декабря)(?:\s+(?:19|20)\d\d(?:\s+года)?)?"
        r"|в\s+(?:19|20)\d\d\s+году|(?:19|20)\d\d-[01]\d-[0-3]\d)(?!\w)",
        re.I,
    ),
    "ar": re.compile(
        r"(?<!\w)(?:أمس|الأمس|اليوم|غدا|غداً"
        r"|(?:يوم\s+)?(?:الاثنين|الإثنين|الثلاثاء|الأربعاء|الخميس|الجمعة|السبت|الأحد)"
        r"|\d{1,2}\s+(?:يناير|فبراير|مارس|أبريل|ابريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر"
        r"|نوفمبر|ديسمبر|كانون\s+الثاني|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول"
        r"|تشرين\s+الأول|تشرين\s+الثاني|كانون\s+الأول)(?:\s+(?:19|20)\d\d)?"
        r"|(?:19|20)\d\d-[01]\d-[0-3]\d)(?!\w)"
    ),
    "fa": re.compile(
        r"(?<!\w)(?:دیروز|امروز|فردا|(?:روز\s+)?(?:شنبه|یکشنبه|دوشنبه|سه‌شنبه|چهارشنبه"
        r"|پنجشنبه|جمعه)|(?:19|20)\d\d-[01]\d-[0-3]\d)(?!\w)"
    ),
}


def find_dates(
    doc_or_text: Any, published: datetime | date, lang: str = "en"
) -> list[ResolvedDate]:
    """Every resolvable date expression of a document, in order.

    Given a spaCy Doc, its DATE spans (and TIME spans that name a day) are resolved, with
    what a regex for ``lang`` finds (en, ru, ar, fa; others use en's); given a plain
    string, the regex alone. Expressions that cannot be resolved are left out.
    """
    found = [
        resolve(text, published, lang, start=start)
        for text, start in _expressions(doc_or_text, lang)
    ]
    return [date_ for date_ in found if date_.resolved]


def _expressions(doc_or_text: Any, lang: str) -> list[tuple[str, int]]:
    """Candidate expressions; with a Doc, its DATE spans plus the regex's (longer wins).

    The regex also runs over a Doc because NER cuts some ranges short ("3 to 5" of
    "from 3 to 5 May").
    """
    finder = _FINDERS.get(lang, _FINDERS["en"])
    text = doc_or_text if isinstance(doc_or_text, str) else doc_or_text.text
    spans = [(m.start(), m.end()) for m in finder.finditer(text)]
    if not isinstance(doc_or_text, str):
        spans += [
            (ent.start_char, ent.end_char)
            for ent in doc_or_text.ents
            if ent.label_ == "DATE" or (ent.label_ == "TIME" and _DAY_WORDS.search(ent.text))
        ]
    spans.sort(key=lambda span: (span[0], span[0] - span[1]))
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if kept and start < kept[-1][1]:
            if end - start > kept[-1][1] - kept[-1][0]:
                kept[-1] = (start, end)
            continue
        kept.append((start, end))
    return [(text[start:end], start) for start, end in kept]
