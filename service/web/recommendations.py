"""Recommendation pages: a case's recommendations and the agencies' action plans (recording them, actions,
evidence links, status changes, closing), and every open recommendation by age, agency and status.

The people of partnerships and agencies' contacts use them; what each may do is
``service.recommendation_access``, as through the API, and a refusal is the page's 404 or 403. Writes
go through ``commissioning.recommendation_store``, as the API's do.
"""

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from commissioning import recommendation_store as store
from commissioning.models import Partnership
from commissioning.recommendations import STATUS_WORDS, Change, Status, allowed_changes
from core import clock
from core.errors import Invalid, NotAllowed
from registry.models import Agency
from service.api.recommendations import draft_of
from service.api.review_schemas import ActionIn, RecommendationIn
from service.db import SessionDep, UnitOfWorkRoute
from service.models import Role, User
from service.policy import partnership_policy
from service.recommendation_access import CLOSERS, Reach, action_reach, case_reach, recommendation_reach
from service.web.pages import MAX_NUMBER, PageRefused, field_errors, flash, render, typed
from service.web.session import CheckedForm, page_grants, page_user

router = APIRouter(prefix="/admin", include_in_schema=False, route_class=UnitOfWorkRoute)
RecommendationsPage = Annotated[
    User,
    Depends(
        page_user(
            lambda g: g.holds() or g.regional == Role.agency_contact,
            "the people of partnerships and agencies' contacts",
        )
    ),
]
LABELS = {
    "text": "Recommendation",
    "scope": "Single-agency or multi-agency",
    "agencies": "Agencies asked to act",
    "owner": "Owner",
    "priority": "Priority",
    "due": "Due date",
    "finding": "The finding it answers",
    "form": "The change",
}
CHANGE_BUTTONS = {
    Change.start: "Start",
    Change.submit_evidence: "Submit evidence",
    Change.complete: "Mark completed",
    Change.send_back: "Send evidence back",
}


def _guarded(request: Request, user: User, reach: Callable[[], Any]) -> Any:
    """``reach()``, its 404 and 403 turned into the pages' own."""
    try:
        return reach()
    except HTTPException as refused:
        if refused.status_code == 404:
            raise PageRefused(404, "Not found", str(refused.detail), user=user) from None
        raise PageRefused(
            403, "You do not have access to this page", str(refused.detail), user=user
        ) from None


