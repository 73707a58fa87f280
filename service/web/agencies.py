"""Admin pages for agencies: the list, add, edit, and the aliases that resolve people's names for them."""

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from core.errors import Conflict
from registry.agencies import create_agency, get_agency, list_agencies, update_agency
from registry.models import AgencyCreate, AgencyPublic, AgencyUpdate, fold
from registry.vocabulary import AgencyKind
from service.db import SessionDep, UnitOfWorkRoute
from service.models import User
from service.web.forms import Next, RecordForm, Refusal
from service.web.pages import found, render
from service.web.session import AdminPage

router = APIRouter(prefix="/admin/agencies", include_in_schema=False, route_class=UnitOfWorkRoute)


@router.get("")
def agency_list(
    request: Request, session: SessionDep, user: AdminPage, q: str = "", area: str = ""
) -> Response:
    agencies = list_agencies(session=session, q=q.strip() or None, area=area.strip() or None)
    context = {"section": "agencies", "agencies": agencies, "filters": {"q": q, "area": area}}
    return render(request, "agencies/list.html", context, user=user)


class AgencyForm(RecordForm[AgencyPublic]):
    """An agency's id is typed once, when it is added; a name already taken is said beside the field that
    took it, and answered 422 as the other refusals are."""

    def typed(self, form: FormData, record: AgencyPublic | None) -> dict[str, Any]:
        values = super().typed(form, record)
        return values if record is None else {**values, "id": record.id}

    def errors(self, error: Refusal, values: Mapping[str, Any]) -> tuple[dict[str, str], int]:
        if not isinstance(error, Conflict):
            return super().errors(error, values)
        taken = {finding.get("name") for finding in error.findings if isinstance(finding, dict)}
        if not taken:
            return {"id": error.message}, 422
        return {"name" if fold(values["name"]) in taken else "aliases": error.message}, 422


FORM = AgencyForm(
    section="agencies",
    noun="agency",
    labels={
        "id": "Short ID",
        "name": "Name",
        "kind": "Kind of agency",
        "area": "Area",
        "aliases": "Other names (aliases)",
    },
    choices={"kinds": list(AgencyKind)},
    pattern_hints={"id": "Use lower-case letters and digits, with single hyphens between words"},
)


def _model_input(submitted: Mapping[str, str], fields: Mapping[str, Any]) -> dict[str, Any]:
    """Aliases come one per line; every other field as typed, so the model names a blank one."""
    return {
        name: submitted[name].splitlines() if name == "aliases" else submitted[name].strip()
        for name in fields
    }


def _read(session: Session, agency_id: str, user: User) -> AgencyPublic:
    return found(
        lambda: get_agency(session=session, agency_id=agency_id),
        user=user,
        title="Agency not found",
        message=f"There is no agency with id {agency_id}.",
    )


def _shown(agency: AgencyPublic) -> dict[str, str]:
    return {
        "id": agency.id,
        "name": agency.name,
        "kind": agency.kind.value,
        "area": agency.area,
        "aliases": "\n".join(agency.aliases),
    }


def _create(session: Session, values: Mapping[str, str], user: User) -> AgencyPublic:
    data = AgencyCreate.model_validate(_model_input(values, AgencyCreate.model_fields))
    return create_agency(session=session, data=data, actor=user.email)


def _update(session: Session, agency: AgencyPublic, values: Mapping[str, str], user: User) -> AgencyPublic:
    data = AgencyUpdate.model_validate(_model_input(values, AgencyUpdate.model_fields))
    return update_agency(session=session, agency_id=agency.id, data=data, actor=user.email)


def _added(agency: AgencyPublic) -> Next:
    return f"{agency.name} was added.", "/admin/agencies"


def _saved(agency: AgencyPublic) -> Next:
    return f"The changes to {agency.name} were saved.", "/admin/agencies"


FORM.adding(router, blank=dict.fromkeys(FORM.labels, ""), create=_create, then=_added)
FORM.editing(router, key=str, read=_read, shown=_shown, update=_update, then=_saved)
