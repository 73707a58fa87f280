"""A commission's states and the actions between them, as data.

``proposed -> declared -> confirmed``, or ``declined`` / ``withdrawn``. The consultant declares
independence (``declare``) or turns the work down (``decline``); the commissioner confirms or
withdraws. When the case's agencies change, the declaration no longer covers them, so a declared or
confirmed commission goes back to ``proposed`` until the consultant declares again (``redeclare``).
"""

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from commissioning.models import CommissionStatus
from core.transitions import Transition

Status = CommissionStatus

# A commission in these states holds one of the consultant's places.
ACTIVE: frozenset[CommissionStatus] = frozenset({Status.proposed, Status.declared, Status.confirmed})


class Action(StrEnum):
    declare = "declare"
    confirm = "confirm"
    decline = "decline"
    withdraw = "withdraw"
    redeclare = "redeclare"


TRANSITIONS: Mapping[Action, Transition[CommissionStatus]] = MappingProxyType(
    {
        Action.declare: Transition(frozenset({Status.proposed}), Status.declared),
        Action.confirm: Transition(frozenset({Status.declared}), Status.confirmed),
        Action.decline: Transition(frozenset({Status.proposed, Status.declared}), Status.declined),
        Action.withdraw: Transition(
            frozenset({Status.proposed, Status.declared, Status.confirmed}), Status.withdrawn
        ),
        Action.redeclare: Transition(frozenset({Status.declared, Status.confirmed}), Status.proposed),
    }
)

# What people may do next; ``redeclare`` happens to a commission, nobody asks for it.
_ASKABLE = (Action.declare, Action.confirm, Action.decline, Action.withdraw)


def allowed_actions(status: CommissionStatus) -> list[str]:
    """The actions a person may take on a commission in ``status``, in a stable order."""
    return [action.value for action in _ASKABLE if status in TRANSITIONS[action].sources]


def advance(status: CommissionStatus, action: Action) -> CommissionStatus:
    """The status ``action`` leads to from ``status``; NotAllowed naming the allowed actions if none."""
    return TRANSITIONS[action].target_from(
        status, refused=f"A {status.value} commission cannot {action.value}", allowed=allowed_actions(status)
    )
