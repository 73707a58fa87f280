"""Admin pages for consultants: the filtered list, a consultant's record, add and edit, status actions.

Every change goes through the functions the API calls (``registry.consultants``, and
``service.status_changes`` for a status action), so validation, the audit event and the transaction are
the same whichever way an admin works.
"""

from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from core import clock
from core.errors import NotAllowed
from registry import consultants, lifecycle
from registry.agencies import list_agencies
from registry.lifecycle import Action
from registry.models import (
    Consultant,
    ConsultantCreate,
    ConsultantDetail,
    ConsultantPublic,
    ConsultantUpdate,
    StatusChange,
)
from registry.vocabulary import Background, ConsultantStatus, RegistrationBody, Specialism
from service import status_changes
from service.db import SessionDep, UnitOfWorkRoute
from service.models import User
from service.policy import PolicyDep
from service.web.forms import Next, RecordForm
from service.web.pages import (
    PAGE_SIZE,
    audit_history,
    field_errors,
    flash_then_redirect,
    found,
    page_count,
    page_number,
    page_offset,
    render,
)
from service.web.session import AdminPage, CheckedForm

router = APIRouter(prefix="/admin/consultants", include_in_schema=False, route_class=UnitOfWorkRoute)

EXPIRY_WINDOWS = (30, 60, 90)
CHECKBOX_LISTS = ("backgrounds", "specialisms")
TEXT_LISTS = ("languages", "areas")
LABELS: Mapping[str, str] = {
    "name": "Full name",
    "email": "Email address",
    "phone": "Phone number",
    "slack_user_id": "Slack user ID",
    "backgrounds": "Professional backgrounds",
    "registration_body": "Registration body",
    "registration_number": "Registration number",
    "registration_expiry": "Registration expiry date",
    "dbs_check_date": "Date of enhanced DBS check",
    "insurance_expiry": "Indemnity insurance expiry date",
    "specialisms": "Specialisms",
    "languages": "Languages",
    "areas": "Areas covered",
    "day_rate": "Day rate in pounds",
    "capacity": "Capacity (most reviews at once)",
    "notes": "Notes",
    "reapproval_due": "Re-approval due date",
    "reason": "Reason",
}
PATTERN_HINTS = {
    "slack_user_id": "Enter a Slack user ID: U or W then capital letters and digits, like U012AB3CD"
}
ACTION_LABELS = {"approve": "Approve", "suspend": "Suspend", "remove": "Remove", "reinstate": "Reinstate"}


E = TypeVar("E", ConsultantStatus, Specialism)


def _choice(kind: type[E], value: str) -> E | None:
    """A filter's value from the query string; one that is not in the vocabulary filters nothing."""
    return kind(value) if value in set(kind) else None


@router.get("")
def consultant_list(
    request: Request,
    session: SessionDep,
    user: AdminPage,
    policy: PolicyDep,
    q: str = "",
    status: str = "",
    specialism: str = "",
    area: str = "",
    expiring: str = "",
    page: int = 1,
) -> Response:
    within = int(expiring) if expiring in {str(days) for days in EXPIRY_WINDOWS} else None
    page = page_number(page)
    listing = consultants.list_consultants(
        session=session,
        q=q.strip() or None,
        status=_choice(ConsultantStatus, status),
        specialism=_choice(Specialism, specialism),
        area=area.strip() or None,
        expiring_within_days=within,
        dbs_recheck_years=policy.dbs_recheck_years,
        limit=PAGE_SIZE,
        offset=page_offset(page),
    )
    filters = {"q": q, "status": status, "specialism": specialism, "area": area, "expiring": expiring}
    pages = page_count(listing.total)

    def page_link(number: int) -> str:
        kept = {name: value for name, value in filters.items() if value}
        return "/admin/consultants?" + urlencode({**kept, "page": number})

    context = {
        "section": "consultants",
        "listing": listing,
        "filters": filters,
        "page": page,
        "pages": pages,
        "previous_link": page_link(page - 1) if page > 1 else None,
        "next_link": page_link(page + 1) if page < pages else None,
        "statuses": list(ConsultantStatus),
        "specialisms": list(Specialism),
        "windows": EXPIRY_WINDOWS,
    }
    return render(request, "consultants/list.html", context, user=user)


# Add and edit ---------------------------------------------------------------------------------


class ConsultantForm(RecordForm[ConsultantPublic]):
    """The checkbox lists arrive as several values; every other field as typed."""

    def typed(self, form: FormData, record: ConsultantPublic | None) -> dict[str, Any]:
        return {
            name: form.getlist(name) if name in CHECKBOX_LISTS else str(form.get(name, ""))
            for name in ConsultantUpdate.model_fields
        }


FORM = ConsultantForm(
    section="consultants",
    noun="consultant",
    labels=LABELS,
    choices={
        "backgrounds": list(Background),
        "registration_bodies": list(RegistrationBody),
        "specialisms": list(Specialism),
    },
    pattern_hints=PATTERN_HINTS,
)


