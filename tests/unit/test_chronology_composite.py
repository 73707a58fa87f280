"""The composite chronology: accepted chronologies merged in date order, each row with its agency, and the
marks a reviewer looks for: the same event from two agencies, gaps, clusters and the final weeks."""

import io
from datetime import date, time

import pytest
from docx import Document
from openpyxl import load_workbook

from commissioning.chronology.checks import Entry, check
from commissioning.chronology.composite import AgencyChronology, Settings, merge, order_key
from commissioning.chronology.dates import Period, parse_date
from commissioning.chronology.files import read_file
from commissioning.chronology.glossary import glossary
from commissioning.chronology.marks import Gap, clusters, gaps, similarity, worded_alike, words
from commissioning.chronology.templates import template_docx, template_xlsx
from core.errors import Invalid

REVIEW = Period(date(2016, 1, 1), date(2016, 12, 31))


def entry(
    when: str, event: str = "Contact", *, at: time | None = None, seq: int | None = None, row: int = 2
) -> Entry:
    return Entry(row, f"Row {row}", parse_date(when, REVIEW), at, seq, "Case notes", event)


def agency(name: str, *entries: Entry) -> AgencyChronology:
    return AgencyChronology(name, entries)


def test_rows_merge_in_date_time_and_sequence_order_each_with_its_agency() -> None:
    health = agency(
        "Northtown Health",
        entry("22/05/2016", "Home visit", at=time(10), row=2),
        entry("22/05/2016", "Call", seq=2, row=3),
        entry("03/06/2016", "Clinic", row=4),
    )
    police = agency(
        "Northtown Police",
        entry("22/05/2016", "Domestic incident", at=time(9), row=5),
        entry("22/05/2016", "Referral", seq=1, row=6),
        entry("2016", "Known to police all year", row=7),
    )
    composite = merge([health, police])
    assert [(row.number, row.agency, row.entry.event) for row in composite.rows] == [
        (1, "Northtown Police", "Known to police all year"),
        (2, "Northtown Police", "Referral"),  # no time: first in its day, then by sequence
        (3, "Northtown Health", "Call"),
        (4, "Northtown Police", "Domestic incident"),
        (5, "Northtown Health", "Home visit"),
        (6, "Northtown Health", "Clinic"),
    ]


def test_an_uncertain_date_sorts_at_the_start_of_what_it_may_be_and_stays_marked() -> None:
    composite = merge(
        [
            agency("School", entry("01/05/2016", "Term starts"), entry("15/05/2016", "Absent")),
            agency("Housing", entry("May 2016", "Rent arrears"), entry("?14 May 2016", "Visit")),
        ]
    )
    assert [(row.entry.event, row.entry.when.uncertain) for row in composite.rows] == [
        ("Rent arrears", True),
        ("Term starts", False),
        ("Visit", True),
        ("Absent", False),
    ]
    rendered = composite.to_json()["rows"]
    assert (
        rendered[0]["date"] == "2016-05-01"
        and rendered[0]["uncertain"]
        and rendered[0]["shown"] == "May 2016"
    )


def test_the_same_event_from_two_agencies_is_linked_as_one() -> None:
    composite = merge(
        [
            agency(
                "Health",
                entry("22/05/2016", "Strategy meeting held with police and social care", at=time(10)),
                entry("22/05/2016", "Home visit by HV, mother and Child A seen"),
                entry("22/05/2016", "Home visit to grandmother", at=time(16)),
            ),
            agency(
                "Police",
                entry("22/05/2016", "Strategy meeting", at=time(10, 30)),
                entry("22/05/2016", "HV home visit: saw mother and child A"),
                entry("22/05/2016", "Home visit to grandmother", at=time(9)),  # hours apart: another visit
                entry("23/05/2016", "Home visit by HV, mother and Child A seen"),  # another day
            ),
            agency("Social care", entry("22/05/2016", "Strategy meeting with health and police")),
        ]
    )
    linked = {row.entry.event: (row.agency, row.same_as) for row in composite.rows}
    strategy = [row.number for row in composite.rows if "Strategy" in row.entry.event]
    assert len(strategy) == 3
    for number in strategy:
        assert composite.rows[number - 1].same_as == tuple(n for n in strategy if n != number)
    assert linked["HV home visit: saw mother and child A"][1] != ()
    assert all(row.same_as == () for row in composite.rows if "grandmother" in row.entry.event)
    assert composite.rows[-1].same_as == ()


def test_one_agencys_own_similar_rows_are_not_linked() -> None:
    composite = merge(
        [agency("Health", entry("22/05/2016", "Home visit"), entry("22/05/2016", "Home visit made"))]
    )
    assert all(row.same_as == () for row in composite.rows)


