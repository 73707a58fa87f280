"""Case pages for chairs and commissioners: the cases with their next deadlines, and one case's
decision, commissions and terms-of-reference versions. Admins also record there a declaration of
independence a consultant signed on paper or by email.

Reads go through ``commissioning.store``, ``commissioning.commissions`` and ``commissioning.terms_store``;
a download is ``terms_store.download``, as the API's, so the file, its name and its headers are the same
whichever way it is fetched. Recording a signed declaration is ``commissions.declare``, as the API's.
"""

from collections.abc import Mapping
from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from commissioning import commissions, rules, terms_store
from commissioning import store as case_store
from commissioning.decisions import Due, StoredDecision
from commissioning.models import CaseStatus, SignedStatement
from commissioning.render import Format
from commissioning.terms_document import format_date
from commissioning.workflow import Action
from core import clock
from core.errors import Invalid, NotAllowed, NotFound
from registry.agencies import resolve_agency
from service.access import readable_case, readable_partnerships, require_case_role
from service.db import SessionDep, UnitOfWorkRoute
from service.models import Role, User
from service.people import names
from service.settings import get_settings
from service.web.pages import (
    MAX_NUMBER,
    PAGE_SIZE,
    PageRefused,
    field_errors,
    flash,
    page_count,
    page_number,
    page_offset,
    problem_errors,
    render,
    typed,
)
from service.web.session import CasesPage, CheckedForm, page_grants

router = APIRouter(prefix="/admin/cases", include_in_schema=False, route_class=UnitOfWorkRoute)


def _row(
    view: case_store.CaseView, today: date
) -> tuple[case_store.CaseView, StoredDecision, tuple[Due, ...]]:
    """A case with the decision in force and its deadlines ahead, as the list shows them."""
    governing = view.governing()
    return view, governing.decision, governing.ahead(today)


@router.get("")
def case_list(
    request: Request, session: SessionDep, user: CasesPage, status: str = "", page: int = 1
) -> Response:
    page = page_number(page)
    chosen = CaseStatus(status) if status in set(CaseStatus) else None
    views, total = case_store.list_cases(
        session=session,
        status=chosen,
        limit=PAGE_SIZE,
        offset=page_offset(page),
        partnership_ids=readable_partnerships(page_grants(request)),
    )
    today = clock.today()
    rows = [_row(view, today) for view in views]
    pages = page_count(total)
    context = {
        "section": "cases",
        "rows": rows,
        "total": total,
        "status": status,
        "statuses": list(CaseStatus),
        "page": page,
        "pages": pages,
    }
    return render(request, "cases/list.html", context, user=user)


def _not_found(user: User, message: str) -> PageRefused:
    return PageRefused(404, "Not found", message, user=user)


def _readable(request: Request, session: Session, user: User, ref: str, *roles: Role) -> None:
    """The not-found page unless the user may read case ``ref`` (another partnership's case is not
    found, as through the API, and audited as refused); the 403 page when they lack one of ``roles`` in
    its lead partnership."""
    try:
        require_case_role(request, session, page_grants(request), ref, roles)
    except HTTPException as refused:
        if refused.status_code == 404:
            raise _not_found(user, str(refused.detail)) from None
        raise PageRefused(
            403, "You do not have access to this page", str(refused.detail), user=user
        ) from None


@router.get("/{ref}")
def case_page(request: Request, session: SessionDep, user: CasesPage, ref: str) -> Response:
    _readable(request, session, user, ref)
    lead_admin = Role.admin in readable_case(request, session, page_grants(request), ref).lead_roles
    try:
        view = case_store.get_case(session=session, ref=ref)
    except NotFound as error:
        raise _not_found(user, error.message) from None
    governing = view.governing()
    versions = terms_store.list_versions(session=session, ref=ref)
    held = commissions.list_commissions(session=session, ref=ref)
    actors = [
        view.case.created_by,
        *(d.decided_by for d in view.decisions),
        *(v.created_by for v in versions),
        *(c.declaration.recorded_by for c in held if c.declaration and c.declaration.recorded_by),
    ]
    context = {
        "section": "cases",
        "view": view,
        "decision": governing.decision,
        "deadlines": governing.ahead(clock.today()),
        "newer": case_store.newer_rules(view, rules.load_all(get_settings().rule_settings)),
        "commissions": held,
        "versions": versions,
        "formats": list(Format),
        "named": names(session, actors),
        "today": clock.today(),
        "lead_admin": lead_admin,
    }
    return render(request, "cases/case.html", context, user=user)


