"""A commissioned reviewer's pages: their own standing commissions, and those cases' documents (the terms
of reference, the composite chronology and its chart).

A reviewer is a consultant given a sign-in from the case's page (``cases.give_reviewer_sign_in``). What
they reach is ``service.chronology_access.reviews``: a commission declared or confirmed, on an open case.
When the commission is withdrawn or declined, or the case closes, the case is not found for them (and
the probe audited), as for anyone outside the review.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from commissioning import terms_store
from commissioning.models import Case, CaseStatus, Commission
from commissioning.render import Format
from core.errors import NotFound
from service.access import hidden, no_case
from service.chronology_access import STANDING_COMMISSION, reviews
from service.db import SessionDep, UnitOfWorkRoute
from service.models import Role, User
from service.web.chronologies import case_figures
from service.web.pages import MAX_NUMBER, PageRefused, render
from service.web.session import page_user

router = APIRouter(prefix="/admin/reviews", include_in_schema=False, route_class=UnitOfWorkRoute)

ReviewerPage = Annotated[
    User, Depends(page_user(lambda g: g.regional == Role.reviewer, "commissioned reviewers"))
]
STANDING = STANDING_COMMISSION


def reviewer_sign_ins(session: Session, consultant_ids: list[int]) -> set[int]:
    """Which of these consultants already have a sign-in to the pages."""
    if not consultant_ids:
        return set()
    found = session.exec(select(User.consultant_id).where(col(User.consultant_id).in_(consultant_ids)))
    return {consultant_id for consultant_id in found if consultant_id is not None}


@dataclass(frozen=True)
class Review:
    """One of the reviewer's standing commissions, with its case."""

    case: Case
    commission: Commission


def _standing(session: Session, user: User, ref: str | None = None) -> list[Review]:
    """The reviewer's commissions that stand (declared or confirmed) on open cases, by case reference."""
    query = (
        select(Case, Commission)
        .join(Commission, col(Commission.case_id) == Case.id)
        .where(
            Commission.consultant_id == user.consultant_id,
            col(Commission.status).in_(STANDING),
            Case.status == CaseStatus.open.value,
        )
        .order_by(col(Case.ref), col(Commission.id))
    )
    if ref is not None:
        query = query.where(Case.ref == ref)
    return [Review(case, commission) for case, commission in session.exec(query)]


@router.get("")
def review_list(request: Request, session: SessionDep, user: ReviewerPage) -> Response:
    context = {"section": "reviews", "reviews": _standing(session, user)}
    return render(request, "reviews/list.html", context, user=user)


def _reviewed(request: Request, session: Session, user: User, ref: str) -> Case:
    """Case ``ref`` while the reviewer's commission on it stands; else the not-found page (audited)."""
    case = session.exec(select(Case).where(Case.ref == ref)).first()
    if case is None or not reviews(session, case, user.consultant_id):
        if case is not None:
            hidden(request, no_case(ref))
        raise PageRefused(404, "Not found", no_case(ref), user=user)
    return case


@router.get("/{ref}")
def review_page(request: Request, session: SessionDep, user: ReviewerPage, ref: str) -> Response:
    case = _reviewed(request, session, user, ref)
    context = {
        "section": "reviews",
        "case": case,
        "reviews": _standing(session, user, ref),
        "versions": terms_store.list_versions(session=session, ref=ref),
        "formats": list(Format),
        "figures": case_figures(session, case),
    }
    return render(request, "reviews/review.html", context, user=user)


@router.get("/{ref}/terms/{version:int}.{fmt}")
def terms_download(
    request: Request, session: SessionDep, user: ReviewerPage, ref: str, version: int, fmt: Format
) -> Response:
    """A version of the case's terms of reference, as the case pages and the API give it."""
    _reviewed(request, session, user, ref)
    try:
        if not 0 < version <= MAX_NUMBER:
            raise NotFound(f"Case {ref} has no terms of reference version {version}.")
        document = terms_store.download(session=session, ref=ref, version=version, fmt=fmt)
    except NotFound as error:
        raise PageRefused(404, "Not found", error.message, user=user) from None
    return Response(document.body, media_type=document.media_type, headers=document.headers)
