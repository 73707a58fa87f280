"""Admin pages for agencies: the list, add, edit, and the aliases that resolve people's names for them."""

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from core.errors import Conflict, Invalid, NotFound
from registry.agencies import create_agency, get_agency, list_agencies, update_agency
from registry.models import AgencyCreate, AgencyPublic, AgencyUpdate, fold
from registry.vocabulary import AgencyKind
from service.db import SessionDep, UnitOfWorkRoute
from service.models import User
from service.web.pages import PageRefused, field_errors, flash, problem_errors, render
from service.web.session import AdminPage, CheckedForm

router = APIRouter(prefix="/admin/agencies", include_in_schema=False, route_class=UnitOfWorkRoute)

LABELS: Mapping[str, str] = {
    "id": "Short ID",
    "name": "Name",
    "kind": "Kind of agency",
    "area": "Area",
    "aliases": "Other names (aliases)",
}
PATTERN_HINTS = {"id": "Use lower-case letters and digits, with single hyphens between words"}


@router.get("")
def agency_list(
    request: Request, session: SessionDep, user: AdminPage, q: str = "", area: str = ""
) -> Response:
    agencies = list_agencies(session=session, q=q.strip() or None, area=area.strip() or None)
    context = {"section": "agencies", "agencies": agencies, "filters": {"q": q, "area": area}}
    return render(request, "agencies/list.html", context, user=user)


def _submitted(form: FormData) -> dict[str, str]:
    return {name: str(form.get(name, "")) for name in LABELS}


def _model_input(submitted: Mapping[str, str], fields: Mapping[str, Any]) -> dict[str, Any]:
    """Aliases come one per line; every other field as typed, so the model names a blank one."""
    return {
        name: submitted[name].splitlines() if name == "aliases" else submitted[name].strip()
        for name in fields
    }


def _conflict_errors(error: Conflict, submitted: Mapping[str, str]) -> dict[str, str]:
    """Say beside the field which name is taken: the agency's name, an alias, or the id."""
    taken = {finding.get("name") for finding in error.findings if isinstance(finding, dict)}
    if not taken:
        return {"id": error.message}
    return {"name" if fold(submitted["name"]) in taken else "aliases": error.message}


def _form_page(
    request: Request,
    user: User,
    *,
    agency: AgencyPublic | None,
    values: Mapping[str, str],
    errors: Mapping[str, str] | None = None,
) -> Response:
    context = {
        "section": "agencies",
        "agency": agency,
        "values": values,
        "errors": errors or {},
        "labels": LABELS,
        "kinds": list(AgencyKind),
    }
    return render(request, "agencies/form.html", context, user=user, status=422 if errors else 200)


def _refused(
    request: Request,
    user: User,
    error: ValidationError | Invalid | Conflict,
    *,
    agency: AgencyPublic | None,
    values: Mapping[str, str],
    hints: Mapping[str, str] | None = None,
) -> Response:
    """The form again, with why its ``values`` were refused beside the fields concerned (``hints``: what
    a field's pattern asks for, where the form lets it be typed)."""
    if isinstance(error, ValidationError):
        errors = field_errors(error, labels=LABELS, pattern_hints=hints)
    elif isinstance(error, Invalid):
        errors = problem_errors(error)
    else:
        errors = _conflict_errors(error, values)
    return _form_page(request, user, agency=agency, values=values, errors=errors)


def _values(agency: AgencyPublic) -> dict[str, str]:
    return {
        "id": agency.id,
        "name": agency.name,
        "kind": agency.kind.value,
        "area": agency.area,
        "aliases": "\n".join(agency.aliases),
    }


@router.get("/new")
def new_agency(request: Request, user: AdminPage) -> Response:
    return _form_page(request, user, agency=None, values=dict.fromkeys(LABELS, ""))


@router.post("/new")
def add_agency(request: Request, session: SessionDep, user: AdminPage, form: CheckedForm) -> Response:
    submitted = _submitted(form)
    try:
        data = AgencyCreate.model_validate(_model_input(submitted, AgencyCreate.model_fields))
        agency = create_agency(session=session, data=data, actor=user.email)
    except (ValidationError, Invalid, Conflict) as error:
        return _refused(request, user, error, agency=None, values=submitted, hints=PATTERN_HINTS)
    flash(request, f"{agency.name} was added.")
    return RedirectResponse("/admin/agencies", status_code=303)


def _agency(session: SessionDep, agency_id: str, user: User) -> AgencyPublic:
    try:
        return get_agency(session=session, agency_id=agency_id)
    except NotFound:
        raise PageRefused(
            404, "Agency not found", f"There is no agency with id {agency_id}.", user=user
        ) from None


@router.get("/{agency_id}/edit")
def edit_agency(request: Request, session: SessionDep, user: AdminPage, agency_id: str) -> Response:
    agency = _agency(session, agency_id, user)
    return _form_page(request, user, agency=agency, values=_values(agency))


@router.post("/{agency_id}/edit")
def save_agency(
    request: Request, session: SessionDep, user: AdminPage, form: CheckedForm, agency_id: str
) -> Response:
    agency = _agency(session, agency_id, user)
    submitted = {**_submitted(form), "id": agency.id}
    try:
        data = AgencyUpdate.model_validate(_model_input(submitted, AgencyUpdate.model_fields))
        saved = update_agency(session=session, agency_id=agency_id, data=data, actor=user.email)
    except (ValidationError, Invalid, Conflict) as error:
        return _refused(request, user, error, agency=agency, values=submitted)
    flash(request, f"The changes to {saved.name} were saved.")
    return RedirectResponse("/admin/agencies", status_code=303)
