"""Admin pages for partnerships: the list, adding and editing one (list admins), a partnership's page with
its people and its own policy settings beside the service's, and its local notes about consultants (its
commissioners and admins).

Every change goes through ``commissioning.partnerships`` (the functions the API and the command line
call), so validation, the one-partnership-per-area rule and the audit event are the same whichever way it
is made. A local setting left blank is the service's: the form shows the service's value beside each.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from commissioning import partnerships
from commissioning.models import Case, Partnership
from core.errors import Conflict, Invalid
from registry.models import Consultant
from service.db import SessionDep, UnitOfWorkRoute
from service.models import PartnershipRole, Role, User
from service.policy import service_policy
from service.web.forms import Next, RecordForm, Refusal
from service.web.pages import (
    BLANK_FORM,
    FormState,
    PageRefused,
    field_errors,
    flash_then_redirect,
    form_page,
    found,
    render,
    standing,
    typed,
)
from service.web.session import CheckedForm, SignedInPage, page_grants

router = APIRouter(prefix="/admin/partnerships", include_in_schema=False, route_class=UnitOfWorkRoute)


@dataclass(frozen=True)
class Setting:
    """A local policy setting as the form asks for it: blank keeps the service's value."""

    name: str
    label: str
    low: int
    high: int
    yes_no: bool = False


# The independence policy's local values, then the partnership's own settings of the service's.
INDEPENDENCE = (
    Setting("employment_block_years", "Years after working for an agency that rule a consultant out", 0, 50),
    Setting("employment_warn_years", "Years after working for an agency that bring a warning", 0, 50),
    Setting(
        "contract_block_years", "Years after a contract with an agency that rule a consultant out", 0, 50
    ),
    Setting("contract_warn_years", "Years after a contract with an agency that bring a warning", 0, 50),
    Setting("board_warn_years", "Years after sitting on the board that bring a warning", 0, 50),
    Setting("familiarity_years", "Years in which earlier reviews for the partnership count", 0, 50),
    Setting("familiarity_min_reviews", "Earlier reviews for the partnership that bring a warning", 1, 50),
    Setting("expiry_warn_days", "Days before a check lapses that bring a warning", 0, 365),
    Setting("insurance_required", "Indemnity insurance required", 0, 1, yes_no=True),
    Setting("registration_required", "Professional registration required", 0, 1, yes_no=True),
)
OWN = (
    Setting("retention_years", "Years a closed case's records are kept", 1, 100),
    Setting("reminder_lead_days", "Days before a deadline that reminders are sent", 0, 30),
)
SETTINGS = {setting.name: setting for setting in (*INDEPENDENCE, *OWN)}
LABELS: Mapping[str, str] = {
    "name": "Name",
    "prefix": "Case-reference prefix",
    "areas": "Areas covered",
    "reminder_channel": "Slack channel for reminders",
    "admin_channel": "Slack channel for admins",
    **{setting.name: setting.label for setting in SETTINGS.values()},
}
ROLE_ORDER = (Role.admin, Role.commissioner, Role.chair)


def service_values() -> dict[str, str]:
    """The service's value of each local setting, as the form shows it beside the field."""
    service = service_policy()
    values = {name: getattr(service.independence, name) for name in (s.name for s in INDEPENDENCE)}
    values |= {"retention_years": service.retention_years, "reminder_lead_days": service.reminder_lead_days}
    return {
        name: ("Yes" if value else "No") if isinstance(value, bool) else str(value)
        for name, value in values.items()
    }


def _areas(typed_areas: str) -> list[str]:
    """Areas typed one a line or with commas between them."""
    return [area.strip() for area in re.split(r"[,\n]", typed_areas) if area.strip()]


def _policy(values: Mapping[str, str]) -> dict[str, Any]:
    """The partnership's own settings from the form, or ``Invalid`` naming each field that is wrong."""
    problems: list[dict[str, Any]] = []
    chosen: dict[str, Any] = {}
    for setting in SETTINGS.values():
        text = values.get(setting.name, "").strip()
        if not text:
            continue
        if setting.yes_no:
            if text not in ("yes", "no"):
                problems.append({"loc": [setting.name], "msg": "Choose one of the options listed"})
            chosen[setting.name] = text == "yes"
            continue
        if not re.fullmatch(r"\d{1,6}", text):
            problems.append({"loc": [setting.name], "msg": "Enter a whole number, or leave it empty"})
        elif not setting.low <= int(text) <= setting.high:
            problems.append(
                {"loc": [setting.name], "msg": f"Enter a number from {setting.low} to {setting.high}"}
            )
        else:
            chosen[setting.name] = int(text)
    if problems:
        raise Invalid("Some settings are not right.", problems)
    independence = {s.name: chosen[s.name] for s in INDEPENDENCE if s.name in chosen}
    own = {s.name: chosen[s.name] for s in OWN if s.name in chosen}
    return {**({"independence_policy": independence} if independence else {}), **own}


