"""Dates and times in chronologies, read as a UK reader reads them: day first, uncertainty kept."""

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commissioning.chronology.dates import ChronoDate, DateError, Period, long_date, parse_date, parse_time

REVIEW = Period(date(2015, 1, 1), date(2016, 12, 31))


@pytest.mark.parametrize(
    "written",
    [
        "22/05/2016",
        "22/5/2016",
        "22.05.16",
        "22-05-2016",
        "22 / 05 / 2016",
        "22 May 2016",
        "22 may 2016",
        "22nd May 2016",
        "22nd of May 2016",
        "22-May-16",
        "22 May 16",
        "22May2016",
        "2016-05-22",
        "2016/05/22",
        "May 22, 2016",
        "May 22nd 2016",
        "Sunday 22 May 2016",
        "Sun 22/05/2016",
        "  22/05/2016  ",
    ],
)
def test_every_usual_uk_form_of_a_day_reads_as_that_day(written: str) -> None:
    read = parse_date(written, REVIEW)
    assert (read.start, read.end, read.uncertain, read.is_range) == (
        date(2016, 5, 22),
        date(2016, 5, 22),
        False,
        False,
    )
    assert read.shown() == "22/05/2016"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("01/02/2016", date(2016, 2, 1)),  # 1 February, never 2 January
        ("12/11/2016", date(2016, 11, 12)),
        ("3.4.16", date(2016, 4, 3)),
        ("06-07-2015", date(2015, 7, 6)),
        ("4 Sept 2016", date(2016, 9, 4)),
        ("4th September 2016", date(2016, 9, 4)),
        ("1st Jan 2016", date(2016, 1, 1)),
        ("2nd Feb 16", date(2016, 2, 2)),
        ("3rd Mar. 2016", date(2016, 3, 3)),
        ("Weds 2 March 2016", date(2016, 3, 2)),
    ],
)
def test_a_numeric_date_is_read_day_first(written: str, expected: date) -> None:
    assert parse_date(written, REVIEW).start == expected


@given(st.dates(date(1950, 1, 1), date(2060, 12, 31)))
def test_a_day_written_day_first_reads_back_as_that_day(day: date) -> None:
    period = Period(day, day)
    for written in (f"{day:%d/%m/%Y}", f"{day:%d.%m.%y}", long_date(day), day.isoformat(), f"{day:%d-%b-%y}"):
        assert parse_date(written, period).start == day


@pytest.mark.parametrize(
    ("written", "start", "end", "shown"),
    [
        ("?22 May 2016", date(2016, 5, 22), date(2016, 5, 22), "?22/05/2016"),
        ("22/05/2016?", date(2016, 5, 22), date(2016, 5, 22), "?22/05/2016"),
        ("c. 22 May 2016", date(2016, 5, 22), date(2016, 5, 22), "?22/05/2016"),
        ("May 2016", date(2016, 5, 1), date(2016, 5, 31), "May 2016"),
        ("May-16", date(2016, 5, 1), date(2016, 5, 31), "May 2016"),
        ("05/2016", date(2016, 5, 1), date(2016, 5, 31), "May 2016"),
        ("2016-05", date(2016, 5, 1), date(2016, 5, 31), "May 2016"),
        ("Feb 2016", date(2016, 2, 1), date(2016, 2, 29), "February 2016"),
        ("c. May 2016", date(2016, 5, 1), date(2016, 5, 31), "?May 2016"),
        ("circa May 2016", date(2016, 5, 1), date(2016, 5, 31), "?May 2016"),
        ("approx. May 2016", date(2016, 5, 1), date(2016, 5, 31), "?May 2016"),
        ("about May 2016", date(2016, 5, 1), date(2016, 5, 31), "?May 2016"),
        ("?May 2016", date(2016, 5, 1), date(2016, 5, 31), "?May 2016"),
        ("2016", date(2016, 1, 1), date(2016, 12, 31), "2016"),
        ("c 2016", date(2016, 1, 1), date(2016, 12, 31), "?2016"),
    ],
)
def test_an_uncertain_date_sorts_at_its_first_day_and_stays_marked(
    written: str, start: date, end: date, shown: str
) -> None:
    read = parse_date(written, REVIEW)
    assert (read.start, read.end, read.uncertain, read.shown()) == (start, end, True, shown)


