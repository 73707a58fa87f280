"""Recommendation pages: a case's recommendations and the agencies' action plans (recording them, actions,
evidence links, status changes, closing), and every open recommendation by age, agency and status.

The people of partnerships and agencies' contacts use them; what each may do is
``service.recommendation_access``, as through the API, and a refusal is the page's 404 or 403. Writes
go through ``commissioning.recommendation_store``, as the API's do.
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from commissioning import recommendation_store as store
from commissioning.models import Partnership, Recommendation, RecommendationAction
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
from service.web.pages import (
    BLANK_FORM,
    MAX_NUMBER,
    FormState,
    PageRefused,
    field_errors,
    flash_then_redirect,
    form_page,
    reached,
    render,
    typed,
)
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


def _case_page(
    request: Request,
    session: Session,
    user: User,
    reach: Reach,
    form: FormState = BLANK_FORM,
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
        "labels": LABELS,
        "today": clock.today(),
    }
    return form_page(request, "recommendations/case.html", context, user=user, form=form)


@router.get("/cases/{ref}/recommendations")
def case_recommendations(
    request: Request, session: SessionDep, user: RecommendationsPage, ref: str
) -> Response:
    reach = reached(lambda: case_reach(request, session, page_grants(request), ref, record=False), user=user)
    return _case_page(request, session, user, reach)


def _back(reach: Reach) -> str:
    """The address of the case's recommendations, where a change sends the browser back to."""
    return f"/admin/cases/{reach.case.ref}/recommendations"


@router.post("/cases/{ref}/recommendations")
def add_recommendation(
    request: Request, session: SessionDep, user: RecommendationsPage, form: CheckedForm, ref: str
) -> Response:
    """Record a recommendation from the form; its warnings show on the page, never stopping it."""
    reach = reached(lambda: case_reach(request, session, page_grants(request), ref, record=True), user=user)
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
        errors = field_errors(error, labels=LABELS)
        return _case_page(request, session, user, reach, FormState(errors, values))
    except Invalid as error:
        msg = "; ".join(p["msg"] for p in error.problems) or error.message
        return _case_page(request, session, user, reach, FormState({"agencies": msg}, values))
    warned = len(made.recommendation.warnings)
    return flash_then_redirect(
        request,
        f"Recommendation {made.recommendation.number} recorded"
        + (f", with {warned} warning{'s' if warned != 1 else ''} to look at." if warned else "."),
        _back(reach),
    )


def _refused(
    request: Request, session: Session, user: User, reach: Reach, message: str, status: int = 422
) -> Response:
    """The case's recommendations again, ``message`` saying why the form's change was not made."""
    return _case_page(request, session, user, reach, FormState({"form": message}, status=status))


def _number(value: int, user: User, what: str) -> int:
    if not 0 < value <= MAX_NUMBER:
        raise PageRefused(404, "Not found", f"No {what} with the number {value}.", user=user)
    return value


def _recommendation(
    request: Request, session: Session, user: User, recommendation_id: int, need: str
) -> tuple[Recommendation, Reach]:
    _number(recommendation_id, user, "recommendation")
    return reached(
        lambda: recommendation_reach(request, session, page_grants(request), recommendation_id, need),
        user=user,
    )


def _action_form(
    request: Request, session: Session, user: User, action_id: int, form: FormData, fields: list[str]
) -> tuple[RecommendationAction, Reach, dict[str, str]]:
    """The action a form changes, once the person is shown to reach it, and the form's ``fields``."""
    _number(action_id, user, "action")
    action, _, reach = reached(
        lambda: action_reach(request, session, page_grants(request), action_id, change=True), user=user
    )
    return action, reach, typed(form, fields)


def _written(
    request: Request, session: Session, user: User, reach: Reach, write: Callable[[], str]
) -> Response:
    """``write()``, then back to the case's recommendations with the notice it returns; a refusal shows
    the page again saying why."""
    try:
        notice = write()
    except NotAllowed as error:
        return _refused(request, session, user, reach, error.message, status=409)
    except Invalid as error:
        message = "; ".join(p["msg"] for p in error.problems) or error.message
        return _refused(request, session, user, reach, message)
    return flash_then_redirect(request, notice, _back(reach))


@router.post("/recommendations/{recommendation_id}/actions")
def add_action(
    request: Request,
    session: SessionDep,
    user: RecommendationsPage,
    form: CheckedForm,
    recommendation_id: int,
) -> Response:
    """Add an action to the recommendation's plan (its agency's contact, or the partnership's keepers)."""
    recommendation, reach = _recommendation(request, session, user, recommendation_id, "plan")
    values = typed(form, ["text", "owner", "due", "agency"])
    try:
        body = ActionIn.model_validate({k: v or None for k, v in values.items()})
    except ValidationError as error:
        shown = field_errors(error, labels={"text": "Action", "owner": "Owner's email", "due": "Due date"})
        return _refused(request, session, user, reach, "; ".join(shown.values()))

    def write() -> str:
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
        return f"Action added to recommendation {recommendation.number}."

    return _written(request, session, user, reach, write)


@router.post("/recommendations/{recommendation_id}/close")
def close(
    request: Request,
    session: SessionDep,
    user: RecommendationsPage,
    form: CheckedForm,
    recommendation_id: int,
) -> Response:
    """Close the recommendation (the chair or admins of the lead partnership)."""
    recommendation, reach = _recommendation(request, session, user, recommendation_id, "close")

    def write() -> str:
        note = typed(form, ["note"])["note"] or None
        store.close_recommendation(
            session, recommendation=recommendation, note=note, actor=user.email, today=clock.today()
        )
        return f"Recommendation {recommendation.number} closed by the partnership."

    return _written(request, session, user, reach, write)


@router.post("/actions/{action_id}/status")
def change_status(
    request: Request, session: SessionDep, user: RecommendationsPage, form: CheckedForm, action_id: int
) -> Response:
    """Move the action on (started, evidence submitted, completed, or sent back), as the status allows."""
    action, reach, values = _action_form(request, session, user, action_id, form, ["change", "note"])
    if values["change"] not in set(Change):
        return _refused(request, session, user, reach, "Choose a change.")

    def write() -> str:
        changed = store.change_action(
            session,
            action=action,
            change=Change(values["change"]),
            agency=reach.agency_id is not None,
            actor=user.email,
            today=clock.today(),
            note=values["note"] or None,
        )
        return f"The action is now {STATUS_WORDS[changed.status]}."

    return _written(request, session, user, reach, write)


@router.post("/actions/{action_id}/evidence")
def add_evidence(
    request: Request, session: SessionDep, user: RecommendationsPage, form: CheckedForm, action_id: int
) -> Response:
    """A link as evidence of the action (files go through the API)."""
    action, reach, values = _action_form(request, session, user, action_id, form, ["link", "note"])
    if not values["link"].startswith(("https://", "http://")):
        return _refused(request, session, user, reach, "Give the evidence's link, starting https://")

    def write() -> str:
        link, note = values["link"][:2000], values["note"] or None
        store.add_evidence(session, action=action, actor=user.email, link=link, note=note)
        return "Evidence added: submit it when the action's evidence is complete."

    return _written(request, session, user, reach, write)


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
