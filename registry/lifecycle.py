"""A consultant's place on the approved list: the status actions, as data, and the dates they set.

``applied -> approved -> suspended -> removed``, with reinstatement. Approving an approved consultant
is the three-yearly re-approval (registry practice section 7: re-approval every 3 years, aligned with
the DBS cycle), so it renews the dates. Reinstating after a suspension keeps the approval dates;
reinstating after removal is a fresh approval.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, timedelta
from enum import StrEnum
from types import MappingProxyType

from core.transitions import Transition
from registry.vocabulary import ConsultantStatus

Status = ConsultantStatus


class Action(StrEnum):
    approve = "approve"
    suspend = "suspend"
    remove = "remove"
    reinstate = "reinstate"


TRANSITIONS: Mapping[Action, Transition[ConsultantStatus]] = MappingProxyType(
    {
        Action.approve: Transition(frozenset({Status.applied, Status.approved}), Status.approved),
        Action.suspend: Transition(frozenset({Status.approved}), Status.suspended),
        Action.remove: Transition(
            frozenset({Status.applied, Status.approved, Status.suspended}), Status.removed
        ),
        Action.reinstate: Transition(frozenset({Status.suspended, Status.removed}), Status.approved),
    }
)


def allowed_actions(status: ConsultantStatus) -> list[str]:
    """The actions open to a consultant with ``status``, in a stable order."""
    return [action.value for action, transition in TRANSITIONS.items() if status in transition.sources]


def check(action: Action, status: ConsultantStatus) -> ConsultantStatus:
    """The status ``action`` leads to from ``status``; NotAllowed (naming the allowed actions) if none."""
    refused = f"A consultant who is {status.value} cannot be {_past(action)}"
    return TRANSITIONS[action].target_from(status, refused=refused, allowed=allowed_actions(status))


def action_between(current: ConsultantStatus, target: ConsultantStatus) -> Action | None:
    """The action that moves ``current`` to a different ``target`` (for imports), or None if there is none."""
    for action, transition in TRANSITIONS.items():
        if current != target and current in transition.sources and transition.target == target:
            return action
    return None


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (or earlier); 29 February becomes 28 February.

    Saturates at the calendar's ends, so a far-future date stored before dates were bounded still gives a
    page rather than an overflow.
    """
    if not MINYEAR <= day.year + years <= MAXYEAR:
        return date.max if years > 0 else date.min
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def dbs_valid_until(checked: date, recheck_years: int) -> date:
    """The last day a DBS check dated ``checked`` counts, when checks are renewed every ``recheck_years``."""
    return add_years(checked, recheck_years) - timedelta(days=1)


@dataclass(frozen=True)
class Approval:
    approved_on: date | None
    reapproval_due: date | None


def approval_after(
    action: Action,
    *,
    status: ConsultantStatus,
    current: Approval,
    today: date,
    reapproval_years: int,
) -> Approval:
    """The approval dates after ``action`` from ``status`` (checked already)."""
    fresh = Approval(today, add_years(today, reapproval_years))
    if action is Action.approve:
        return fresh
    if action is Action.reinstate and (status == Status.removed or current.approved_on is None):
        return fresh
    return current


def _past(action: Action) -> str:
    return {Action.approve: "approved", Action.suspend: "suspended", Action.remove: "removed"}.get(
        action, "reinstated"
    )
