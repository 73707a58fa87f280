"""A case's review milestones on the admin pages: the timeline (late lines marked), recording a
milestone, and closing or reopening the case with the reason.

The page reads ``commissioning.milestone_store``, as the API does, and writes through the same store
functions as ``POST /api/v1/cases/{ref}/milestones``, ``/close`` and ``/reopen``, so a refusal is the
same sentence either way. Anyone who reads the case reads its timeline; its commissioners, chairs and
admins record milestones; its chairs and admins close and reopen it.
"""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from commissioning import closing, milestone_store, milestones, rules
from commissioning import store as case_store
from commissioning.models import CaseStatus
from core import clock
from core.errors import Conflict, Invalid, NotFound
from core.values import bounded
from service.access import readable_case, require_case_role
from service.api.milestones import read_case
from service.db import SessionDep, UnitOfWorkRoute
from service.models import Role, User
from service.people import names
from service.settings import get_settings
from service.web.pages import (
    BLANK_FORM,
    DATE_HINT,
    FormState,
    flash_then_redirect,
    form_page,
    problem_errors,
    reached,
    typed,
)
from service.web.session import CasesPage, CheckedForm, page_grants

router = APIRouter(prefix="/admin/cases", include_in_schema=False, route_class=UnitOfWorkRoute)

LABELS = {"kind": "Milestone", "on": "The day it happened", "note": "Note", "reason": "Reason", "form": ""}
RECORDERS = (Role.commissioner, Role.chair, Role.admin)
CLOSERS = (Role.chair, Role.admin)


def _allowed(request: Request, session: SessionDep, user: User, ref: str, roles: tuple[Role, ...]) -> None:
    """The not-found page unless the user reads case ``ref``; the 403 page without one of ``roles``."""
    reached(lambda: require_case_role(request, session, page_grants(request), ref, roles), user=user)


def _page(
    request: Request,
    session: SessionDep,
    user: User,
    ref: str,
    form: FormState = BLANK_FORM,
) -> Response:
    roles = readable_case(request, session, page_grants(request), ref).lead_roles
    view, reading = read_case(session, ref)
    changes = closing.history(session=session, case_id=view.case.id or 0)
    context = {
        "section": "cases",
        "view": view,
        "timeline": reading.timeline,
        "kinds": [(kind.id, kind.said(panel=reading.panel)) for kind in milestones.KINDS],
        "changes": changes,
        "named": names(
            session,
            [
                *(e.recorded.recorded_by for e in reading.timeline if e.recorded),
                *(c.changed_by for c in changes),
            ],
        ),
        "may_record": bool(roles & set(RECORDERS)),
        "may_close": bool(roles & set(CLOSERS)),
        "closed": view.case.status == CaseStatus.closed,
        "labels": LABELS,
        "date_hint": DATE_HINT,
    }
    return form_page(request, "cases/milestones.html", context, user=user, form=form)


@router.get("/{ref}/milestones")
def milestones_page(request: Request, session: SessionDep, user: CasesPage, ref: str) -> Response:
    _allowed(request, session, user, ref, ())
    return _page(request, session, user, ref)


@router.post("/{ref}/milestones")
def record_milestone(
    request: Request, session: SessionDep, user: CasesPage, form: CheckedForm, ref: str
) -> Response:
    """Record the day a milestone happened; the page again with every problem beside its field."""
    _allowed(request, session, user, ref, RECORDERS)
    values = typed(form, ("kind", "on", "note"))
    try:
        on = bounded(date.fromisoformat(values["on"].strip()))
    except ValueError:
        return _page(request, session, user, ref, FormState({"on": DATE_HINT}, values))
    try:
        milestone_store.record(
            session=session,
            ref=ref,
            kind=values["kind"],
            on=on,
            note=values["note"],
            actor=user.email,
            today=clock.today(),
            rulesets=rules.load_all(get_settings().rule_settings),
        )
    except Invalid as error:
        return _page(request, session, user, ref, FormState(problem_errors(error), values))
    return flash_then_redirect(
        request, f"The milestone is recorded on case {ref}.", f"/admin/cases/{ref}/milestones"
    )


@router.post("/{ref}/status")
def change_status(
    request: Request, session: SessionDep, user: CasesPage, form: CheckedForm, ref: str
) -> Response:
    """Close the case, or reopen it, with the reason (the page asks for one either way)."""
    _allowed(request, session, user, ref, CLOSERS)
    values = typed(form, ("reason",))
    reason = values["reason"].strip()
    if len(reason) < 3:
        errors = {"reason": "Give the reason for closing or reopening the case"}
        return _page(request, session, user, ref, FormState(errors, values))
    try:
        if case_store.get_case(session=session, ref=ref).case.status == CaseStatus.closed:
            closing.reopen_case(session=session, ref=ref, actor=user.email, reason=reason)
            said = f"Case {ref} is open again."
        else:
            closing.close_case(session=session, ref=ref, actor=user.email, today=clock.today(), reason=reason)
            said = f"Case {ref} is closed."
    except (Conflict, NotFound) as error:  # closed or reopened by someone else meanwhile
        return _page(request, session, user, ref, FormState({"form": error.message}, values))
    return flash_then_redirect(request, said, f"/admin/cases/{ref}/milestones")
