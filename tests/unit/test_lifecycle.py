"""The status actions of the approved list, as data."""

from datetime import date, timedelta

import pytest

from core.errors import NotAllowed
from registry.lifecycle import (
    Action,
    Approval,
    action_between,
    add_years,
    allowed_actions,
    approval_after,
    check,
    dbs_valid_until,
)
from registry.vocabulary import ConsultantStatus as S

ALLOWED = {
    S.applied: ["approve", "remove"],
    S.approved: ["approve", "suspend", "remove"],
    S.suspended: ["remove", "reinstate"],
    S.removed: ["reinstate"],
}
TODAY = date(2026, 3, 2)


@pytest.mark.parametrize("status", list(S))
def test_each_status_allows_exactly_its_actions(status):
    assert allowed_actions(status) == ALLOWED[status]


@pytest.mark.parametrize(
    ("action", "status", "target"),
    [
        (Action.approve, S.applied, S.approved),
        (Action.approve, S.approved, S.approved),
        (Action.suspend, S.approved, S.suspended),
        (Action.remove, S.applied, S.removed),
        (Action.remove, S.approved, S.removed),
        (Action.remove, S.suspended, S.removed),
        (Action.reinstate, S.suspended, S.approved),
        (Action.reinstate, S.removed, S.approved),
    ],
)
def test_an_allowed_action_leads_to_its_status(action, status, target):
    assert check(action, status) == target


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("action", list(Action))
def test_a_refused_action_names_the_allowed_ones(action, status):
    if action.value in ALLOWED[status]:
        return
    with pytest.raises(NotAllowed) as refused:
        check(action, status)
    assert refused.value.allowed == ALLOWED[status]
    assert status.value in refused.value.message


def test_action_between_finds_the_one_action_for_a_change_of_status():
    assert action_between(S.applied, S.approved) is Action.approve
    assert action_between(S.removed, S.approved) is Action.reinstate
    assert action_between(S.approved, S.suspended) is Action.suspend
    assert action_between(S.suspended, S.removed) is Action.remove
    assert action_between(S.approved, S.approved) is None
    assert action_between(S.approved, S.applied) is None
    assert action_between(S.removed, S.suspended) is None


def test_approval_starts_a_three_year_cycle():
    approval = approval_after(
        Action.approve, status=S.applied, current=Approval(None, None), today=TODAY, reapproval_years=3
    )
    assert approval == Approval(TODAY, date(2029, 3, 2))


def test_reinstating_after_suspension_keeps_the_cycle_but_after_removal_starts_a_new_one():
    old = Approval(date(2024, 5, 1), date(2027, 5, 1))
    kept = approval_after(Action.reinstate, status=S.suspended, current=old, today=TODAY, reapproval_years=3)
    fresh = approval_after(Action.reinstate, status=S.removed, current=old, today=TODAY, reapproval_years=3)
    assert kept == old
    assert fresh == Approval(TODAY, date(2029, 3, 2))


def test_reinstating_a_suspension_with_no_approval_date_approves_afresh():
    approval = approval_after(
        Action.reinstate, status=S.suspended, current=Approval(None, None), today=TODAY, reapproval_years=2
    )
    assert approval == Approval(TODAY, date(2028, 3, 2))


def test_suspension_and_removal_leave_the_dates_alone():
    old = Approval(date(2024, 5, 1), date(2027, 5, 1))
    for action in (Action.suspend, Action.remove):
        assert approval_after(action, status=S.approved, current=old, today=TODAY, reapproval_years=3) == old


def test_add_years_turns_29_february_into_28_february():
    assert add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert add_years(date(2024, 2, 29), -4) == date(2020, 2, 29)
    assert add_years(date(2025, 6, 30), -3) == date(2022, 6, 30)


def test_add_years_saturates_at_the_ends_of_the_calendar():
    """A 9999 date stored before dates were bounded must not overflow the dashboard or the digest."""
    assert add_years(date(9999, 12, 31), 3) == date.max
    assert dbs_valid_until(date(9999, 12, 31), 3) == date.max - timedelta(days=1)
    assert add_years(date(1, 1, 1), -1) == date.min
