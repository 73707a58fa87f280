"""Admin pages for the board's users: the list, adding a person, their display name, linking or unlinking
their Slack member id, and revoking their access.

Every change goes through ``service.users`` (the functions the command line calls), so validation, the
one-holder-per-Slack-id rule and the audit event are the same whichever way an admin works.
"""

from collections.abc import Callable, Mapping

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import object_session
from sqlmodel import Session

from commissioning import partnerships
from core.errors import Conflict
from service import users
from service.db import SessionDep, UnitOfWorkRoute
from service.models import PARTNERSHIP_ROLES, PERSON_ROLES, DisplayName, SlackLink, User, UserCreate
from service.web.forms import Next, RecordForm
from service.web.pages import audit_history, flash, found, render, typed
from service.web.session import AdminPage, CheckedForm

router = APIRouter(prefix="/admin/users", include_in_schema=False, route_class=UnitOfWorkRoute)

FORM: RecordForm[User] = RecordForm(
    section="users",
    labels={
        "display_name": "Name",
        "email": "Email address",
        "role": "Role",
        "partnership": "Partnership",
        "slack_user_id": "Slack member ID",
    },
    choices={"roles": PERSON_ROLES},
    pattern_hints={
        "slack_user_id": "Enter a Slack member ID: U or W then capital letters and digits, like U012AB3CD"
    },
)
ROLE_WORDS = {
    "list_admin": "a list admin",
    "analyst": "an analyst",
    "member": "a member of a partnership",
    "admin": "an admin",
    "commissioner": "a commissioner",
    "chair": "a chair",
}


@router.get("")
def user_list(request: Request, session: SessionDep, user: AdminPage) -> Response:
    every = users.list_users(session)
    roles = {person.id: users.roles_in_words(session, person) for person in every}
    context = {"section": "users", "users": every, "roles": roles}
    return render(request, "users/list.html", context, user=user)


# Adding a person ----------------------------------------------------------------------------------


def _create(session: Session, values: Mapping[str, str], admin: User) -> User:
    data = UserCreate.model_validate(
        {
            **values,
            "slack_user_id": values["slack_user_id"].strip() or None,
            "partnership": values.get("partnership", "").strip() or None,
        }
    )
    partnership = data.partnership
    if partnership is None and data.role in PARTNERSHIP_ROLES:
        every = partnerships.list_partnerships(session)
        if len(every) == 1:  # a service with one partnership: the role is held there
            partnership = every[0].partnership.prefix
    return users.create_user(
        session,
        email=str(data.email),
        role=data.role,
        display_name=data.display_name,
        slack_user_id=data.slack_user_id,
        actor=admin.email,
        partnership=partnership,
    )


def _added(added: User) -> Next:
    session = object_session(added)
    held = users.roles_of(session, added.id or 0) if isinstance(session, Session) else []
    words = " and ".join(f"{ROLE_WORDS[role]} of {p.name}" for p, role in held) or ROLE_WORDS[added.role]
    return f"{added.shown_name} was added as {words}.", f"/admin/users/{added.id}"


FORM.adding(router, blank=dict.fromkeys(FORM.labels, ""), create=_create, then=_added)


# One person: their name, their Slack account, revoking them ----------------------------------------


def _user(session: Session, user_id: int, admin: User) -> User:
    return found(
        lambda: users.get_user(session, user_id=user_id),
        user=admin,
        title="User not found",
        message="There is no such user.",
        number=user_id,
    )


def _user_page(
    request: Request,
    session: Session,
    admin: User,
    person: User,
    *,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    status: int = 422,
) -> Response:
    """A user's page; with ``errors`` it answers ``status`` (422, or 409 for a Slack member id someone
    else holds) and shows ``values`` as they were typed."""
    context = {
        "section": "users",
        "person": person,
        "roles": {person.id: users.roles_in_words(session, person)},
        "history": audit_history(session, entity_type="user", entity_id=str(person.id)),
        "errors": errors or {},
        "values": {
            "display_name": person.display_name or "",
            "slack_user_id": person.slack_user_id or "",
            **(values or {}),
        },
        "labels": FORM.labels,
        "is_self": person.id == admin.id,
    }
    return render(request, "users/user.html", context, user=admin, status=status if errors else 200)


def _change(
    request: Request,
    session: Session,
    admin: User,
    user_id: int,
    change: Callable[[User], str],
    *,
    values: Mapping[str, str] | None = None,
) -> Response:
    """Make ``change`` to the user, then back to their page with the notice it returns; a refusal shows
    their page again with why, beside the field concerned (``values`` as they were typed)."""
    person = _user(session, user_id, admin)
    try:
        notice = change(person)
    except (ValidationError, Conflict) as error:
        errors, status = FORM.errors(error, values or {})
        return _user_page(request, session, admin, person, errors=errors, values=values, status=status)
    flash(request, notice)
    return RedirectResponse(f"/admin/users/{user_id}", status_code=303)


@router.get("/{user_id}")
def user_page(request: Request, session: SessionDep, user: AdminPage, user_id: int) -> Response:
    return _user_page(request, session, user, _user(session, user_id, user))


def _setting(
    name: str, model: type[BaseModel], save: Callable[..., User], notice: str
) -> Callable[..., Response]:
    """The form on a user's page that sets their field ``name``, checked by ``model`` and stored by
    ``save`` (the ``users`` function taking it by that name); ``notice`` names the user and the value."""

    def set_field(
        request: Request, session: SessionDep, user: AdminPage, form: CheckedForm, user_id: int
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
    request: Request, session: SessionDep, user: AdminPage, _: CheckedForm, user_id: int
) -> Response:
    def unlinked(person: User) -> str:
        users.unlink_slack(session, user_id=user_id, actor=user.email)
        return f"{person.shown_name} is no longer linked to a Slack account."

    return _change(request, session, user, user_id, unlinked)


@router.post("/{user_id}/revoke")
def revoke(request: Request, session: SessionDep, user: AdminPage, _: CheckedForm, user_id: int) -> Response:
    def revoked(person: User) -> str:
        if person.id == user.id:
            raise Conflict("You cannot revoke your own access: ask another admin.")
        if not person.active:
            raise Conflict(f"{person.shown_name}'s access is already revoked.")
        users.revoke_user(session, email=person.email, actor=user.email)
        return f"{person.shown_name}'s access was revoked: the bot, these pages and their API token."

    return _change(request, session, user, user_id, revoked)