def _case_page(
    request: Request,
    session: Session,
    user: User,
    reach: Reach,
    *,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    found = store.list_recommendations(
        session, case=reach.case, today=clock.today(), agency_id=reach.agency_id
    )
    lead = session.get_one(Partnership, reach.case.partnership_id)
    context = {
        "section": "cases",
        "case": reach.case,
        "lead": lead,
        "recommendations": found,
        "keeper": reach.keeper,
        "closer": bool(reach.roles & CLOSERS),
        "agency_contact": reach.agency_id is not None,
        "limit": partnership_policy(lead).max_recommendations,
        "status_words": STATUS_WORDS,
        "change_buttons": CHANGE_BUTTONS,
        "allowed": lambda s: allowed_changes(Status(s), agency=reach.agency_id is not None),
        "errors": errors or {},
        "values": values or {},
        "labels": LABELS,
        "today": clock.today(),
    }
    return render(request, "recommendations/case.html", context, user=user, status=status)


@router.get("/cases/{ref}/recommendations")
def case_recommendations(
    request: Request, session: SessionDep, user: RecommendationsPage, ref: str
) -> Response:
    reach = _guarded(
        request, user, lambda: case_reach(request, session, page_grants(request), ref, record=False)
    )
    return _case_page(request, session, user, reach)


def _back(reach: Reach) -> RedirectResponse:
    return RedirectResponse(f"/admin/cases/{reach.case.ref}/recommendations", status_code=303)


@router.post("/cases/{ref}/recommendations")
def add_recommendation(
    request: Request, session: SessionDep, user: RecommendationsPage, form: CheckedForm, ref: str
) -> Response:
    """Record a recommendation from the form; its warnings show on the page, never stopping it."""
    reach = _guarded(
        request, user, lambda: case_reach(request, session, page_grants(request), ref, record=True)
    )
    values = typed(form, ["text", "scope", "agencies", "owner", "priority", "due", "finding"])
    raw: dict[str, Any] = {name: value or None for name, value in values.items()}
    raw["agencies"] = [a.strip() for a in values["agencies"].split(",") if a.strip()]
    try:
        body = RecommendationIn.model_validate(raw)
        [made] = store.add_recommendations(
            session,
            case=reach.case,
            drafts=[draft_of(body)],
            actor=user.email,
            limit=partnership_policy(session.get(Partnership, reach.case.partnership_id)).max_recommendations,
            today=clock.today(),
        )
    except ValidationError as error:
        return _case_page(
            request,
            session,
            user,
            reach,
            errors=field_errors(error, labels=LABELS),
            values=values,
            status=422,
        )
    except Invalid as error:
        msg = "; ".join(p["msg"] for p in error.problems) or error.message
        return _case_page(request, session, user, reach, errors={"agencies": msg}, values=values, status=422)
    warned = len(made.recommendation.warnings)
    flash(
        request,
        f"Recommendation {made.recommendation.number} recorded"
        + (f", with {warned} warning{'s' if warned != 1 else ''} to look at." if warned else "."),
    )
    return _back(reach)


def _refused(
    request: Request, session: Session, user: User, reach: Reach, error: Invalid | NotAllowed
) -> Response:
    if isinstance(error, Invalid) and error.problems:
        message = "; ".join(p["msg"] for p in error.problems)
    else:
        message = error.message
    return _case_page(
        request,
        session,
        user,
        reach,
        errors={"form": message},
        status=409 if isinstance(error, NotAllowed) else 422,
    )


def _number(value: int, user: User, what: str) -> int:
    if not 0 < value <= MAX_NUMBER:
        raise PageRefused(404, "Not found", f"No {what} with the number {value}.", user=user)
    return value


@router.post("/recommendations/{recommendation_id}/actions")
def add_action(
    request: Request,
    session: SessionDep,
    user: RecommendationsPage,
    form: CheckedForm,
    recommendation_id: int,
) -> Response:
    """Add an action to the recommendation's plan (its agency's contact, or the partnership's keepers)."""
    _number(recommendation_id, user, "recommendation")
    recommendation, reach = _guarded(
        request,
        user,
        lambda: recommendation_reach(request, session, page_grants(request), recommendation_id, "plan"),
    )
    values = typed(form, ["text", "owner", "due", "agency"])
    try:
        body = ActionIn.model_validate({k: v or None for k, v in values.items()})
        store.add_action(
            session,
            recommendation=recommendation,
            agency_id=reach.agency_id if reach.agency_id is not None else body.agency,
            text=body.text,
            owner=str(body.owner),
            due=body.due,
            actor=user.email,
            today=clock.today(),
        )
    except ValidationError as error:
        shown = field_errors(error, labels={"text": "Action", "owner": "Owner's email", "due": "Due date"})
        return _case_page(
            request, session, user, reach, errors={"form": "; ".join(shown.values())}, status=422
        )
    except Invalid as error:
        return _refused(request, session, user, reach, error)
    flash(request, f"Action added to recommendation {recommendation.number}.")
    return _back(reach)


@router.post("/recommendations/{recommendation_id}/close")
def close(
    request: Request,
    session: SessionDep,
    user: RecommendationsPage,
    form: CheckedForm,
    recommendation_id: int,
) -> Response:
    """Close the recommendation (the chair or admins of the lead partnership)."""
    _number(recommendation_id, user, "recommendation")
    recommendation, reach = _guarded(
        request,
        user,
        lambda: recommendation_reach(request, session, page_grants(request), recommendation_id, "close"),
    )
    try:
        store.close_recommendation(
            session,
            recommendation=recommendation,
            note=typed(form, ["note"])["note"] or None,
            actor=user.email,
            today=clock.today(),
        )
    except (Invalid, NotAllowed) as error:
        return _refused(request, session, user, reach, error)
    flash(request, f"Recommendation {recommendation.number} closed by the partnership.")
    return _back(reach)


@router.post("/actions/{action_id}/status")
def change_status(
    request: Request, session: SessionDep, user: RecommendationsPage, form: CheckedForm, action_id: int
) -> Response:
    _number(action_id, user, "action")
    action, _, reach = _guarded(
        request, user, lambda: action_reach(request, session, page_grants(request), action_id, change=True)
    )
    values = typed(form, ["change", "note"])
    if values["change"] not in set(Change):
        return _case_page(request, session, user, reach, errors={"form": "Choose a change."}, status=422)
    try:
        changed = store.change_action(
            session,
            action=action,
            change=Change(values["change"]),
            agency=reach.agency_id is not None,
            actor=user.email,
            today=clock.today(),
            note=values["note"] or None,
        )
    except NotAllowed as error:
        return _refused(request, session, user, reach, error)
    flash(request, f"The action is now {STATUS_WORDS[changed.status]}.")
    return _back(reach)


@router.post("/actions/{action_id}/evidence")
def add_evidence(
    request: Request, session: SessionDep, user: RecommendationsPage, form: CheckedForm, action_id: int
) -> Response:
    """A link as evidence of the action (files go through the API)."""
    _number(action_id, user, "action")
    action, _, reach = _guarded(
        request, user, lambda: action_reach(request, session, page_grants(request), action_id, change=True)
    )
    values = typed(form, ["link", "note"])
    if not values["link"].startswith(("https://", "http://")):
        return _case_page(
            request,
            session,
            user,
            reach,
            errors={"form": "Give the evidence's link, starting https://"},
            status=422,
        )
    try:
        store.add_evidence(
            session, action=action, actor=user.email, link=values["link"][:2000], note=values["note"] or None
        )
    except Invalid as error:
        return _refused(request, session, user, reach, error)
    flash(request, "Evidence added: submit it when the action's evidence is complete.")
    return _back(reach)


@router.get("/recommendations")
def open_recommendations(
    request: Request, session: SessionDep, user: RecommendationsPage, agency: str = "", status: str = ""
) -> Response:
    """Every open recommendation the person may see, oldest first, by agency and status."""
    grants = page_grants(request)
    contact = grants.regional == Role.agency_contact
    chosen_agency = (user.agency_id or "") if contact else (agency or None)
    chosen_status = Status(status) if status in set(Status) else None
    rows = store.open_recommendations(
        session,
        partnership_ids=None if contact else grants.partnerships(),
        today=clock.today(),
        agency_id=chosen_agency,
        status=chosen_status,
    )
    context = {
        "section": "recommendations",
        "rows": rows,
        "agencies": session.exec(select(Agency.id, Agency.name).order_by(col(Agency.name))).all(),
        "agency": agency,
        "status": status,
        "statuses": [(s.value, STATUS_WORDS[s]) for s in Status if s != Status.closed],
        "contact": contact,
        "status_words": STATUS_WORDS,
    }
    return render(request, "recommendations/open.html", context, user=user)