@pytest.mark.parametrize(
    ("written", "start", "end", "uncertain", "shown"),
    [
        ("22-24 May 2016", date(2016, 5, 22), date(2016, 5, 24), False, "22/05/2016 to 24/05/2016"),
        ("22nd - 24th May 2016", date(2016, 5, 22), date(2016, 5, 24), False, "22/05/2016 to 24/05/2016"),
        ("22/05/2016 - 24/05/2016", date(2016, 5, 22), date(2016, 5, 24), False, "22/05/2016 to 24/05/2016"),
        ("22/05/2016-24/05/2016", date(2016, 5, 22), date(2016, 5, 24), False, "22/05/2016 to 24/05/2016"),
        ("22/05/2016 to 24/05/2016", date(2016, 5, 22), date(2016, 5, 24), False, "22/05/2016 to 24/05/2016"),
        ("22/05 - 03/06/2016", date(2016, 5, 22), date(2016, 6, 3), False, "22/05/2016 to 03/06/2016"),
        ("22 May \u2013 3 June 2016", date(2016, 5, 22), date(2016, 6, 3), False, "22/05/2016 to 03/06/2016"),
        ("2016-05-22 - 2016-05-24", date(2016, 5, 22), date(2016, 5, 24), False, "22/05/2016 to 24/05/2016"),
        ("22 Dec - 3 Jan 2016", date(2015, 12, 22), date(2016, 1, 3), False, "22/12/2015 to 03/01/2016"),
        ("May to June 2016", date(2016, 5, 1), date(2016, 6, 30), True, "May 2016 to June 2016"),
        ("2015-2016", date(2015, 1, 1), date(2016, 12, 31), True, "2015 to 2016"),
        ("?22-24 May 2016", date(2016, 5, 22), date(2016, 5, 24), True, "?22/05/2016 to 24/05/2016"),
        (
            "22 May 2016 - ?24 May 2016",
            date(2016, 5, 22),
            date(2016, 5, 24),
            True,
            "?22/05/2016 to 24/05/2016",
        ),
        ("22 May until 24 May 2016", date(2016, 5, 22), date(2016, 5, 24), False, "22/05/2016 to 24/05/2016"),
    ],
)
def test_a_range_runs_from_its_first_day_to_its_last(
    written: str, start: date, end: date, uncertain: bool, shown: str
) -> None:
    read = parse_date(written, REVIEW)
    assert (read.start, read.end, read.is_range, read.uncertain, read.shown()) == (
        start,
        end,
        True,
        uncertain,
        shown,
    )


@pytest.mark.parametrize(
    ("written", "period", "expected"),
    [
        ("01/02/99", Period(date(1998, 1, 1), date(2000, 12, 31)), date(1999, 2, 1)),
        ("01/02/99", Period(date(2095, 1, 1), date(2100, 12, 31)), date(2099, 2, 1)),
        ("01/02/16", REVIEW, date(2016, 2, 1)),
        ("01/02/05", Period(date(2000, 1, 1), date(2001, 12, 31)), date(2005, 2, 1)),
        ("31/12/99", Period(date(2000, 1, 1), date(2001, 12, 31)), date(1999, 12, 31)),
        ("May 99", Period(date(2000, 1, 1), date(2001, 12, 31)), date(1999, 5, 1)),
        ("22-May-98", Period(date(2001, 1, 1), date(2002, 12, 31)), date(1998, 5, 22)),
    ],
)
def test_a_two_digit_year_takes_the_century_nearest_the_period_under_review(
    written: str, period: Period, expected: date
) -> None:
    assert parse_date(written, period).start == expected


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("31/02/2016", "February 2016 has 29 days."),
        ("29/02/2015", "February 2015 has 28 days."),
        ("31 April 2016", "April 2016 has 30 days."),
        ("0/05/2016", "there is no day 0."),
        ("13/13/2016", "there is no month 13."),
        ("22/00/2016", "there is no month 0."),
        ("05/22/2016", "there is no month 22 (dates are read day first, so 22 May is 22/05, not 05/22)."),
        ("Mon 22 May 2016", "22 May 2016 was a Sunday, not a Monday: check which is right."),
        ("Friday May 2016", "write it as 22/05/2016"),
        ("Mon 2016", "'2016' names a day of the week but no day of the month."),
        ("22 Mya 2016", "'mya' is not a month"),
        ("1016", "the year 1016 looks mistyped."),
        ("22/05/2160", "the year 2160 looks mistyped."),
        ("22/05", "it has no year; write it as 22/05/2016"),
        ("22 May", "it has no year; write it as 22/05/2016"),
        ("next Tuesday", "write it as 22/05/2016, or ?22/05/2016 or May 2016 if the day is not certain."),
        ("tomorrow - next week", "write it as 22/05/2016"),
        ("soon after - 2016", "write it as 22/05/2016"),
        ("22 Foo", "write it as 22/05/2016"),
        ("22/05.2016", "write it as 22/05/2016"),
        ("", "the date is missing"),
        ("24-22 May 2016", "the range ends (22/05/2016) before it starts (24/05/2016)."),
        ("31/02/2016 - 03/03/2016", "February 2016 has 29 days."),
    ],
)
def test_a_date_that_cannot_be_read_says_why(written: str, reason: str) -> None:
    with pytest.raises(DateError) as raised:
        parse_date(written, REVIEW)
    assert reason in str(raised.value)


