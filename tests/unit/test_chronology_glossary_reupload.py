"""A case's glossary codes names in the composite; a corrected file says what it would change first."""

from datetime import date, time

import pytest

from commissioning.chronology.checks import Entry
from commissioning.chronology.dates import Period, parse_date
from commissioning.chronology.glossary import Glossary, glossary
from commissioning.chronology.reupload import diff
from core.errors import Invalid

REVIEW = Period(date(2016, 1, 1), date(2016, 12, 31))
FAMILY = glossary(
    [
        ("Jane Smith", "Mother"),
        ("Jane", "Mother"),
        ("Ms Smith", "Mother"),
        ("Tyler Smith", "Child A"),
        ("Tyler", "Child A"),
        ("Sarah Jones", "HV1"),
        ("Al", "Uncle"),
    ]
)


@pytest.mark.parametrize(
    ("written", "coded"),
    [
        ("Jane Smith seen with Tyler.", "Mother seen with Child A."),
        ("JANE   SMITH called; jane was upset.", "Mother called; Mother was upset."),
        ("Tyler's bruise noted by Sarah Jones (HV)", "Child A's bruise noted by HV1 (HV)"),
        ("Ms Smith and Al at home; Alan absent.", "Mother and Uncle at home; Alan absent."),
        ("Janet and Tyleroid are not in the glossary", "Janet and Tyleroid are not in the glossary"),
        ("", ""),
    ],
)
def test_names_are_coded_as_whole_words_longest_first_whatever_their_case(written: str, coded: str) -> None:
    assert FAMILY.coded(written) == coded
    assert FAMILY.render(written, "coded") == coded
    assert FAMILY.render(written, "personal") == written


def test_an_empty_glossary_codes_nothing() -> None:
    assert Glossary({}).coded("Jane Smith") == "Jane Smith"


def test_a_glossary_that_could_not_code_safely_is_refused_with_every_problem() -> None:
    with pytest.raises(Invalid) as refused:
        glossary(
            [("J", "Mother"), ("Jane", ""), ("Tyler", "Child A"), ("tyler", "Child B"), ("TYLER", "Child A")]
        )
    assert refused.value.message == (
        "The glossary cannot be used: the name 'J' is too short to find safely: give at least two letters; "
        "'Jane' has no code; 'tyler' is given two codes, 'Child A' and 'Child B'."
    )


def test_the_same_name_twice_with_the_same_code_is_one_entry() -> None:
    assert glossary([("Jane  Smith", " Mother "), ("jane smith", "Mother")]).terms == {"Jane Smith": "Mother"}


def row(
    number: int, when: str, event: str, *, at: time | None = None, comment: str = "", **extra: str
) -> Entry:
    return Entry(
        number,
        f"Row {number}",
        parse_date(when, REVIEW),
        at,
        None,
        "GP notes",
        event,
        comment=comment,
        extra=extra,
    )


OLD = [
    row(2, "01/05/2016", "Home visit"),
    row(3, "02/05/2016", "Call to mother"),
    row(4, "03/05/2016", "Clinic appointment"),
    row(5, "04/05/2016", "Letter sent"),
    row(6, "05/05/2016", "Strategy meeting", team="North"),
]


def test_a_corrected_file_says_what_it_would_add_remove_and_change() -> None:
    new = [
        row(2, "01/05/2016", "Home visit"),
        row(3, "02/05/2016", "Call to mother", at=time(10)),  # a time added: changed
        row(4, "13/05/2016", "Clinic appointment missed"),  # date and wording corrected: changed
        row(5, "20/06/2016", "Referral to housing"),  # a different event in the old one's place
        row(6, "05/05/2016", "Strategy meeting", team="South"),
        row(7, "06/05/2016", "Discharge"),
    ]
    found = diff(OLD, new)
    assert found.unchanged == 1
    assert [(c.old.row, c.new.row, c.columns) for c in found.changed] == [
        (3, 3, ("time",)),
        (4, 4, ("date", "event")),
        (6, 6, ("team",)),
    ]
    assert [e.event for e in found.removed] == ["Letter sent"]
    assert [e.event for e in found.added] == ["Referral to housing", "Discharge"]
    assert found.summary() == "Rows added: 2; removed: 1; changed: 3; unchanged: 1."
    shown = found.to_json()
    assert shown["changed"][0]["row"] == 3 and shown["changed"][0]["before"]["time"] is None  # type: ignore[index]
    assert shown["changed"][0]["after"]["time"] == "10:00"  # type: ignore[index]
    assert shown["added"][1]["row"] == 7 and shown["removed"][0]["row"] == 5  # type: ignore[index]


def test_rows_left_alone_are_unchanged_however_the_others_moved() -> None:
    new = [row(2, "30/04/2016", "Referral"), *OLD]  # a row added at the top: every other row moves down
    found = diff(OLD, [row(n, e.when.shown(), e.event, **e.extra) for n, e in enumerate(new, 2)])
    assert (found.unchanged, len(found.added), found.changed, found.removed) == (5, 1, (), ())


def test_a_file_sent_again_unchanged_changes_nothing() -> None:
    found = diff(OLD, list(OLD))
    assert found.empty
    assert found.summary() == "The new file changes nothing: every row is as before."
    assert diff([], []).empty


def test_a_shorter_file_removes_and_a_longer_one_adds() -> None:
    assert [e.row for e in diff(OLD, OLD[:2]).removed] == [4, 5, 6]
    assert [e.row for e in diff(OLD[:2], OLD).added] == [4, 5, 6]
