"""Working days and months for statutory deadlines."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commissioning import calendar


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2026, 11, 4), 5, date(2026, 11, 11)),  # decisions.md: notify the Panel
        (date(2026, 11, 4), 15, date(2026, 11, 25)),  # decisions.md: rapid review
        (date(2026, 4, 1), 5, date(2026, 4, 10)),  # Good Friday and Easter Monday
        (date(2026, 12, 24), 5, date(2027, 1, 5)),  # Christmas, Boxing Day substitute, New Year
        (date(2026, 4, 2), 5, date(2026, 4, 13)),
        (date(2022, 9, 16), 1, date(2022, 9, 20)),  # the one-off bank holiday for the Queen's funeral
        (date(2026, 11, 7), 1, date(2026, 11, 9)),  # from a Saturday, the next Monday is day 1
        (date(2026, 11, 7), 0, date(2026, 11, 7)),
    ],
)
def test_working_days_skip_weekends_and_england_and_wales_bank_holidays(
    start: date, count: int, expected: date
) -> None:
    assert calendar.add_working_days(start, count) == expected


def test_a_count_longer_than_a_year_still_lands_on_a_working_day() -> None:
    day = calendar.add_working_days(date(2026, 1, 2), 600)
    assert calendar.is_working_day(day) and day.year == 2028


@given(st.dates(date(2006, 1, 1), date(2035, 12, 31)), st.integers(0, 300))
def test_working_days_agree_with_counting_one_day_at_a_time(start: date, count: int) -> None:
    day, left = start, count
    while left > 0:
        day += timedelta(days=1)
        left -= calendar.is_working_day(day)
    assert calendar.add_working_days(start, count) == day


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 11, 15), 1, date(2026, 12, 15)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_months_keep_the_day_or_end_on_the_last_day_of_a_shorter_month(
    start: date, count: int, expected: date
) -> None:
    assert calendar.add_months(start, count) == expected
    assert calendar.due(start, count, "months") == expected


def test_due_counts_each_unit() -> None:
    start = date(2026, 11, 4)
    assert calendar.due(start, 5, "working_days") == date(2026, 11, 11)
    assert calendar.due(start, 14, "days") == date(2026, 11, 18)
    assert calendar.due(start, 26, "weeks") == date(2027, 5, 5)


@pytest.mark.parametrize(
    ("count", "unit", "words"),
    [
        (5, "working_days", "5 working days"),
        (1, "months", "1 month"),
        (26, "weeks", "26 weeks"),
        (1, "days", "1 day"),
    ],
)
def test_describe_says_the_length_in_words(count: int, unit: str, words: str) -> None:
    assert calendar.describe(count, unit) == words