@router.get("/{ref}/terms/{version:int}.{fmt}")
def download(
    request: Request, ref: str, version: int, fmt: Format, session: SessionDep, user: CasesPage
) -> Response:
    _readable(request, session, user, ref)
    try:
        if not 0 < version <= MAX_NUMBER:
            raise NotFound(f"Case {ref} has no terms of reference version {version}.")
        document = terms_store.download(session=session, ref=ref, version=version, fmt=fmt)
    except NotFound as error:
        raise _not_found(user, error.message) from None
    return Response(document.body, media_type=document.media_type, headers=document.headers)


# Recording a declaration the consultant signed on paper or by email (admins) -----------------------

LABELS = {
    "signed_on": "Date the consultant signed the statement",
    "reference": "Reference to the signed statement",
    "declares": "What the statement declares",
    "statement": "The conflict declared",
    "covers": "Agencies",
}


def _commission(session: Session, user: User, ref: str, commission_id: int) -> commissions.CommissionView:
    """Commission ``commission_id`` of case ``ref``, or the not-found page."""
    try:
        if not 0 < commission_id <= MAX_NUMBER:
            raise NotFound(f"No commission with id {commission_id}.")
        view = commissions.get_commission(session=session, commission_id=commission_id)
    except NotFound as error:
        raise _not_found(user, error.message) from None
    if view.case_ref != ref:
        raise _not_found(user, f"Case {ref} has no commission with id {commission_id}.")
    return view


def _declaration_page(
    request: Request,
    session: Session,
    user: User,
    view: commissions.CommissionView,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> Response:
    case = case_store.get_case(session=session, ref=view.case_ref).case
    involved = [str(name) for name in case.features.get("agencies_involved") or ()]
    agencies = [(found.name if (found := resolve_agency(session=session, name=n)) else n) for n in involved]
    context = {
        "section": "cases",
        "view": view,
        "agencies": agencies,
        "closed": None if Action.declare.value in view.allowed_actions else _closed(view),
        "values": values or {},
        "errors": errors or {},
        "labels": LABELS,
        "today": clock.today(),
    }
    return render(request, "cases/declaration.html", context, user=user, status=422 if errors else 200)


def _closed(view: commissions.CommissionView) -> str:
    return (
        f"{view.consultant_name}'s commission is {view.commission.status}: a declaration can be recorded "
        "only while the commission awaits one."
    )


@router.get("/{ref}/commissions/{commission_id}/declaration")
def signed_declaration_form(
    request: Request, session: SessionDep, user: CasesPage, ref: str, commission_id: int
) -> Response:
    _readable(request, session, user, ref, Role.admin)
    return _declaration_page(request, session, user, _commission(session, user, ref, commission_id))


@router.post("/{ref}/commissions/{commission_id}/declaration")
def record_signed_declaration(
    request: Request, session: SessionDep, user: CasesPage, form: CheckedForm, ref: str, commission_id: int
) -> Response:
    """Record the consultant's signed statement as their declaration, recorded by the board from it (an
    admin of the case's lead partnership)."""
    _readable(request, session, user, ref, Role.admin)
    view = _commission(session, user, ref, commission_id)
    values = typed(form, ("signed_on", "reference", "declares", "statement"))
    errors: dict[str, str] = {}
    signed: SignedStatement | None = None
    try:
        signed = SignedStatement.model_validate(
            {"signed_on": values["signed_on"] or None, "reference": values["reference"]}
        )
    except ValidationError as error:
        errors |= field_errors(error, labels=LABELS)
    if values["declares"] not in ("no_conflict", "conflict"):
        errors["declares"] = "Choose whether the statement declares no conflict or a conflict"
    if form.get("covers") != "yes":
        errors["covers"] = "Confirm that the signed statement covers every agency listed"
    if signed is not None and not errors:
        case = case_store.get_case(session=session, ref=ref).case
        try:
            commissions.declare(
                session=session,
                commission_id=commission_id,
                agencies=list(case.features.get("agencies_involved") or ()),
                no_conflict=values["declares"] == "no_conflict",
                statement=values["statement"].strip() or None,
                actor=user.email,
                signed=signed,
            )
        except Invalid as error:
            errors = problem_errors(error)
        except NotAllowed:
            errors = {"form": _closed(view)}
    if signed is None or errors:
        ordered = {name: errors[name] for name in [*LABELS, "form"] if name in errors}
        return _declaration_page(request, session, user, view, values=values, errors=ordered)
    flash(
        request,
        f"{view.consultant_name}'s declaration was recorded from their statement signed on "
        f"{format_date(signed.signed_on)}.",
    )
    return RedirectResponse(f"/admin/cases/{ref}", status_code=303)