def test_event_words_are_compared_as_sets_of_content_words() -> None:
    assert words("The home visits, by the HV.") == {"home", "visit", "hv"}
    assert similarity(words("Home visit"), words("visit home")) == 1.0
    assert similarity(words("Home visit"), words("Strategy meeting")) == 0.0
    assert similarity(frozenset(), frozenset()) == 0.0
    assert worded_alike(words("Strategy meeting"), words("Strategy meeting held with police"), 0.5)
    assert not worded_alike(words("Call"), words("Call to school about attendance"), 0.5)
    assert not worded_alike(words("Home visit"), words("Strategy meeting"), 0.5)


def test_a_gap_is_a_stretch_of_the_period_with_no_contact_from_any_agency() -> None:
    composite = merge(
        [
            agency("Health", entry("10/01/2016"), entry("01/03/2016 - 05/03/2016"), entry("April 2016")),
            agency("School", entry("20/01/2016"), entry("30/11/2015"), entry("15/06/2016")),
        ],
        period=REVIEW,
        settings=Settings(gap_days=28),
    )
    assert [(gap.start, gap.end, gap.days, gap.maybe) for gap in composite.gaps] == [
        (date(2016, 1, 21), date(2016, 2, 29), 40, ()),
        (date(2016, 3, 6), date(2016, 6, 14), 101, (5,)),  # row 5, "April 2016", may fall inside it
        (date(2016, 6, 16), date(2016, 12, 31), 199, ()),
    ]
    assert composite.to_json()["gaps"][0] == {
        "start": "2016-01-21",
        "end": "2016-02-29",
        "days": 40,
        "maybe": [],
    }


def test_without_a_period_gaps_lie_between_contacts_only() -> None:
    found = gaps([entry("01/01/2016"), entry("01/03/2016")], days=28, period=None)
    assert found == [Gap(date(2016, 1, 2), date(2016, 2, 29))]
    assert gaps([], days=28, period=None) == []
    assert gaps([entry("01/01/2016"), entry("20/01/2016")], days=28, period=None) == []
    assert len(gaps([], days=28, period=REVIEW)) == 1


def test_a_cluster_is_many_contacts_in_a_short_span_counting_a_shared_event_once() -> None:
    busy = [entry(f"{day:02d}/05/2016", f"Contact {day}") for day in (1, 2, 3, 4, 5, 6, 7, 8, 20)]
    composite = merge(
        [
            agency("Health", *busy),
            agency("Police", entry("20/05/2016", "Contact 20"), entry("21/05/2016", "Arrest")),
        ],
        settings=Settings(cluster_size=5, cluster_days=7),
    )
    (cluster,) = composite.clusters
    assert (cluster.start, cluster.end, cluster.contacts, cluster.agencies) == (
        date(2016, 5, 1),
        date(2016, 5, 8),
        8,
        ("Health",),
    )
    assert cluster.rows == (1, 2, 3, 4, 5, 6, 7, 8)
    assert composite.to_json()["clusters"][0]["contacts"] == 8
    shared = [(name, entry("20/05/2016", "Strategy meeting")) for name in ("A", "B", "C", "D", "E")]
    same = [(0, 1, 2, 3, 4)]
    assert clusters(shared, size=2, days=7, same=same) == []
    assert len(clusters(shared, size=2, days=7)) == 1


def test_two_clusters_apart_stay_two() -> None:
    days = [entry(f"{day:02d}/05/2016") for day in (1, 1, 2, 20, 20, 21)]
    found = clusters([("A", e) for e in days], size=3, days=3)
    assert [(c.start, c.end, c.contacts) for c in found] == [
        (date(2016, 5, 1), date(2016, 5, 2), 3),
        (date(2016, 5, 20), date(2016, 5, 21), 3),
    ]


def test_events_in_the_final_weeks_before_the_incident_are_marked() -> None:
    composite = merge(
        [
            agency(
                "Health",
                entry("01/11/2016"),
                entry("03/11/2016"),
                entry("December 2016"),
                entry("31/12/2016"),
            )
        ],
        incident=date(2016, 12, 1),
        settings=Settings(final_weeks=4),
    )
    assert [row.final_weeks for row in composite.rows] == [False, True, True, False]
    assert composite.to_json()["incident"] == "2016-12-01"
    assert not any(row.final_weeks for row in merge([agency("Health", entry("03/11/2016"))]).rows)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"gap_days": 0}, "a gap must be at least 1 day"),
        ({"cluster_size": 1}, "a cluster must be at least 2 contacts"),
        ({"cluster_days": 0}, "a cluster's span must be at least 1 day"),
        ({"final_weeks": -1}, "the final weeks cannot be fewer than 0"),
        ({"same_event": 0}, "the share of words for the same event must be above 0 and at most 1"),
        ({"same_event": 1.5}, "the share of words"),
        ({"same_event_minutes": -5}, "the minutes apart for the same event cannot be fewer than 0"),
    ],
)
def test_settings_that_cannot_work_are_refused(settings: dict[str, float], message: str) -> None:
    with pytest.raises(Invalid, match=message):
        Settings(**settings)  # type: ignore[arg-type]


