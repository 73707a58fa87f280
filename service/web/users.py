"""Admin pages for the service's users: the list, adding a person, the roles they hold in each partnership
and regionally, their display name, linking or unlinking their Slack member id, and revoking their access.

List admins manage everyone. A partnership's admins manage the people of their own partnership: they see
those holding a role there, add people there and grant or take roles there; a person's name, Slack account
and access they change only when every role the person holds is in partnerships they run (anyone else's
are a list admin's to change). Everyone else is refused the pages.

Every change goes through ``service.users`` (the functions the command line calls), so validation, the
one-holder-per-Slack-id rule and the audit event are the same whichever way an admin works.
"""

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import object_session
from sqlmodel import Session

from commissioning import partnerships
from core.errors import Conflict, Invalid, NotFound
from registry.agencies import list_agencies
from registry.models import Agency
from service import users
from service.access import Grants, grants_of
from service.db import SessionDep, UnitOfWorkRoute, joined_unit_of_work
from service.models import (
    PARTNERSHIP_ROLES,
    PERSON_ROLES,
    ROLE_WORDS,
    DisplayName,
    Role,
    SlackLink,
    User,
    UserCreate,
)
from service.web.forms import Next, RecordForm
from service.web.pages import (
    BLANK_FORM,
    FormState,
    PageRefused,
    audit_history,
    flash_then_redirect,
    form_page,
    found,
    render,
    typed,
)
from service.web.session import AdminPage, CheckedForm, PeoplePage, page_grants, people_admins

router = APIRouter(prefix="/admin/users", include_in_schema=False, route_class=UnitOfWorkRoute)


def _runs(grants: Grants) -> frozenset[int] | None:
    """The partnerships whose people the signed-in person manages: None for a list admin (all of them)."""
    return None if grants.list_admin else grants.partnerships(Role.admin)


def _partnership_choices(session: Session, grants: Grants) -> list[tuple[str, str]]:
    """The partnerships the signed-in person may give roles in, as (prefix, name) by name."""
    runs = _runs(grants)
    return [
        (view.partnership.prefix, view.partnership.name)
        for view in partnerships.list_partnerships(session)
        if runs is None or view.partnership.id in runs
    ]


def _offered(request: Request, user: User) -> dict[str, Any]:
    """A list admin gives any role; a partnership's admin a role in a partnership they run."""
    grants = page_grants(request)
    with joined_unit_of_work(request) as db:
        choices = _partnership_choices(db, grants)
        agencies = [(a.id, a.name) for a in list_agencies(session=db)] if grants.list_admin else []
    return {
        "roles": PERSON_ROLES if grants.list_admin else PARTNERSHIP_ROLES,
        "partnerships": choices,
        "agencies": agencies,
    }


FORM: RecordForm[User] = RecordForm(
    section="users",
    guard=people_admins,
    offered=_offered,
    labels={
        "display_name": "Name",
        "email": "Email address",
        "role": "Role",
        "partnership": "Partnership",
        "agency": "Agency",
        "slack_user_id": "Slack member ID",
    },
    choices={"roles": PERSON_ROLES},
    pattern_hints={
        "slack_user_id": "Enter a Slack member ID: U or W then capital letters and digits, like U012AB3CD"
    },
)
AS_A = {
    "list_admin": "a list admin",
    "analyst": "an analyst",
    "agency_contact": "an agency contact",
    "reviewer": "a reviewer",
    "member": "a member of a partnership",
    "admin": "an admin",
    "commissioner": "a commissioner",
    "chair": "a chair",
}


def held_in_words(session: Session, person: User) -> str:
    """A person's roles as the pages show them: "List admin; chair, City and Hackney"."""
    held = [f"{ROLE_WORDS[role]}, {p.name}" for p, role in users.roles_of(session, person.id or 0)]
    if person.role not in (Role.member,):
        held.insert(0, ROLE_WORDS[Role(person.role)] + _of_agency(session, person))
    text = "; ".join(held) or "No role"
    return text[:1].upper() + text[1:]


def _of_agency(session: Session, person: User) -> str:
    """ " of Hackney Children's Social Care" for an agency contact; nothing for anyone else."""
    agency = session.get(Agency, person.agency_id) if person.agency_id else None
    return f" of {agency.name}" if agency is not None else ""


