"""Who may see and work on a review's recommendations and action plans.

- The people of the case's partnerships read them (a contributing partnership's too); the lead
  partnership's commissioners and admins record recommendations, keep the action plans and judge the
  evidence; only its chair or admins close a recommendation.
- An agency contact sees the recommendations that ask their agency to act, with their agency's actions
  only, adds actions to their agency's plan, starts them and submits evidence; nothing else.

Anyone else is told the case (or the recommendation, or the action) does not exist, and the probe is
audited (``service.access.hidden``); a reader who lacks what a step needs gets a 403 saying who may.
"""

from dataclasses import dataclass
from typing import Literal

from fastapi import HTTPException, Request, status
from sqlmodel import Session, select

from commissioning import recommendation_store as store
from commissioning.models import Case, Recommendation, RecommendationAction, RecommendationAgency
from core.errors import NotFound
from service.access import Grants, forbidden, hidden, no_case, readable_case
from service.models import Role

KEEPERS = frozenset({Role.commissioner, Role.admin})  # record recommendations, keep plans, judge evidence
CLOSERS = frozenset({Role.chair, Role.admin})


@dataclass(frozen=True)
class Reach:
    """How far the caller reaches a case's recommendations: ``agency_id`` an agency contact's own agency
    (their actions only); ``roles`` those they hold in the lead partnership."""

    case: Case
    agency_id: str | None
    roles: frozenset[Role]

    @property
    def keeper(self) -> bool:
        return bool(self.roles & KEEPERS)


def _contact(grants: Grants) -> str | None:
    """The agency of an agency contact ("" for one tied to none), else None."""
    return (grants.user.agency_id or "") if grants.regional == Role.agency_contact else None


def _names_agency(session: Session, case: Case, agency_id: str) -> bool:
    return (
        session.exec(
            select(Recommendation.id)
            .join(RecommendationAgency)
            .where(Recommendation.case_id == case.id, RecommendationAgency.agency_id == agency_id)
        ).first()
        is not None
    )


def case_reach(request: Request, session: Session, grants: Grants, ref: str, *, record: bool) -> Reach:
    """Case ``ref``'s recommendations as far as the caller reaches them; ``record``: to record new ones."""
    agency = _contact(grants)
    if agency is not None:
        case = session.exec(select(Case).where(Case.ref == ref)).first()
        if case is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=no_case(ref))
        if not _names_agency(session, case, agency):
            raise hidden(request, no_case(ref))
        if record:
            raise forbidden("The partnership leading the case records its recommendations.")
        return Reach(case, agency, frozenset())
    access = readable_case(request, session, grants, ref)
    if record and not access.lead_roles & KEEPERS:
        raise forbidden(f"This needs a commissioner or admin of the partnership leading case {ref}.")
    return Reach(access.case, None, access.lead_roles)


def _as_hidden(request: Request, refused: HTTPException, message: str) -> HTTPException:
    return hidden(request, message) if refused.status_code == status.HTTP_404_NOT_FOUND else refused


def recommendation_reach(
    request: Request,
    session: Session,
    grants: Grants,
    recommendation_id: int,
    need: Literal["read", "plan", "close"],
) -> tuple[Recommendation, Reach]:
    """Recommendation ``recommendation_id`` and how far the caller reaches it: ``plan`` adds actions
    (its keepers, or an agency contact for their agency), ``close`` closes it (its chair or admins)."""
    missing = f"No recommendation with the number {recommendation_id}."
    try:
        recommendation, case = store.get_recommendation(session, recommendation_id=recommendation_id)
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=missing) from None
    agency = _contact(grants)
    if agency is not None:
        named = store.agencies_of(session, [recommendation_id])[recommendation_id]
        if agency not in named:
            raise hidden(request, missing)
        if need == "close":
            raise forbidden("Only the partnership's chair or admins close a recommendation.")
        return recommendation, Reach(case, agency, frozenset())
    try:
        reach = case_reach(request, session, grants, case.ref, record=False)
    except HTTPException as refused:
        raise _as_hidden(request, refused, missing) from None
    if need == "plan" and not reach.keeper:
        raise forbidden(f"This needs a commissioner or admin of the partnership leading case {case.ref}.")
    if need == "close" and not reach.roles & CLOSERS:
        raise forbidden(f"Only the chair or an admin of the partnership leading case {case.ref} closes it.")
    return recommendation, reach


def action_reach(
    request: Request, session: Session, grants: Grants, action_id: int, *, change: bool
) -> tuple[RecommendationAction, Recommendation, Reach]:
    """Action ``action_id`` and how far the caller reaches it; ``change``: to change it or add evidence
    (its agency's contact, or the lead partnership's keepers)."""
    missing = f"No action with the number {action_id}."
    try:
        action, recommendation, case = store.get_action(session, action_id=action_id)
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=missing) from None
    agency = _contact(grants)
    if agency is not None:
        if action.agency_id != agency:
            raise hidden(request, missing)
        return action, recommendation, Reach(case, agency, frozenset())
    try:
        reach = case_reach(request, session, grants, case.ref, record=False)
    except HTTPException as refused:
        raise _as_hidden(request, refused, missing) from None
    if change and not reach.keeper:
        raise forbidden(
            f"This needs the agency's contact, or a commissioner or admin of the partnership leading case "
            f"{case.ref}."
        )
    return action, recommendation, reach