def test_an_agency_named_twice_is_refused() -> None:
    with pytest.raises(
        Invalid, match=r"Each agency's chronology is merged once, but Health is given twice\."
    ):
        merge([agency("Health"), agency("Health")])


def test_the_composite_is_shown_coded_by_its_glossary() -> None:
    row = Entry(2, "Row 2", parse_date("22/05/2016", REVIEW), time(9), 1, "Notes on Jane Smith", "Jane seen")
    composite = merge([agency("Health", row)])
    names = glossary([("Jane Smith", "Mother"), ("Jane", "Mother")])
    (coded,) = composite.to_json(names.coded)["rows"]
    assert (coded["source"], coded["event"], coded["time"], coded["sequence"]) == (
        "Notes on Mother",
        "Mother seen",
        "09:00",
        1,
    )
    assert (coded["agency"], coded["number"], coded["row"], coded["same_event_as"]) == ("Health", 1, 2, [])
    assert composite.to_json()["rows"][0]["event"] == "Jane seen"


def test_order_key_puts_a_year_before_a_month_before_a_day() -> None:
    keys = [order_key(entry(written)) for written in ("01/01/2016", "January 2016", "2016")]
    assert sorted(keys) == [keys[2], keys[1], keys[0]]


# Round trip: templates filled in, read back, checked and merged ------------------------------------------


def test_templates_filled_in_and_a_hand_edited_table_merge_into_one_composite() -> None:
    document = Document(io.BytesIO(template_docx(period=REVIEW)))
    table = document.tables[0]
    for row, texts in zip(
        table.rows[1:],
        [
            ["22/05/2016", "10:00", "", "GP notes", "Home visit by HV, mother seen", "Health visitor", ""],
            ["?June 2016", "", "", "GP notes", "Missed appointment", "GP", ""],
        ],
        strict=False,
    ):
        for cell, text in zip(row.cells, texts, strict=True):
            cell.text = text
    word = io.BytesIO()
    document.save(word)

    book = load_workbook(io.BytesIO(template_xlsx(period=REVIEW)))
    sheet = book["Chronology"]

    for number, texts in enumerate(
        [
            ["22.05.16", "10.15", "", "Police log", "HV home visit; mother seen", "PC", ""],
            ["03/07/2016", "", "", "Police log", "Arrest", "PC", ""],
        ],
        2,
    ):
        for column, text in enumerate(texts, 1):
            sheet.cell(row=number, column=column, value=text)
    excel = io.BytesIO()
    book.save(excel)

    from test_chronology_files import hand_edited  # the hand-edited table of the reading tests

    accepted = []
    for name, filename, data in [
        ("Health", "health.docx", word.getvalue()),
        ("Police", "police.xlsx", excel.getvalue()),
        ("School", "school.docx", hand_edited()),
    ]:
        checked = check(read_file(filename, data), REVIEW)
        if name == "School":  # the row that starts a cell late has lost its date: sent back, then fixed
            assert [p.row for p in checked.errors] == [8]
            assert checked.warnings[0].msg.startswith("Row 6: 'June 2016' spans the whole table")
        else:
            assert checked.problems == ()
        accepted.append(AgencyChronology(name, checked.entries))
    composite = merge(accepted, period=REVIEW, incident=date(2016, 7, 10))
    assert [(row.agency, row.entry.event, row.entry.when.shown()) for row in composite.rows] == [
        ("Health", "Home visit by HV, mother seen", "22/05/2016"),
        ("School", "Home visit, mother seen", "22/05/2016"),
        ("Police", "HV home visit; mother seen", "22/05/2016"),
        ("School", "Telephone call to mother", "22/05/2016"),
        ("Health", "Missed appointment", "?June 2016"),
        ("School", "Strategy meeting", "03/06/2016"),
        ("Police", "Arrest", "03/07/2016"),
    ]
    assert composite.rows[0].same_as == (2, 3)
    assert [row.final_weeks for row in composite.rows][-3:] == [True, False, True]