def _shown(view: partnerships.PartnershipView) -> dict[str, str]:
    """What the form fields show for a stored partnership."""
    p = view.partnership
    own = {**(p.policy.get("independence_policy") or {}), **p.policy}
    values = {
        "name": p.name,
        "prefix": p.prefix,
        "areas": "\n".join(partnerships.area_name(area) for area in view.areas),
        "reminder_channel": p.reminder_channel or "",
        "admin_channel": p.admin_channel or "",
    }
    for name in SETTINGS:
        value = own.get(name)
        values[name] = (
            "" if value is None else ("yes" if value else "no") if isinstance(value, bool) else str(value)
        )
    return values


class PartnershipForm(RecordForm[partnerships.PartnershipView]):
    """A store's refusal lands beside the field it is about: an area another partnership covers beside the
    areas, a taken name or prefix beside that field, a policy setting beside its own."""

    def typed(self, form: FormData, record: partnerships.PartnershipView | None) -> dict[str, str]:
        values = typed(form, self.labels)
        if record is not None:
            values["prefix"] = record.partnership.prefix  # it stays: its cases' references carry it
        return values

    def errors(self, error: Refusal, values: Mapping[str, Any]) -> tuple[dict[str, str], int]:
        if isinstance(error, Conflict):
            findings = [f for f in error.findings if isinstance(f, dict)]
            field = (
                "areas"
                if findings and "area" in findings[0]
                else str(findings[0].get("field", "form"))
                if findings
                else "form"
            )
            return {field: error.message}, 409
        if isinstance(error, Invalid):
            errors: dict[str, str] = {}
            for problem in error.problems:
                loc = [str(part) for part in problem.get("loc", []) if part not in ("body", "policy")]
                field = loc[0] if loc and loc[0] in LABELS else "form"
                message = str(problem.get("msg", error.message))
                errors.setdefault(field, message if field in SETTINGS or field == "form" else error.message)
            order = [*LABELS, "form"]
            return {name: errors[name] for name in order if name in errors}, 422
        return field_errors(error, labels=self.labels), 422


def _offered(request: Request, user: User) -> dict[str, Any]:
    return {"service_values": service_values(), "independence": INDEPENDENCE, "own_settings": OWN}


FORM = PartnershipForm(
    section="partnerships", noun="partnership", key="prefix", labels=LABELS, offered=_offered
)


def _create(session: Session, values: Mapping[str, str], admin: User) -> partnerships.PartnershipView:
    return partnerships.add_partnership(
        session,
        name=values["name"],
        prefix=values["prefix"],
        areas=_areas(values["areas"]),
        reminder_channel=values["reminder_channel"].strip() or None,
        admin_channel=values["admin_channel"].strip() or None,
        policy=_policy(values),
        actor=admin.email,
    )


def _read(session: Session, prefix: str, user: User) -> partnerships.PartnershipView:
    return found(
        lambda: partnerships.view(session, partnerships.by_prefix(session, prefix)),
        user=user,
        title="Partnership not found",
        message="There is no such partnership.",
    )


def _update(
    session: Session, view: partnerships.PartnershipView, values: Mapping[str, str], admin: User
) -> partnerships.PartnershipView:
    changes = {
        "name": values["name"],
        "areas": _areas(values["areas"]),
        "reminder_channel": values["reminder_channel"].strip() or None,
        "admin_channel": values["admin_channel"].strip() or None,
        "policy": _policy(values),
    }
    return partnerships.change_partnership(
        session, prefix=view.partnership.prefix, changes=changes, actor=admin.email
    )


def _added(view: partnerships.PartnershipView) -> Next:
    p = view.partnership
    return (
        f"{p.name} was added: its new cases' references begin {p.prefix}.",
        f"/admin/partnerships/{p.prefix}",
    )


def _saved(view: partnerships.PartnershipView) -> Next:
    return "The changes were saved.", f"/admin/partnerships/{view.partnership.prefix}"


# The list -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    view: partnerships.PartnershipView
    cases: int
    people: int


def _counts(session: Session) -> tuple[dict[int, int], dict[int, int]]:
    """Cases led, and people holding a role, by partnership id."""
    cases = session.exec(select(Case.partnership_id, func.count()).group_by(col(Case.partnership_id))).all()
    people = session.exec(
        select(PartnershipRole.partnership_id, func.count(func.distinct(PartnershipRole.user_id))).group_by(
            col(PartnershipRole.partnership_id)
        )
    ).all()
    return dict(cases), dict(people)


@router.get("")
def partnership_list(request: Request, session: SessionDep, user: SignedInPage) -> Response:
    cases, people = _counts(session)
    rows = [
        Row(view, cases.get(view.partnership.id or 0, 0), people.get(view.partnership.id or 0, 0))
        for view in partnerships.list_partnerships(session)
    ]
    context = {"section": "partnerships", "rows": rows, "list_admin": page_grants(request).list_admin}
    return render(request, "partnerships/list.html", context, user=user)


FORM.adding(router, blank={**dict.fromkeys(LABELS, "")}, create=_create, then=_added)
FORM.editing(router, key=str, read=_read, shown=_shown, update=_update, then=_saved)