def _visible(grants: Grants, session: Session, person: User) -> bool:
    """Whether the signed-in person may see ``person``: a list admin anyone, a partnership's admin the
    people holding a role in a partnership they run."""
    runs = _runs(grants)
    return runs is None or any(p.id in runs for p, _ in users.roles_of(session, person.id or 0))


def _manages(grants: Grants, session: Session, person: User) -> bool:
    """Whether the signed-in person may change ``person``'s name, Slack account and access: a list admin
    anyone's; a partnership's admin those whose every role is in partnerships they run."""
    runs = _runs(grants)
    if runs is None:
        return True
    held = {p.id for p, _ in users.roles_of(session, person.id or 0)}
    return person.role == Role.member and bool(held) and held <= runs


@router.get("")
def user_list(request: Request, session: SessionDep, user: PeoplePage) -> Response:
    grants = page_grants(request)
    every = [person for person in users.list_users(session) if _visible(grants, session, person)]
    roles = {person.id: held_in_words(session, person) for person in every}
    context = {"section": "users", "users": every, "roles": roles, "list_admin": grants.list_admin}
    return render(request, "users/list.html", context, user=user)


# Adding a person ----------------------------------------------------------------------------------


def _create(session: Session, values: Mapping[str, str], admin: User) -> User:
    data = UserCreate.model_validate(
        {
            **values,
            "slack_user_id": values["slack_user_id"].strip() or None,
            "partnership": values.get("partnership", "").strip() or None,
            "agency": values.get("agency", "").strip() or None,
        }
    )
    partnership = data.partnership
    choices = [prefix for prefix, _ in _partnership_choices(session, grants_of(session, admin))]
    if partnership is None and data.role in PARTNERSHIP_ROLES and len(choices) == 1:
        partnership = choices[0]  # the one partnership they may add people to: the role is held there
    if admin.role != Role.list_admin:
        if data.role not in PARTNERSHIP_ROLES:
            raise Invalid(
                "A list admin gives the regional roles.",
                [{"loc": ["role"], "msg": "Choose admin, commissioner or chair"}],
            )
        if partnership is not None and partnership.strip().upper() not in choices:
            raise Invalid(
                "You add people to the partnerships you run.",
                [{"loc": ["partnership"], "msg": "Choose one of the partnerships you run"}],
            )
    return users.create_user(
        session,
        email=str(data.email),
        role=data.role,
        display_name=data.display_name,
        slack_user_id=data.slack_user_id,
        actor=admin.email,
        partnership=partnership,
        agency=data.agency,
    )


def _added(added: User) -> Next:
    session = object_session(added)
    held = users.roles_of(session, added.id or 0) if isinstance(session, Session) else []
    regional = AS_A[added.role] + (_of_agency(session, added) if isinstance(session, Session) else "")
    words = " and ".join(f"{AS_A[role]} of {p.name}" for p, role in held) or regional
    return f"{added.shown_name} was added as {words}.", f"/admin/users/{added.id}"


FORM.adding(router, blank=dict.fromkeys(FORM.labels, ""), create=_create, then=_added)


# One person: their name, their Slack account, revoking them ----------------------------------------


def _user(request: Request, session: Session, user_id: int, admin: User) -> User:
    """The user, or the not-found page: a partnership's admin does not learn of people outside the
    partnerships they run."""

    def read() -> User:
        person = users.get_user(session, user_id=user_id)
        if not _visible(page_grants(request), session, person):
            raise NotFound("There is no such user.")
        return person

    return found(read, user=admin, title="User not found", message="There is no such user.", number=user_id)


