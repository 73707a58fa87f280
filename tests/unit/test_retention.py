"""The retention policy's pure rules: which closed cases are due, and what a purge leaves of a decision."""

from datetime import date, timedelta

import pytest
from factories import RULESET
from hypothesis import given
from hypothesis import strategies as st

from commissioning import retention
from commissioning.retention import Held
from core.errors import Invalid

AS_OF = date(2032, 6, 15)
ALL_TEXT = {"decision_reasons": 1, "declaration_statements": 2, "terms_versions": 1, "review_comments": 0}
NO_TEXT = dict.fromkeys(retention.FIELDS, 0)


def held(ref: str, closed_on: date, fields: dict[str, int] = ALL_TEXT) -> Held:
    return Held(ref=ref, closed_on=closed_on, fields=fields)


def test_a_case_closed_more_than_the_period_ago_is_due_and_one_closed_exactly_that_long_ago_is_not():
    cases = [held("ON-THE-DAY", date(2026, 6, 15)), held("DAY-BEFORE", date(2026, 6, 14))]

    assert [case.ref for case in retention.due(cases, as_of=AS_OF, years=6)] == ["DAY-BEFORE"]
    assert retention.closed_before(AS_OF, 6) == date(2026, 6, 15)


def test_a_case_that_no_longer_holds_free_text_is_not_due_again():
    cases = [held("PURGED", date(2020, 1, 1), NO_TEXT), held("HELD", date(2021, 1, 1))]

    assert [case.ref for case in retention.due(cases, as_of=AS_OF, years=6)] == ["HELD"]


def test_due_cases_come_oldest_closure_first_then_by_reference():
    cases = [held("B", date(2021, 3, 1)), held("C", date(2019, 3, 1)), held("A", date(2021, 3, 1))]

    assert [case.ref for case in retention.due(cases, as_of=AS_OF, years=6)] == ["C", "A", "B"]


def test_a_longer_period_keeps_what_a_shorter_one_would_purge():
    cases = [held("X", date(2024, 1, 1))]

    assert [case.ref for case in retention.due(cases, as_of=AS_OF, years=6)] == ["X"]
    assert retention.due(cases, as_of=AS_OF, years=9) == []


def test_on_29_february_the_period_counts_back_to_28_february():
    assert retention.closed_before(date(2032, 2, 29), 6) == date(2026, 2, 28)
    cases = [held("EARLY", date(2026, 2, 27)), held("ON-THE-DAY", date(2026, 2, 28))]

    assert [case.ref for case in retention.due(cases, as_of=date(2032, 2, 29), years=6)] == ["EARLY"]


def test_a_date_too_early_to_count_back_from_makes_nothing_due():
    assert retention.closed_before(date(3, 1, 1), 6) == date.min
    assert retention.due([held("X", date(1, 1, 1))], as_of=date(3, 1, 1), years=6) == []


@given(
    closed=st.lists(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)), max_size=20),
    as_of=st.dates(min_value=date(2000, 1, 1), max_value=date(2050, 1, 1)),
    years=st.integers(min_value=1, max_value=30),
)
def test_only_cases_closed_before_the_limit_are_due_and_once_purged_none_are(closed, as_of, years):
    cases = [held(f"C-{n}", day) for n, day in enumerate(closed)]
    due = retention.due(cases, as_of=as_of, years=years)

    limit = retention.closed_before(as_of, years)
    assert {case.ref for case in due} == {case.ref for case in cases if case.closed_on < limit}
    assert limit <= as_of - timedelta(days=365 * years)
    purged = [Held(case.ref, case.closed_on, NO_TEXT) if case in due else case for case in cases]
    assert retention.due(purged, as_of=as_of, years=years) == []


def test_a_purge_later_than_today_may_only_be_a_dry_run():
    today = date(2026, 11, 27)
    retention.check_as_of(today, today=today, dry_run=False)
    retention.check_as_of(today - timedelta(days=1), today=today, dry_run=False)
    retention.check_as_of(today + timedelta(days=1), today=today, dry_run=True)
    with pytest.raises(Invalid) as refused:
        retention.check_as_of(today + timedelta(days=1), today=today, dry_run=False)
    assert refused.value.problems == [{"loc": ["today"], "msg": "may be later than today only for a dry run"}]


DEPARTURE = {
    "ruleset": RULESET,
    "outcomes": [
        {
            "type": "learning_review",
            "kind": "review",
            "requirement": "discretionary",
            "reasons": [
                {
                    "rule": "board.decision",
                    "text": "The family asked us to.",
                    "source": "decision of the board",
                },
                {"rule": "wt2023.lcspr", "text": "Learning is likely.", "source": "WT2023 ch4"},
            ],
            "deadline": None,
        }
    ],
    "open_questions": [],
    "summary": "The board departed from the recommendation: The family asked us to.",
}


def test_a_departure_loses_the_boards_words_and_keeps_its_outcomes():
    kept = retention.board_result_without_reason(DEPARTURE, accepted=False)

    assert "family" not in str(kept)
    assert [(o["type"], o["requirement"], o["deadline"]) for o in kept["outcomes"]] == [
        ("learning_review", "discretionary", None)
    ]
    assert [r["text"] for r in kept["outcomes"][0]["reasons"]] == [retention.REMOVED, "Learning is likely."]
    assert kept["ruleset"] == DEPARTURE["ruleset"]
    assert kept["summary"].startswith("The board departed from the recommendation.")


@pytest.mark.parametrize(("result", "accepted"), [(DEPARTURE, True), (DEPARTURE, None), ({}, False)])
def test_an_accepted_decision_or_one_without_outcomes_is_left_as_it_is(result, accepted):
    assert retention.board_result_without_reason(result, accepted=accepted) == result
