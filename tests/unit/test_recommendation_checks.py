"""The writing checks of a recommendation (each with a good and a bad example), and the action plan's
course: statuses, who may change them, overdue days and a recommendation's standing."""

import re
from dataclasses import replace
from datetime import date

import pytest

from commissioning import recommendations as r
from commissioning.recommendations import Change, Draft, Status
from core.errors import NotAllowed

GOOD = Draft(
    text="Hackney CSC will audit 20 strategy meetings a quarter so that police attend every one by March.",
    scope="single_agency",
    agencies=("hackney-csc",),
    owner="Head of Safeguarding, Hackney CSC",
    priority="high",
    due=date(2027, 3, 31),
    finding="Finding 1: strategy discussions were held without the police.",
)


def checks(draft: Draft, *, count: int = 1, limit: int = r.DEFAULT_LIMIT) -> list[str]:
    return [warning.check for warning in r.check(draft, count=count, limit=limit)]


def test_a_well_written_recommendation_passes_every_check() -> None:
    assert checks(GOOD) == []


@pytest.mark.parametrize(
    ("check", "bad"),
    [
        ("no_owner", replace(GOOD, owner="  ")),
        ("no_owner", replace(GOOD, owner=None)),
        ("no_date", replace(GOOD, due=None)),
        ("no_measurable_outcome", replace(GOOD, text="Hackney CSC will improve how strategy meetings run.")),
        ("vague_verb", replace(GOOD, text="Consider the use of 20 strategy meetings.")),
        ("vague_verb", replace(GOOD, text="All agencies should raise awareness of neglect in 2027.")),
        ("vague_verb", replace(GOOD, text="Audit 20 files. Review the threshold document.")),
        ("scope_undecided", replace(GOOD, scope=None)),
        ("scope_undecided", replace(GOOD, agencies=())),
        ("scope_undecided", replace(GOOD, scope="multi_agency")),
        ("scope_undecided", replace(GOOD, scope="multi_agency", agencies=())),
        ("no_finding", replace(GOOD, finding="")),
    ],
)
def test_each_check_warns_of_a_bad_example(check: str, bad: Draft) -> None:
    assert checks(bad) == [check]


@pytest.mark.parametrize(
    "good",
    [
        replace(GOOD, text="Review the threshold document so that every referral names its reason."),
        replace(GOOD, text="The review found gaps: audit 20 files."),  # "review" as a noun
        replace(GOOD, scope="multi_agency", agencies=("hackney-csc", "met-police")),
        replace(GOOD, text="Reduce repeat referrals, measured by the partnership's dataset."),
        replace(GOOD, text="Publish a neglect strategy with a 10% target."),
    ],
)
def test_good_examples_pass(good: Draft) -> None:
    assert checks(good) == []


def test_too_many_recommendations_warns_past_the_partnerships_number() -> None:
    assert checks(GOOD, count=10) == []
    [warning] = r.check(GOOD, count=11)
    assert warning.check == "too_many"
    assert "11 recommendations, more than the 10" in warning.msg
    assert checks(GOOD, count=4, limit=3) == ["too_many"]
    assert checks(GOOD, count=11, limit=12) == []


def test_the_wording_names_the_verb_and_the_missing_agencies_for_people() -> None:
    [verb] = r.check(replace(GOOD, text="Consider 20 files."), count=1)
    assert verb.msg.startswith("'Consider' says what to look at")
    [single] = r.check(replace(GOOD, agencies=()), count=1)
    assert "single-agency but names no agency" in single.msg
    [multi] = r.check(replace(GOOD, scope="multi_agency"), count=1)
    assert "names one agency" in multi.msg
    assert multi.to_json() == {"check": "scope_undecided", "msg": multi.msg}
    for warning in r.check(Draft(text="Consider it."), count=99):
        assert not re.search(r"\b[a-z]+_[a-z]+\b", warning.msg), warning.msg  # no ids in the words


def test_every_check_cites_its_sources_and_says_where_it_is_local_practice() -> None:
    published = r.published_checks()
    assert [c["id"] for c in published] == list(r.CHECKS)
    for found in published:
        assert found["sources"] and all(found["sources"])
        assert (found["local_note"] is not None) == found["local"]
    too_many = next(c for c in published if c["id"] == "too_many")
    assert any("Local practice" in source for source in too_many["sources"])
    assert any("Doran" in s for c in published for s in c["sources"])  # SMART
    assert any("Working Together" in s for c in published for s in c["sources"])
    assert any("Panel" in s for c in published for s in c["sources"])


