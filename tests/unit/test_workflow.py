"""A commission's states: which actions lead where, and what is refused."""

import pytest

from commissioning.models import CommissionStatus as Status
from commissioning.workflow import ACTIVE, Action, advance, allowed_actions
from core.errors import NotAllowed


@pytest.mark.parametrize(
    ("status", "action", "target"),
    [
        (Status.proposed, Action.declare, Status.declared),
        (Status.declared, Action.confirm, Status.confirmed),
        (Status.proposed, Action.decline, Status.declined),
        (Status.declared, Action.decline, Status.declined),
        (Status.confirmed, Action.withdraw, Status.withdrawn),
        (Status.declared, Action.redeclare, Status.proposed),
        (Status.confirmed, Action.redeclare, Status.proposed),
    ],
)
def test_an_action_moves_a_commission_to_its_next_state(status, action, target):
    assert advance(status, action) is target


def test_a_confirmed_commission_cannot_be_declined_and_says_what_is_allowed():
    with pytest.raises(NotAllowed) as refused:
        advance(Status.confirmed, Action.decline)
    assert refused.value.message == "A confirmed commission cannot decline; allowed: withdraw."
    assert refused.value.allowed == ["withdraw"]


def test_an_ended_commission_allows_nothing():
    assert allowed_actions(Status.withdrawn) == allowed_actions(Status.declined) == []
    with pytest.raises(NotAllowed, match="allowed: nothing"):
        advance(Status.declined, Action.declare)


def test_only_proposed_declared_and_confirmed_commissions_hold_a_place():
    assert {Status.proposed, Status.declared, Status.confirmed} == ACTIVE
