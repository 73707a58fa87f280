"""Where an agency's chronology stands, in the words the pages and Slack use, and rows kept as JSON come
back as they were checked."""

from datetime import date, time

import pytest

from commissioning.chronology import records
from commissioning.chronology.checks import Entry
from commissioning.chronology.dates import ChronoDate
from commissioning.chronology.status import standing

DUE = date(2026, 12, 31)


@pytest.mark.parametrize(
    ("today", "accepted", "problems", "words"),
    [
        (date(2026, 12, 30), False, False, "requested, due in 1 day"),
        (date(2026, 12, 29), False, True, "received with problems, due in 2 days"),
        (DUE, False, False, "requested, due today"),
        (date(2027, 1, 1), False, True, "late by 1 day"),
        (date(2027, 1, 4), False, False, "late by 4 days"),
        (date(2027, 3, 1), True, False, "accepted"),
    ],
)
def test_standing_in_words(today: date, accepted: bool, problems: bool, words: str) -> None:
    found = standing(due_on=DUE, accepted=accepted, problems=problems, today=today)
    assert found.words() == words
    assert found.to_json()["words"] == words


@pytest.mark.parametrize(
    "entry",
    [
        Entry(
            2,
            "row 2",
            ChronoDate(date(2016, 5, 22), date(2016, 5, 22), "day", "day"),
            time(9, 30),
            1,
            "GP",
            "Seen",
        ),
        Entry(
            7,
            "Table 2, row 3",
            ChronoDate(date(2016, 5, 1), date(2016, 6, 30), "month", "month", doubted=True, is_range=True),
            None,
            None,
            "Case file",
            "Visits",
            role="Social worker",
            comment="Missed twice",
            extra={"ethnicity_recorded": "no"},
        ),
    ],
)
def test_a_kept_row_comes_back_as_checked(entry: Entry) -> None:
    assert records.from_record(records.to_record(entry)) == entry
