"""A consultant's status change as this deployment makes it, the same from the API and the admin pages:
an approval lasts ``SCR_REAPPROVAL_YEARS`` (``registry.lifecycle`` sets the day re-approval falls due)."""

from sqlmodel import Session

from registry import consultants
from registry.lifecycle import Action
from registry.models import ConsultantPublic, StatusChange
from service.settings import get_settings


def change_status(
    session: Session, consultant_id: int, action: Action, change: StatusChange, *, actor: str
) -> ConsultantPublic:
    """Approve, suspend, remove or reinstate, with the reason given; NotAllowed names the actions open."""
    return consultants.change_status(
        session=session,
        consultant_id=consultant_id,
        action=action,
        reason=change.reason,
        actor=actor,
        reapproval_years=get_settings().reapproval_years,
    )