def _shown(consultant: ConsultantPublic | None) -> dict[str, Any]:
    """What the form fields show for a stored consultant (or a blank form)."""
    if consultant is None:
        return {
            "capacity": str(ConsultantCreate.model_fields["capacity"].default),
            **{name: [] for name in CHECKBOX_LISTS},
        }
    values: dict[str, Any] = {}
    for name in ConsultantUpdate.model_fields:
        value = getattr(consultant, name)
        if name in CHECKBOX_LISTS:
            values[name] = [str(item) for item in value]
        elif name in TEXT_LISTS:
            values[name] = "; ".join(value)
        else:
            values[name] = "" if value is None else str(value)
    return values


def _model_input(submitted: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """Input for the Create or Update model: a blank optional field is None, a blank required one stays
    blank so the model names it, and list cells split on ``;`` as in the CSV."""
    table = Consultant.__table__.c  # type: ignore[attr-defined]
    data: dict[str, Any] = {}
    for name in fields:
        value = submitted[name]
        if name in CHECKBOX_LISTS:
            data[name] = value
        elif name in TEXT_LISTS:
            data[name] = value.split(";")
        elif value.strip() or (name in table and not table[name].nullable):
            data[name] = value.strip()
        else:
            data[name] = None
    return data


def _read(session: Session, consultant_id: int, user: User) -> ConsultantDetail:
    return found(
        lambda: consultants.get_consultant(session=session, consultant_id=consultant_id),
        user=user,
        title="Consultant not found",
        message=f"There is no consultant with id {consultant_id}.",
        number=consultant_id,
    )


def _create(session: Session, values: Mapping[str, Any], user: User) -> ConsultantPublic:
    data = ConsultantCreate.model_validate(_model_input(values, ConsultantCreate.model_fields))
    return consultants.create_consultant(session=session, data=data, actor=user.email)


def _update(
    session: Session, consultant: ConsultantPublic, values: Mapping[str, Any], user: User
) -> ConsultantPublic:
    data = ConsultantUpdate.model_validate(_model_input(values, ConsultantUpdate.model_fields))
    return consultants.update_consultant(
        session=session, consultant_id=consultant.id, data=data, actor=user.email
    )


def _added(consultant: ConsultantPublic) -> Next:
    return f"{consultant.name} was added as an applicant.", f"/admin/consultants/{consultant.id}"


def _saved(consultant: ConsultantPublic) -> Next:
    return "The changes were saved.", f"/admin/consultants/{consultant.id}"


FORM.adding(router, blank=_shown(None), create=_create, then=_added)
FORM.editing(router, key=int, read=_read, shown=_shown, update=_update, then=_saved)


# A consultant's record and status actions -----------------------------------------------------------


def _record_page(
    request: Request,
    session: Session,
    user: User,
    consultant: ConsultantDetail,
    *,
    errors: Mapping[str, str] | None = None,
    reason: str = "",
    chosen_action: str = "",
) -> Response:
    history = audit_history(session, entity_type="consultant", entity_id=str(consultant.id))
    agencies = {agency.id: agency.name for agency in list_agencies(session=session)}
    context = {
        "section": "consultants",
        "consultant": consultant,
        "history": history,
        "agencies": agencies,
        "actions": [
            (action, ACTION_LABELS[action]) for action in lifecycle.allowed_actions(consultant.status)
        ],
        "errors": errors or {},
        "labels": LABELS,
        "reason": reason,
        "chosen_action": chosen_action,
        "today": clock.today(),
    }
    return render(request, "consultants/record.html", context, user=user, status=422 if errors else 200)


@router.get("/{consultant_id}")
def consultant_record(request: Request, session: SessionDep, user: AdminPage, consultant_id: int) -> Response:
    return _record_page(request, session, user, _read(session, consultant_id, user))


@router.post("/{consultant_id}/status")
def change_status(
    request: Request, session: SessionDep, user: AdminPage, form: CheckedForm, consultant_id: int
) -> Response:
    consultant = _read(session, consultant_id, user)
    action_name, reason = str(form.get("action", "")), str(form.get("reason", ""))
    retry = {"reason": reason, "chosen_action": action_name}
    try:
        action = Action(action_name)
    except ValueError:
        return _record_page(
            request, session, user, consultant, errors={"action": "Choose an action"}, **retry
        )
    try:
        status_changes.change_status(
            session, consultant_id, action, StatusChange(reason=reason.strip()), actor=user.email
        )
    except ValidationError as error:
        return _record_page(
            request, session, user, consultant, errors=field_errors(error, labels=LABELS), **retry
        )
    except NotAllowed as error:
        return _record_page(request, session, user, consultant, errors={"action": error.message}, **retry)
    return flash_then_redirect(
        request,
        f"{consultant.name}: {ACTION_LABELS[action.value].lower()} recorded, with your reason.",
        f"/admin/consultants/{consultant_id}",
    )