def _user_page(
    request: Request,
    session: Session,
    admin: User,
    person: User,
    form: FormState = BLANK_FORM,
) -> Response:
    """A user's page, its forms showing what is stored with ``form``'s typed values over it (a refused
    Slack member id that someone else holds answers 409)."""
    grants = page_grants(request)
    runs = _runs(grants)
    context = {
        "section": "users",
        "person": person,
        "roles": {person.id: held_in_words(session, person)},
        "held": [
            (p, role, runs is None or p.id in runs) for p, role in users.roles_of(session, person.id or 0)
        ],
        "partnerships": _partnership_choices(session, grants),
        "partnership_roles": PARTNERSHIP_ROLES,
        "regional_roles": [("list_admin", "List admin"), ("analyst", "Analyst")],
        "list_admin": grants.list_admin,
        "manages": _manages(grants, session, person),
        "history": audit_history(session, entity_type="user", entity_id=str(person.id)),
        "labels": {
            **FORM.labels,
            "grant_partnership": "Partnership",
            "grant_role": "Role",
            "regional": "Regional role",
        },
        "is_self": person.id == admin.id,
    }
    stored = {
        "display_name": person.display_name or "",
        "slack_user_id": person.slack_user_id or "",
        "regional": person.role if person.role in (Role.list_admin, Role.analyst) else "",
    }
    shown = replace(form, values={**stored, **form.values})
    return form_page(request, "users/user.html", context, user=admin, form=shown)


def _change(
    request: Request,
    session: Session,
    admin: User,
    user_id: int,
    change: Callable[[User], str],
    *,
    values: Mapping[str, str] | None = None,
    whole_person: bool = True,
) -> Response:
    """Make ``change`` to the user, then back to their page with the notice it returns; a refusal shows
    their page again with why, beside the field concerned (``values`` as they were typed). A change to
    the ``whole_person`` (their name, Slack account, access) is refused to a partnership's admin when the
    person holds roles elsewhere too."""
    person = _user(request, session, user_id, admin)
    if whole_person and not _manages(page_grants(request), session, person):
        raise PageRefused(
            403,
            "You do not have access to this page",
            f"{person.shown_name} holds roles outside the partnerships you run, so a list admin changes "
            "their name, Slack account and access. You can grant and remove their roles in your partnership.",
            user=admin,
        )
    try:
        notice = change(person)
    except (ValidationError, Conflict, Invalid) as error:
        errors, status = FORM.errors(error, values or {})
        return _user_page(request, session, admin, person, FormState(errors, values or {}, status))
    return flash_then_redirect(request, notice, f"/admin/users/{user_id}")


@router.get("/{user_id}")
def user_page(request: Request, session: SessionDep, user: PeoplePage, user_id: int) -> Response:
    return _user_page(request, session, user, _user(request, session, user_id, user))


def _setting(
    name: str, model: type[BaseModel], save: Callable[..., User], notice: str
) -> Callable[..., Response]:
    """The form on a user's page that sets their field ``name``, checked by ``model`` and stored by
    ``save`` (the ``users`` function taking it by that name); ``notice`` names the user and the value."""

    def set_field(
        request: Request, session: SessionDep, user: PeoplePage, form: CheckedForm, user_id: int
    ) -> Response:
        values = typed(form, [name])

        def saved(person: User) -> str:
            value = getattr(model.model_validate(values), name)
            save(session, user_id=user_id, actor=user.email, **{name: value})
            return notice.format(name=person.shown_name, value=value)

        return _change(request, session, user, user_id, saved, values=values)

    return set_field


router.add_api_route(
    "/{user_id}/name",
    _setting("display_name", DisplayName, users.set_display_name, "The name was saved: {name}."),
    methods=["POST"],
    name="rename",
)
router.add_api_route(
    "/{user_id}/slack",
    _setting("slack_user_id", SlackLink, users.link_slack, "{name} is linked to the Slack account {value}."),
    methods=["POST"],
    name="link_slack",
)


@router.post("/{user_id}/slack/unlink")
def unlink_slack(
    request: Request, session: SessionDep, user: PeoplePage, _: CheckedForm, user_id: int
) -> Response:
    def unlinked(person: User) -> str:
        users.unlink_slack(session, user_id=user_id, actor=user.email)
        return f"{person.shown_name} is no longer linked to a Slack account."

    return _change(request, session, user, user_id, unlinked)


@router.post("/{user_id}/revoke")
def revoke(request: Request, session: SessionDep, user: PeoplePage, _: CheckedForm, user_id: int) -> Response:
    def revoked(person: User) -> str:
        if person.id == user.id:
            raise Conflict("You cannot revoke your own access: ask another admin.")
        if not person.active:
            raise Conflict(f"{person.shown_name}'s access is already revoked.")
        users.revoke_user(session, email=person.email, actor=user.email)
        return f"{person.shown_name}'s access was revoked: the bot, these pages and their API token."

    return _change(request, session, user, user_id, revoked)