# One partnership: its settings, its people, its local notes --------------------------------------------


def _people(session: Session, partnership_id: int) -> list[tuple[User, list[Role]]]:
    """The people holding a role in the partnership, by name, each with their roles there."""
    rows = session.exec(
        select(User, PartnershipRole.role)
        .join(PartnershipRole, col(PartnershipRole.user_id) == User.id)
        .where(PartnershipRole.partnership_id == partnership_id)
    ).all()
    held: dict[int, tuple[User, list[Role]]] = {}
    for person, role in rows:
        held.setdefault(person.id or 0, (person, []))[1].append(Role(role))
    return sorted(
        ((person, sorted(roles, key=ROLE_ORDER.index)) for person, roles in held.values()),
        key=lambda item: item[0].shown_name.casefold(),
    )


def _notes_open(request: Request, partnership: Partnership) -> bool:
    """Whether the signed-in person keeps the partnership's local notes: its commissioners and admins."""
    return bool(page_grants(request).roles_in(partnership.id) & {Role.commissioner, Role.admin})


def _partnership_page(
    request: Request,
    session: Session,
    user: User,
    view: partnerships.PartnershipView,
    form: FormState = BLANK_FORM,
) -> Response:
    p = view.partnership
    grants = page_grants(request)
    sees_people = grants.list_admin or Role.admin in grants.roles_in(p.id)
    notes_open = _notes_open(request, p)
    notes = partnerships.notes(session, partnership_id=p.id or 0) if notes_open else []
    consultants = session.exec(select(Consultant).order_by(col(Consultant.name))).all() if notes_open else []
    own = {**(p.policy.get("independence_policy") or {}), **p.policy}
    context = {
        "section": "partnerships",
        "view": view,
        "area_names": [partnerships.area_name(area) for area in view.areas],
        "settings": [(s, own.get(s.name)) for s in (*INDEPENDENCE, *OWN)],
        "service_values": service_values(),
        "list_admin": grants.list_admin,
        "people": _people(session, p.id or 0) if sees_people else None,
        "notes_open": notes_open,
        "notes": notes,
        "consultant_names": {c.id: c.name for c in consultants},
        "consultant_choices": [(str(c.id), c.name) for c in consultants],
        "labels": {"consultant_id": "Consultant", "reason": "Reason"},
        "cases": _counts(session)[0].get(p.id or 0, 0),
    }
    return form_page(request, "partnerships/partnership.html", context, user=user, form=form)


@router.get("/{prefix}")
def partnership_page(request: Request, session: SessionDep, user: SignedInPage, prefix: str) -> Response:
    return _partnership_page(request, session, user, _read(session, prefix, user))


def _note_keeper(request: Request, user: User, view: partnerships.PartnershipView) -> None:
    if not _notes_open(request, view.partnership):
        held = standing(page_grants(request))
        raise PageRefused(
            403,
            "You do not have access to this page",
            f"Local notes about consultants are kept by the commissioners and admins of "
            f"{view.partnership.name}. You are signed in as {user.shown_name}: {held[:1].lower()}{held[1:]}.",
            user=user,
        )


@router.post("/{prefix}/notes")
def add_note(
    request: Request, session: SessionDep, user: SignedInPage, form: CheckedForm, prefix: str
) -> Response:
    """Record the partnership's local reason not to use a consultant: a warning to its commissioners."""
    view = _read(session, prefix, user)
    _note_keeper(request, user, view)
    values = typed(form, ("consultant_id", "reason"))
    chosen = values["consultant_id"]
    errors: dict[str, str] = {}
    if not chosen.isdigit() or session.get(Consultant, int(chosen)) is None:
        errors["consultant_id"] = "Choose a consultant from the list"
    if not errors:
        try:
            partnerships.add_note(
                session,
                partnership=view.partnership,
                consultant_id=int(chosen),
                reason=values["reason"],
                actor=user.email,
            )
        except Invalid:
            errors["reason"] = "Say why, in 3 to 1000 characters"
    if errors:
        return _partnership_page(request, session, user, view, FormState(errors, values))
    name = session.get(Consultant, int(chosen)).name  # type: ignore[union-attr]
    return flash_then_redirect(
        request,
        f"The note about {name} was saved: {view.partnership.name}'s commissioners see it as a warning.",
        f"/admin/partnerships/{view.partnership.prefix}#notes",
    )


@router.post("/{prefix}/notes/{note_id}/delete")
def delete_note(
    request: Request, session: SessionDep, user: SignedInPage, _: CheckedForm, prefix: str, note_id: int
) -> Response:
    view = _read(session, prefix, user)
    _note_keeper(request, user, view)
    found(
        lambda: partnerships.delete_note(
            session, partnership=view.partnership, note_id=note_id, actor=user.email
        ),
        user=user,
        title="Note not found",
        message=f"{view.partnership.name} has no such note: it may have been removed already.",
        number=note_id,
    )
    return flash_then_redirect(
        request, "The note was removed.", f"/admin/partnerships/{view.partnership.prefix}#notes"
    )
