"""Case pages for chairs and commissioners: the cases with their next deadlines, and one case's
decision, commissions and terms-of-reference versions. Admins also record there a declaration of
independence a consultant signed on paper or by email.

Reads go through ``commissioning.store``, ``commissioning.commissions`` and ``commissioning.terms_store``;
a download is ``terms_store.download``, as the API's, so the file, its name and its headers are the same
whichever way it is fetched. Recording a signed declaration is ``commissions.declare``, as the API's.
"""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from commissioning import commissions, partnerships, rules, terms_store
from commissioning import store as case_store
from commissioning.chronology.dates import Period
from commissioning.decisions import Due, StoredDecision
from commissioning.models import CaseStatus, Partnership, SignedStatement
from commissioning.render import Format
from commissioning.terms_document import format_date
from commissioning.workflow import Action
from core import clock
from core.errors import Conflict, Invalid, NotAllowed, NotFound
from registry.agencies import resolve_agency
from registry.models import Consultant
from service import chronologies, chronology_notices, users
from service.access import Grants, readable_case, readable_partnerships, require_case_role
from service.db import SessionDep, UnitOfWorkRoute
from service.models import Role, User
from service.people import names
from service.settings import get_settings
from service.web.chronologies import case_section
from service.web.pages import (
    BLANK_FORM,
    DATE_HINT,
    MAX_NUMBER,
    PAGE_SIZE,
    FormState,
    PageRefused,
    field_errors,
    flash_then_redirect,
    form_page,
    page_count,
    page_number,
    page_offset,
    problem_errors,
    reached,
    render,
    typed,
)
from service.web.reviews import STANDING, reviewer_sign_ins, terms_document
from service.web.session import CasesPage, CheckedForm, page_grants

router = APIRouter(prefix="/admin/cases", include_in_schema=False, route_class=UnitOfWorkRoute)


def _row(
    view: case_store.CaseView, today: date
) -> tuple[case_store.CaseView, StoredDecision, tuple[Due, ...]]:
    """A case with the decision in force and its deadlines ahead, as the list shows them."""
    governing = view.governing(rules.load_all(get_settings().rule_settings), today)  # from the milestones
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
    reached(lambda: require_case_role(request, session, page_grants(request), ref, roles), user=user)


def _case_page(
    request: Request,
    session: Session,
    user: User,
    ref: str,
    form: FormState = BLANK_FORM,
) -> Response:
    """Case ``ref``'s page (once the caller is shown to read it), its forms showing ``form``."""
    grants = page_grants(request)
    lead_roles = readable_case(request, session, grants, ref).lead_roles
    try:
        view = case_store.get_case(session=session, ref=ref)
    except NotFound as error:
        raise _not_found(user, error.message) from None
    governing = view.governing(rules.load_all(get_settings().rule_settings))  # from the milestones
    versions = terms_store.list_versions(session=session, ref=ref)
    held = commissions.list_commissions(session=session, ref=ref)
    actors = [
        view.case.created_by,
        *(d.decided_by for d in view.decisions),
        *(v.created_by for v in versions),
        *(c.declaration.recorded_by for c in held if c.declaration and c.declaration.recorded_by),
    ]
    lead = session.get(Partnership, view.case.partnership_id)
    contributing = partnerships.contributing(session, view.case.id or 0)
    involved = {view.case.partnership_id, *(p.id for p in contributing)}
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
        "lead_admin": Role.admin in lead_roles,
        "lead": lead,
        "contributing": contributing,
        "lead_commissioner": bool(lead_roles & {Role.commissioner, Role.admin}),
        "may_contribute": [
            (found.partnership.prefix, found.partnership.name)
            for found in partnerships.list_partnerships(session)
            if found.partnership.id not in involved
        ],
        "warnings": _local_warnings(session, grants, [c.commission.consultant_id for c in held]),
        "labels": {"partnership": "Partnership", **ISSUE_LABELS},
        "chronologies": case_section(request, session, ref, has_terms=bool(versions)),
        "signed_in": reviewer_sign_ins(session, [c.commission.consultant_id for c in held]),
    }
    return form_page(request, "cases/case.html", context, user=user, form=form)


def _local_warnings(session: Session, grants: Grants, consultant_ids: list[int]) -> dict[int, list[str]]:
    """The local notes about these consultants of the partnerships where the caller commissions (or is an
    admin), as warnings by consultant id: a note shows to its own partnership's commissioners only."""
    warnings: dict[int, list[str]] = {}
    for partnership_id in sorted(grants.partnerships(Role.commissioner, Role.admin)):
        partnership = session.get(Partnership, partnership_id)
        if partnership is None:
            continue
        found = partnerships.notes_by_consultant(
            session, partnership=partnership, consultant_ids=consultant_ids
        )
        for consultant_id, findings in found.items():
            warnings.setdefault(consultant_id, []).extend(finding.reason for finding in findings)
    return warnings


@router.get("/{ref}")
def case_page(request: Request, session: SessionDep, user: CasesPage, ref: str) -> Response:
    _readable(request, session, user, ref)
    return _case_page(request, session, user, ref)


# The partnerships contributing to a case (its lead partnership's commissioners and admins) --------------


@router.post("/{ref}/partnerships")
def add_contributor(
    request: Request, session: SessionDep, user: CasesPage, form: CheckedForm, ref: str
) -> Response:
    """Have another partnership contribute to the case: its people then read it."""
    _readable(request, session, user, ref, Role.commissioner, Role.admin)
    values = typed(form, ["partnership"])
    case = case_store.get_case(session=session, ref=ref).case
    try:
        partnership = (
            partnerships.by_prefix(session, values["partnership"]) if values["partnership"] else None
        )
    except NotFound:
        partnership = None
    if partnership is None or partnership.id == case.partnership_id:
        errors = {"partnership": "Choose a partnership from the list"}
        return _case_page(request, session, user, ref, FormState(errors, values))
    partnerships.add_contributor(session, case=case, partnership=partnership, actor=user.email)
    return flash_then_redirect(
        request,
        f"{partnership.name} now contributes to case {ref}: its people can read it.",
        f"/admin/cases/{ref}",
    )


