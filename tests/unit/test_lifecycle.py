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

# Each status, the actions it allows in the order they are offered, and the status each leads to.
MOVES = {
    S.applied: {Action.approve: S.approved, Action.remove: S.removed},
    S.approved: {Action.approve: S.approved, Action.suspend: S.suspended, Action.remove: S.removed},
    S.suspended: {Action.remove: S.removed, Action.reinstate: S.approved},
    S.removed: {Action.reinstate: S.approved},
}
ALLOWED = {status: [action.value for action in moves] for status, moves in MOVES.items()}
TODAY = date(2026, 3, 2)


@pytest.mark.parametrize("status", list(S))
def test_each_status_allows_exactly_its_actions(status):
    assert allowed_actions(status) == ALLOWED[status]


@pytest.mark.parametrize(
    ("action", "status", "target"),
    [(action, status, target) for status, moves in MOVES.items() for action, target in moves.items()],
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


NONE = Approval(None, None)
OLD = Approval(date(2024, 5, 1), date(2027, 5, 1))
NEW = Approval(TODAY, date(2029, 3, 2))  # a three-year cycle from today
TWO_YEARS = Approval(TODAY, date(2028, 3, 2))


@pytest.mark.parametrize(
    ("action", "status", "current", "years", "after"),
    [
        pytest.param(Action.approve, S.applied, NONE, 3, NEW, id="approval starts a three-year cycle"),
        pytest.param(Action.reinstate, S.suspended, OLD, 3, OLD, id="reinstating after suspension keeps it"),
        pytest.param(Action.reinstate, S.removed, OLD, 3, NEW, id="reinstating after removal starts anew"),
        pytest.param(Action.reinstate, S.suspended, NONE, 2, TWO_YEARS, id="reinstating, never approved"),
        pytest.param(Action.suspend, S.approved, OLD, 3, OLD, id="suspension leaves the dates alone"),
        pytest.param(Action.remove, S.approved, OLD, 3, OLD, id="removal leaves the dates alone"),
    ],
)
def test_an_action_starts_keeps_or_renews_the_approval_cycle(action, status, current, years, after):
    got = approval_after(action, status=status, current=current, today=TODAY, reapproval_years=years)
    assert got == after


def test_add_years_turns_29_february_into_28_february():
    assert add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert add_years(date(2024, 2, 29), -4) == date(2020, 2, 29)
    assert add_years(date(2025, 6, 30), -3) == date(2022, 6, 30)


def test_add_years_saturates_at_the_ends_of_the_calendar():
    """A 9999 date stored before dates were bounded must not overflow the dashboard or the digest."""
    assert add_years(date(9999, 12, 31), 3) == date.max
    assert dbs_valid_until(date(9999, 12, 31), 3) == date.max - timedelta(days=1)
    assert add_years(date(1, 1, 1), -1) == date.min
