"""Every row checked before anything is stored: each problem named by its row and column as the file
shows them, in sentences a review administrator can act on."""

from datetime import date, time

import pytest

from commissioning.chronology.checks import Checked, check
from commissioning.chronology.columns import STANDARD, added_column, with_added
from commissioning.chronology.dates import Period
from commissioning.chronology.files import read_file

REVIEW = Period(date(2015, 1, 1), date(2016, 12, 31))


def checked(csv_text: str, columns=STANDARD) -> Checked:  # type: ignore[no-untyped-def]
    return check(read_file("agency.csv", csv_text.encode(), columns), REVIEW, columns)


def test_a_clean_file_is_accepted_with_every_row_read() -> None:
    result = checked(
        "Date,Time,Sequence,Source of information,Event,Practitioner role,Significance or comment\n"
        "22/05/2016,14:30,1,GP notes,Home visit,Health visitor,First contact\n"
        "22/05/2016,,2,GP notes,Call to mother,Health visitor,\n"
        "?June 2016,,,Case file,Referral,Social worker,\n"
    )
    assert result.problems == () and result.acceptable
    first = result.entries[0]
    assert (first.row, first.when.start, first.time, first.sequence) == (
        2,
        date(2016, 5, 22),
        time(14, 30),
        1,
    )
    assert (first.source, first.event, first.role, first.comment) == (
        "GP notes",
        "Home visit",
        "Health visitor",
        "First contact",
    )
    assert result.entries[2].when.uncertain
    assert result.entries[2].to_json() == {
        "date": "2016-06-01",
        "end": "2016-06-30",
        "uncertain": True,
        "precision": "month",
        "shown": "?June 2016",
        "time": None,
        "sequence": None,
        "source": "Case file",
        "event": "Referral",
        "role": "Social worker",
        "comment": "",
    }


def test_a_bad_file_lists_every_problem_with_its_row_and_column() -> None:
    result = checked(
        "Chronology: Northtown Health\n"
        "Date of event,Time,Seq,Source,What happened\n"
        "22/05/2016,14:30,1,GP notes,Home visit\n"
        "31/02/2016,,,GP notes,Visit\n"
        ",,,,\n"
        "03/05/2016,,,,\n"
        "22/05/2016,14:30,1,gp   NOTES,home  visit\n"
        "22/05/2014,25:00,,Case file,Visit\n"
        "05/22/2016,,a,Case file,Call\n"
        ",,,Case file,Call\n"
        "22/05/2016 2pm,15:00,,Case file,Call\n"
        "22/05/2016 2pm,,,Case file,Call\n"
        "Mon 22/05/2016,,,Case file,Call\n"
    )
    assert not result.acceptable
    assert [(p.row, p.column, p.severity, p.msg) for p in result.problems] == [
        (4, "Date of event", "error",
         "Row 4, Date of event: '31/02/2016' is not a date: February 2016 has 29 days."),
        (6, "Source", "error",
         "Row 6, Source: The source is missing: say which record this comes from (for example GP notes, case "
         "file or call log)."),
        (6, "What happened", "error", "Row 6, What happened: The event is missing: say what happened."),
        (7, "What happened", "error",
         "Row 7, What happened: This row repeats Row 3 (the same date, time, source and event). Delete it, "
         "or if it happened twice, give each its time or say so in the event."),
        (8, "Time", "error", "Row 8, Time: '25:00' is not a time: hours run from 00 to 23."),
        (8, "Date of event", "warning",
         "Row 8, Date of event: 22/05/2014 is before the period under review (1 January 2015 to 31 December "
         "2016): check the date, or accept this if the event matters to the review."),
        (9, "Date of event", "error",
         "Row 9, Date of event: '05/22/2016' is not a date: there is no month 22 (dates are read day first, "
         "so 22 May is 22/05, not 05/22)."),
        (9, "Seq", "error", "Row 9, Seq: 'a' is not a whole number: number the events of a day 1, 2, 3."),
        (10, "Date of event", "error",
         "Row 10, Date of event: The date is missing: write it as 22/05/2016, or ?22/05/2016 or May 2016 if "
         "the day is not certain."),
        (11, "Time", "error",
         "Row 11, Time: The date cell says 2pm but the time cell says 15:00: keep the right one in the time "
         "cell and take the time out of the date."),
        (12, "Date of event", "warning",
         "Row 12, Date of event: 22/05/2016 14:00 comes before the row above it (Row 3, 22/05/2016 14:30): "
         "check the date, or accept this and the composite will put the event in date order."),
        (13, "Date of event", "error",
         "Row 13, Date of event: 'Mon 22/05/2016' is not a date: 22 May 2016 was a Sunday, not a Monday: "
         "check which is right."),
    ]  # fmt: skip
    assert [entry.row for entry in result.entries] == [3, 12]
    assert result.entries[1].time == time(14)
    assert len(result.errors) == 10 and len(result.warnings) == 2
    assert result.problems[0].to_json() == {
        "row": 4,
        "column": "Date of event",
        "msg": "Row 4, Date of event: '31/02/2016' is not a date: February 2016 has 29 days.",
        "severity": "error",
    }