# The action plan ------------------------------------------------------------------------------------


def test_an_action_runs_its_course() -> None:
    status = r.advance(Status.not_started, Change.start, agency=True, evidence=0)
    assert status == Status.in_progress
    status = r.advance(status, Change.submit_evidence, agency=True, evidence=1)
    assert status == Status.evidence_submitted
    assert r.advance(status, Change.send_back, agency=False, evidence=1) == Status.in_progress
    assert r.advance(status, Change.complete, agency=False, evidence=1) == Status.completed


def test_evidence_is_needed_to_submit_it() -> None:
    with pytest.raises(NotAllowed, match="Attach a file or a link"):
        r.advance(Status.in_progress, Change.submit_evidence, agency=True, evidence=0)


def test_an_agency_contact_does_not_judge_its_own_evidence() -> None:
    with pytest.raises(NotAllowed, match="Only the partnership") as refused:
        r.advance(Status.evidence_submitted, Change.complete, agency=True, evidence=1)
    assert refused.value.allowed == ["submit_evidence"]


def test_a_change_the_status_does_not_allow_is_refused_naming_what_is() -> None:
    with pytest.raises(NotAllowed, match="An action that is completed cannot be started") as refused:
        r.advance(Status.completed, Change.start, agency=False, evidence=1)
    assert refused.value.allowed == []
    assert r.allowed_changes(Status.evidence_submitted, agency=False) == [
        "submit_evidence",
        "complete",
        "send_back",
    ]


@pytest.mark.parametrize(
    ("status", "due", "days"),
    [
        (Status.not_started, date(2027, 1, 1), 4),
        (Status.in_progress, date(2027, 1, 4), 1),
        (Status.in_progress, date(2027, 1, 5), 0),
        (Status.evidence_submitted, date(2026, 1, 1), 0),
        (Status.not_started, None, 0),
    ],
)
def test_overdue_days_count_while_the_owner_still_owes_work(
    status: Status, due: date | None, days: int
) -> None:
    assert r.overdue(status, due, date(2027, 1, 5)) == days


def test_a_recommendation_stands_where_its_least_advanced_action_does() -> None:
    assert r.standing([], closed=False) == Status.not_started
    assert r.standing([Status.completed, Status.in_progress], closed=False) == Status.in_progress
    assert r.standing([Status.completed], closed=False) == Status.completed
    assert r.standing([Status.completed], closed=True) == Status.closed


def test_a_recommendation_closes_once_every_action_is_completed() -> None:
    r.closable([Status.completed, Status.completed])
    with pytest.raises(NotAllowed, match="no actions yet"):
        r.closable([])
    with pytest.raises(NotAllowed, match="1 action is not completed"):
        r.closable([Status.completed, Status.evidence_submitted])
    with pytest.raises(NotAllowed, match="2 actions are not completed"):
        r.closable([Status.in_progress, Status.not_started])


def test_counts_for_the_channel_are_words_without_names() -> None:
    assert r.Counts(1, 1).words() == "1 overdue action across 1 case"
    assert r.Counts(3, 2).words() == "3 overdue actions across 2 cases"


def test_an_overdue_action_is_told_by_reference_and_dates_only() -> None:
    said = r.overdue_words(
        case_ref="HAC-2026-0001", number=3, agency="Hackney CSC", due=date(2027, 1, 4), days=1
    )
    assert said == (
        "Hackney CSC's action on recommendation 3 of case review HAC-2026-0001, which you own, was due on "
        "Mon 4 Jan 2027 and is 1 day overdue."
    )
    email = r.overdue_email(
        case_ref="HAC-2026-0001", number=3, agency=None, due=date(2027, 1, 4), days=5, partnership="Hackney"
    )
    assert email.subject == "Overdue action: case review HAC-2026-0001, recommendation 3"
    assert "An action on recommendation 3" in email.body and "5 days overdue" in email.body
    assert email.body.rstrip().endswith("Hackney")
