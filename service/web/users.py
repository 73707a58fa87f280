"""Admin pages for the board's users: the list, adding a person, their display name, linking or unlinking
their Slack member id, and revoking their access.

Every change goes through ``service.users`` (the functions the command line calls), so validation, the
one-holder-per-Slack-id rule and the audit event are the same whichever way an admin works.
"""

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from core.errors import Conflict, Invalid, NotFound
from service import users
from service.db import SessionDep, UnitOfWorkRoute
from service.models import PERSON_ROLES, DisplayName, SlackLink, User, UserCreate
from service.web.pages import (
    MAX_NUMBER,
    PageRefused,
    audit_history,
    field_errors,
    flash,
    render,
    store_errors,
)
from service.web.session import AdminPage, CheckedForm

router = APIRouter(prefix="/admin/users", include_in_schema=False, route_class=UnitOfWorkRoute)

LABELS: Mapping[str, str] = {
    "display_name": "Name",
    "email": "Email address",
    "role": "Role",
    "slack_user_id": "Slack member ID",
}
PATTERN_HINTS = {
    "slack_user_id": "Enter a Slack member ID: U or W then capital letters and digits, like U012AB3CD"
}
ROLE_WORDS = {"admin": "an admin", "commissioner": "a commissioner", "chair": "a chair"}


@router.get("")
def user_list(request: Request, session: SessionDep, user: AdminPage) -> Response:
    context = {"section": "users", "users": users.list_users(session)}
    return render(request, "users/list.html", context, user=user)


# Adding a person ----------------------------------------------------------------------------------


def _submitted(form: FormData) -> dict[str, str]:
    return {name: str(form.get(name, "")) for name in LABELS}


def _form_page(
    request: Request, user: User, *, values: Mapping[str, str], errors: Mapping[str, str], status: int = 200
) -> Response:
    context = {
        "section": "users",
        "values": values,
        "errors": errors,
        "labels": LABELS,
        "roles": PERSON_ROLES,
    }
    return render(request, "users/form.html", context, user=user, status=status)


@router.get("/new")
def new_user(request: Request, user: AdminPage) -> Response:
    return _form_page(request, user, values=dict.fromkeys(LABELS, ""), errors={})


@router.post("/new")
def add_user(request: Request, session: SessionDep, user: AdminPage, form: CheckedForm) -> Response:
    submitted = _submitted(form)
    try:
        data = UserCreate.model_validate(
            {**submitted, "slack_user_id": submitted["slack_user_id"].strip() or None}
        )
        added = users.create_user(
            session,
            email=str(data.email),
            role=data.role,
            display_name=data.display_name,
            slack_user_id=data.slack_user_id,
            actor=user.email,
        )
    except ValidationError as error:
        errors = field_errors(error, labels=LABELS, pattern_hints=PATTERN_HINTS)
        return _form_page(request, user, values=submitted, errors=errors, status=422)
    except (Invalid, Conflict) as error:
        status = 409 if isinstance(error, Conflict) else 422
        return _form_page(request, user, values=submitted, errors=store_errors(error), status=status)
    flash(request, f"{added.shown_name} was added as {ROLE_WORDS[added.role]}.")
    return RedirectResponse(f"/admin/users/{added.id}", status_code=303)


# One person: their name, their Slack account, revoking them ----------------------------------------


def _user(session: SessionDep, user_id: int, admin: User) -> User:
    try:
        if not 0 < user_id <= MAX_NUMBER:
            raise NotFound(f"No user with id {user_id}.")
        return users.get_user(session, user_id=user_id)
    except NotFound:
        raise PageRefused(404, "User not found", "There is no such user.", user=admin) from None


def _user_page(
    request: Request,
    session: SessionDep,
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
        "history": audit_history(session, entity_type="user", entity_id=str(person.id)),
        "errors": errors or {},
        "values": {
            "display_name": person.display_name or "",
            "slack_user_id": person.slack_user_id or "",
            **(values or {}),
        },
        "labels": LABELS,
        "is_self": person.id == admin.id,
    }
    return render(request, "users/user.html", context, user=admin, status=status if errors else 200)


def _back(user_id: int | None) -> RedirectResponse:
    return RedirectResponse(f"/admin/users/{user_id}", status_code=303)


@router.get("/{user_id}")
def user_page(request: Request, session: SessionDep, user: AdminPage, user_id: int) -> Response:
    return _user_page(request, session, user, _user(session, user_id, user))


@router.post("/{user_id}/name")
def rename(
    request: Request, session: SessionDep, user: AdminPage, form: CheckedForm, user_id: int
) -> Response:
    person = _user(session, user_id, user)
    typed = {"display_name": str(form.get("display_name", ""))}
    try:
        data = DisplayName.model_validate(typed)
        users.set_display_name(session, user_id=user_id, display_name=data.display_name, actor=user.email)
    except ValidationError as error:
        errors = field_errors(error, labels=LABELS)
        return _user_page(request, session, user, person, errors=errors, values=typed)
    flash(request, f"The name was saved: {person.shown_name}.")
    return _back(user_id)


@router.post("/{user_id}/slack")
def link_slack(
    request: Request, session: SessionDep, user: AdminPage, form: CheckedForm, user_id: int
) -> Response:
    person = _user(session, user_id, user)
    typed = {"slack_user_id": str(form.get("slack_user_id", ""))}
    try:
        data = SlackLink.model_validate(typed)
        users.link_slack(session, user_id=user_id, slack_user_id=data.slack_user_id, actor=user.email)
    except ValidationError as error:
        errors = field_errors(error, labels=LABELS, pattern_hints=PATTERN_HINTS)
        return _user_page(request, session, user, person, errors=errors, values=typed)
    except Conflict as error:
        errors = {"slack_user_id": error.message}
        return _user_page(request, session, user, person, errors=errors, values=typed, status=409)
    flash(request, f"{person.shown_name} is linked to the Slack account {data.slack_user_id}.")
    return _back(user_id)


@router.post("/{user_id}/slack/unlink")
def unlink_slack(
    request: Request, session: SessionDep, user: AdminPage, _: CheckedForm, user_id: int
) -> Response:
    person = _user(session, user_id, user)
    try:
        users.unlink_slack(session, user_id=user_id, actor=user.email)
    except Conflict as error:
        return _user_page(request, session, user, person, errors={"form": error.message}, status=409)
    flash(request, f"{person.shown_name} is no longer linked to a Slack account.")
    return _back(user_id)


@router.post("/{user_id}/revoke")
def revoke(request: Request, session: SessionDep, user: AdminPage, _: CheckedForm, user_id: int) -> Response:
    person = _user(session, user_id, user)
    if person.id == user.id:
        message = "You cannot revoke your own access: ask another admin."
        return _user_page(request, session, user, person, errors={"form": message}, status=409)
    if not person.active:
        message = f"{person.shown_name}'s access is already revoked."
        return _user_page(request, session, user, person, errors={"form": message}, status=409)
    users.revoke_user(session, email=person.email, actor=user.email)
    flash(request, f"{person.shown_name}'s access was revoked: the bot, these pages and their API token.")
    return _back(user_id)