@pytest.mark.parametrize(
    ("csv_text", "expected"),
    [
        (
            "Date,Event\n22/05/2016,Visit\n22/05/2016,\n",
            ["Row 1: there is no 'Source of information' column", "Row 3, Event: The event is missing"],
        ),
        ("Source,Event\na,b\nc,d\n", ["Row 1: there is no 'Date' column"]),
    ],
)
def test_a_missing_column_is_one_problem_not_one_a_row(csv_text: str, expected: list[str]) -> None:
    result = checked(csv_text)
    assert [p.msg[: len(start)] for p, start in zip(result.problems, expected, strict=False)] == expected
    assert len(result.problems) == len(expected)
    assert not result.acceptable and result.entries == ()


def test_warnings_alone_can_be_accepted() -> None:
    result = checked(
        "Date,Source,Event\n"
        "22/05/2016,GP notes,Home visit\n"
        "03/05/2016,GP notes,Call\n"
        "2017,GP notes,Discharge\n"
        "2014 - 2015,GP notes,Earlier history\n"
    )
    assert result.acceptable and len(result.entries) == 4
    assert [(p.row, p.severity) for p in result.problems] == [(3, "warning"), (4, "warning"), (5, "warning")]
    assert result.problems[0].msg == (
        "Row 3, Date: 03/05/2016 comes before the row above it (Row 2, 22/05/2016): check the date, or "
        "accept this and the composite will put the event in date order."
    )
    assert result.problems[1].msg.startswith("Row 4, Date: 2017 is after the period under review")
    assert result.problems[2].msg.startswith(
        "Row 5, Date: 2014 to 2015 comes before the row above it (Row 4, 2017)"
    )


def test_order_is_judged_by_what_is_certain() -> None:
    result = checked(
        "Date,Time,Sequence,Source,Event\n"
        "22/05/2016,14:00,,a,first\n"
        "May 2016,,,a,vague, may be earlier\n"  # could be any day of May: not out of order
        "22/05/2016,10:00,,a,a time earlier than 14:00 but after a vague date\n"
        "22/05/2016,09:00,,a,earlier than the row above\n"
        "22/05/2016,09:00,2,a,second that hour\n"
        "22/05/2016,09:00,1,a,numbered before the row above\n"
        "22/05/2016,,3,a,no time, so its place that day is not known\n"
        "?23/05/2016,,,a,doubted\n"
        "?23/05/2016,,,a,also doubted\n"
    )
    assert [(p.row, p.severity) for p in result.problems] == [(5, "warning"), (7, "warning")]
    assert (
        "22/05/2016 09:00 comes before the row above it (Row 4, 22/05/2016 10:00)" in result.problems[0].msg
    )


def test_a_repeat_ignores_case_and_spacing_but_not_the_time() -> None:
    result = checked(
        "Date,Time,Source,Event\n"
        "22/05/2016,,GP notes,Phone call to mother - no answer\n"
        "22/05/2016,10:00,GP notes,Phone call to mother - no answer\n"
        "22 May 2016,, gp notes ,PHONE CALL  to mother - no answer\n"
    )
    assert [(p.row, p.column) for p in result.problems] == [(4, "Event")]
    assert "repeats Row 2" in result.problems[0].msg


def test_a_partnerships_required_column_must_be_filled_and_its_values_are_kept() -> None:
    columns = with_added([added_column("Ethnicity recorded", required=True), added_column("Team")])
    result = checked(
        "Date,Source,Event,Ethnicity recorded,Team\n22/05/2016,a,b,White British,North\n23/05/2016,a,c,,\n",
        columns,
    )
    assert [p.msg for p in result.problems] == [
        "Row 3, Ethnicity recorded: This is empty, and every row needs its ethnicity recorded."
    ]
    assert result.entries[0].extra == {"ethnicity_recorded": "White British", "team": "North"}
    assert result.entries[0].to_json()["team"] == "North"


def test_a_time_typed_into_the_date_cell_is_the_rows_time() -> None:
    result = checked(
        "Date,Source,Event\n22/05/2016 14:30,a,b\n23/05/2016 at 9am,a,c\n24/05/2016 25:00,a,d\n"
        "2016-05-25 09:05,a,e\n"
    )
    assert [(entry.row, entry.time) for entry in result.entries] == [
        (2, time(14, 30)),
        (3, time(9)),
        (5, time(9, 5)),
    ]
    assert [p.msg for p in result.problems] == [
        "Row 4, Date: '25:00' is not a time: hours run from 00 to 23."
    ]