@router.post("/{ref}/partnerships/{prefix}/remove")
def remove_contributor(
    request: Request, session: SessionDep, user: CasesPage, _: CheckedForm, ref: str, prefix: str
) -> Response:
    """A partnership no longer contributes to the case: its people no longer read it."""
    _readable(request, session, user, ref, Role.commissioner, Role.admin)
    case = case_store.get_case(session=session, ref=ref).case
    try:
        partnership = partnerships.by_prefix(session, prefix)
        partnerships.remove_contributor(session, case=case, partnership=partnership, actor=user.email)
    except NotFound:
        raise _not_found(user, f"That partnership does not contribute to case {ref}.") from None
    return flash_then_redirect(
        request, f"{partnership.name} no longer contributes to case {ref}.", f"/admin/cases/{ref}"
    )


@router.get("/{ref}/terms/{version:int}.{fmt}")
def download(
    request: Request, ref: str, version: int, fmt: Format, session: SessionDep, user: CasesPage
) -> Response:
    _readable(request, session, user, ref)
    return terms_document(session, user, ref, version, fmt)


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
    form: FormState = BLANK_FORM,
) -> Response:
    case = case_store.get_case(session=session, ref=view.case_ref).case
    involved = [str(name) for name in case.features.get("agencies_involved") or ()]
    agencies = [(found.name if (found := resolve_agency(session=session, name=n)) else n) for n in involved]
    context = {
        "section": "cases",
        "view": view,
        "agencies": agencies,
        "closed": None if Action.declare.value in view.allowed_actions else _closed(view),
        "labels": LABELS,
        "today": clock.today(),
    }
    return form_page(request, "cases/declaration.html", context, user=user, form=form)


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
        return _declaration_page(request, session, user, view, FormState(ordered, values))
    return flash_then_redirect(
        request,
        f"{view.consultant_name}'s declaration was recorded from their statement signed on "
        f"{format_date(signed.signed_on)}.",
        f"/admin/cases/{ref}",
    )


# Chronologies: asking the agencies (the lead partnership's commissioners and admins) ------------------

ISSUE_LABELS = {"period_from": "Period under review: from", "period_to": "Period under review: to"}


@router.post("/{ref}/chronologies/requests")
def issue_requests(
    request: Request, session: SessionDep, user: CasesPage, form: CheckedForm, ref: str
) -> Response:
    """Ask every agency of the case not yet asked for its chronology over the period typed."""
    _readable(request, session, user, ref, Role.commissioner, Role.admin)
    values = typed(form, ISSUE_LABELS)
    errors: dict[str, str] = {}
    days: dict[str, date] = {}
    for name in ISSUE_LABELS:
        try:
            days[name] = date.fromisoformat(values[name].strip())
        except ValueError:
            errors[name] = DATE_HINT
    if not errors and days["period_to"] < days["period_from"]:
        errors["period_to"] = "Enter a day on or after the day the period starts"
    if not errors:
        case = case_store.get_case(session=session, ref=ref).case
        period = Period(days["period_from"], days["period_to"])
        try:
            made, _ = chronologies.issue(
                session, case=case, actor=user.email, today=clock.today(), period=period
            )
            chronology_notices.requested(
                session,
                case=case,
                requests=made,
                base_url=chronology_notices.public_base(str(request.base_url)),
                actor=user.email,
            )
        except (Invalid, Conflict) as error:
            errors = {"form": error.message}
    if errors:
        return _case_page(request, session, user, ref, FormState(errors, values))
    asked = f"{len(made)} agencies were asked" if made else "Every agency had already been asked"
    return flash_then_redirect(
        request, f"{asked} for their chronologies of case {ref}.", f"/admin/cases/{ref}#chronologies"
    )


# A sign-in for a commissioned reviewer (the lead partnership's commissioners and admins) ----------------


@router.post("/{ref}/commissions/{commission_id}/sign-in")
def give_reviewer_sign_in(
    request: Request, session: SessionDep, user: CasesPage, _: CheckedForm, ref: str, commission_id: int
) -> Response:
    """A sign-in for the commission's consultant as the case's reviewer: they see their own standing
    commissions and those cases' documents, until the commission or the case ends."""
    _readable(request, session, user, ref, Role.commissioner, Role.admin)
    view = _commission(session, user, ref, commission_id)
    if view.commission.status not in STANDING:
        errors = {
            "form": f"{view.consultant_name}'s commission is {view.commission.status}: a reviewer "
            "is given a sign-in once they have declared or been confirmed."
        }
        return _case_page(request, session, user, ref, FormState(errors))
    consultant = session.get_one(Consultant, view.commission.consultant_id)
    try:
        added = users.create_user(
            session,
            email=str(consultant.email),
            role=Role.reviewer,
            display_name=consultant.name,
            consultant_id=consultant.id,
            actor=user.email,
        )
    except (Invalid, Conflict) as error:
        return _case_page(request, session, user, ref, FormState({"form": error.message}))
    return flash_then_redirect(
        request,
        f"{added.shown_name} was added as a reviewer: once a password is set for them they sign in with "
        f"{added.email} and see the documents of the cases they are commissioned on.",
        f"/admin/cases/{ref}",
    )