# Roles: in a partnership, and regional -------------------------------------------------------------

ROLE_FIELDS = ("grant_partnership", "grant_role")


def _checked_role(session: Session, grants: Grants, values: Mapping[str, str]) -> tuple[str, Role, str]:
    """The partnership (its prefix and name) and the partnership role a form names, or ``Invalid`` beside
    the field that is wrong: a partnership's admin names only a partnership they run."""
    runs = _runs(grants)
    chosen = {prefix: name for prefix, name in _partnership_choices(session, grants)}
    prefix, role = values["grant_partnership"].strip().upper(), values["grant_role"]
    problems = []
    if prefix not in chosen:
        message = "Choose a partnership" if runs is None else "Choose one of the partnerships you run"
        problems.append({"loc": ["grant_partnership"], "msg": message})
    if role not in {r.value for r in PARTNERSHIP_ROLES}:
        problems.append({"loc": ["grant_role"], "msg": "Choose admin, commissioner or chair"})
    if problems:
        raise Invalid("Choose the partnership and the role.", problems)
    return prefix, Role(role), chosen[prefix]


def _change_role(
    request: Request,
    session: Session,
    admin: User,
    user_id: int,
    form: CheckedForm,
    change: Callable[[User, str, Role, str], str],
) -> Response:
    """``change(person, prefix, role, partnership name)`` to one of the person's partnership roles, as the
    role form chose it; like every change, back to their page with its notice or with why not."""
    values = typed(form, ROLE_FIELDS)

    def changed(person: User) -> str:
        prefix, role, name = _checked_role(session, page_grants(request), values)
        return change(person, prefix, role, name)

    return _change(request, session, admin, user_id, changed, values=values, whole_person=False)


@router.post("/{user_id}/roles")
def grant(
    request: Request, session: SessionDep, user: PeoplePage, form: CheckedForm, user_id: int
) -> Response:
    """Give the person a role in a partnership (one the signed-in person runs, for a partnership's admin)."""

    def granted(person: User, prefix: str, role: Role, name: str) -> str:
        if not person.active:
            raise Conflict(f"{person.shown_name}'s access is revoked: they cannot be given a role.")
        users.grant_role(session, email=person.email, role=role, partnership=prefix, actor=user.email)
        return f"{person.shown_name} is now {ROLE_WORDS[role]}, {name}."

    return _change_role(request, session, user, user_id, form, granted)


@router.post("/{user_id}/roles/remove")
def remove_role(
    request: Request, session: SessionDep, user: PeoplePage, form: CheckedForm, user_id: int
) -> Response:
    """Take a role in a partnership from the person; never one's own admin role (another admin does it)."""

    def removed(person: User, prefix: str, role: Role, name: str) -> str:
        if person.id == user.id and role == Role.admin:
            raise Conflict(f"You cannot take away your own admin role in {name}: ask another admin.")
        try:
            users.revoke_role(session, email=person.email, role=role, partnership=prefix, actor=user.email)
        except NotFound as error:
            raise Conflict(error.message) from None
        return f"{person.shown_name} is no longer {ROLE_WORDS[role]}, {name}."

    return _change_role(request, session, user, user_id, form, removed)


@router.post("/{user_id}/regional")
def set_regional(
    request: Request, session: SessionDep, user: AdminPage, form: CheckedForm, user_id: int
) -> Response:
    """Make the person a list admin or an analyst, or neither (list admins only, never for themselves)."""
    values = typed(form, ["regional"])

    def changed(person: User) -> str:
        if person.id == user.id:
            raise Conflict("You cannot change your own regional role: ask another list admin.")
        chosen = values["regional"]
        if chosen not in ("", Role.list_admin.value, Role.analyst.value):
            raise Invalid(
                "Choose a regional role.", [{"loc": ["regional"], "msg": "Choose one of the options"}]
            )
        role = Role(chosen) if chosen else Role.member
        users.set_regional_role(session, user_id=person.id or 0, role=role, actor=user.email)
        if role == Role.member:
            return f"{person.shown_name} holds no regional role now."
        return f"{person.shown_name} is now {AS_A[role.value]}."

    return _change(request, session, user, user_id, changed, values=values)