def test_a_month_first_date_is_never_read_month_first() -> None:
    with pytest.raises(DateError):
        parse_date("12/25/2016", REVIEW)
    assert parse_date("12/05/2016", REVIEW).start == date(2016, 5, 12)


def test_a_date_says_itself_as_the_api_gives_it() -> None:
    assert parse_date("22/05/2016", REVIEW).to_json() == {
        "date": "2016-05-22",
        "end": None,
        "uncertain": False,
        "precision": "day",
        "shown": "22/05/2016",
    }
    assert parse_date("?May 2016", REVIEW).to_json() == {
        "date": "2016-05-01",
        "end": "2016-05-31",
        "uncertain": True,
        "precision": "month",
        "shown": "?May 2016",
    }
    single = ChronoDate(date(2016, 5, 22), date(2016, 5, 24), "day", "day", is_range=True)
    assert single.to_json()["end"] == "2016-05-24"


def test_the_period_measures_how_far_a_date_is_from_it() -> None:
    assert REVIEW.distance(date(2014, 12, 30), date(2014, 12, 31)) == 1
    assert REVIEW.distance(date(2017, 1, 3), date(2017, 1, 3)) == 3
    assert REVIEW.distance(date(2014, 1, 1), date(2015, 1, 1)) == 0
    assert REVIEW.describe() == "1 January 2015 to 31 December 2016"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("14:30", time(14, 30)),
        ("14.30", time(14, 30)),
        ("14:30:00", time(14, 30)),
        ("2.30pm", time(14, 30)),
        ("2:30 PM", time(14, 30)),
        ("2pm", time(14)),
        ("9 a.m.", time(9)),
        ("12am", time(0)),
        ("12pm", time(12)),
        ("1430", time(14, 30)),
        ("0930", time(9, 30)),
        ("930", time(9, 30)),
        ("1430hrs", time(14, 30)),
        ("14:30 hrs", time(14, 30)),
        ("noon", time(12)),
        ("Midnight", time(0)),
        ("", None),
        ("   ", None),
    ],
)
def test_a_time_is_read_in_the_forms_people_write(written: str, expected: time | None) -> None:
    assert parse_time(written) == expected


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("25:00", "hours run from 00 to 23."),
        ("2400", "hours run from 00 to 23."),
        ("14:75", "minutes run from 00 to 59."),
        ("13pm", "with am or pm the hour runs from 1 to 12."),
        ("0am", "with am or pm the hour runs from 1 to 12."),
        ("morning", "leave the time empty and say 'morning'"),
        ("14", "write it as 14:30"),
    ],
)
def test_a_time_that_cannot_be_read_says_why(written: str, reason: str) -> None:
    with pytest.raises(DateError) as raised:
        parse_time(written)
    assert reason in str(raised.value)
