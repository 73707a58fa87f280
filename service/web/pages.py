"""What every admin page shares: the templates, the stylesheet, paging, form errors and the refusal pages."""

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from commissioning import rules
from commissioning.partnerships import area_name
from core import audit
from core.errors import Conflict, Invalid, NotFound
from registry.vocabulary import in_words
from service import page_sessions
from service.access import Grants
from service.auth import HIDDEN, Caller, _record_refusal
from service.db import UnitOfWorkRoute, joined_unit_of_work
from service.models import ROLE_WORDS, Role, User
from service.people import names
from service.request_ids import current as current_request_id
from service.web.cookie import csrf_token, remember_visitor, signed_in

WEB_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "web"
STYLESHEET = WEB_TEMPLATES / "static" / "admin.css"


def words(value: object) -> str:
    """A vocabulary value as a person reads it: ``nhs_trust`` -> "NHS trust"."""
    text = in_words(str(value))
    return text[:1].upper() + text[1:]


# Pages hold personal data (no-store), run no script and load nothing from elsewhere (the CSP), and are
# never framed by another site (clickjacking).
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def outcome_name(outcome: str) -> str:
    """An outcome as people name it ("Notify the Child Safeguarding Practice Review Panel"), never its id."""
    known = rules.outcome_types().get(outcome)
    return known.label if known else words(outcome)


templates = Jinja2Templates(directory=WEB_TEMPLATES)
templates.env.filters["words"] = words
templates.env.filters["with_words"] = lambda options: [(option, words(option)) for option in options]
templates.env.filters["outcome"] = outcome_name
templates.env.filters["edition"] = rules.title
templates.env.filters["area"] = area_name

router = APIRouter(prefix="/admin", include_in_schema=False, route_class=UnitOfWorkRoute)


@router.get("/static/admin.css")
def stylesheet() -> FileResponse:
    return FileResponse(STYLESHEET, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


# The largest id or page an address may name: PostgreSQL's INTEGER. A larger one names nothing, and is
# answered as such rather than sent to the database, which would refuse it with an error.
MAX_NUMBER = 2**31 - 1


PAGE_SIZE = 25  # the rows a list page shows


def page_number(page: int) -> int:
    """A requested page number, kept between the first page and one whose offset the database can take."""
    return min(max(page, 1), MAX_NUMBER // PAGE_SIZE)


def page_offset(page: int) -> int:
    """How many rows come before page ``page``."""
    return (page - 1) * PAGE_SIZE


def page_count(total: int) -> int:
    """How many pages ``total`` rows fill (one, empty, when there are none)."""
    return max(1, math.ceil(total / PAGE_SIZE))


def standing(grants: Grants) -> str:
    """What a person holds, as the pages name it: "List admin; chair, City and Hackney"."""
    held = [
        f"{' and '.join(ROLE_WORDS[role] for role in sorted(roles))}, {grants.names.get(pid, '')}"
        for pid, roles in sorted(grants.held.items(), key=lambda item: grants.names.get(item[0], ""))
    ]
    if grants.regional not in (Role.member, Role.bot):
        held.insert(0, ROLE_WORDS[grants.regional])
    text = "; ".join(held) or "no role"
    return text[:1].upper() + text[1:]


def may_open(grants: Grants) -> dict[str, bool]:
    """The sections a person's roles open to them, for the navigation: the approved list, the agencies and
    the import for list admins; the users for them and partnerships' admins; cases for partnerships'
    people; an agency contact's chronology requests; a reviewer's reviews; the partnerships for everyone
    else."""
    outside = grants.regional in (Role.agency_contact, Role.reviewer)
    return {
        "list": grants.list_admin,
        "users": grants.list_admin or grants.holds(Role.admin),
        "cases": grants.holds(),
        "chronologies": grants.regional == Role.agency_contact,
        "reviews": grants.regional == Role.reviewer,
        "partnerships": not outside,
        "reports": grants.holds() or grants.list_admin or grants.regional == Role.analyst,
    }


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    user: User | None = None,
    status: int = 200,
) -> HTMLResponse:
    """A page from ``templates/web``, with the signed-in user and a form token in its context."""
    grants = getattr(request.state, "grants", None)
    signed_in_grants = grants if isinstance(grants, Grants) and user is not None else None
    full = {
        "user": user,
        "may": may_open(signed_in_grants) if signed_in_grants else {},
        "standing": standing(signed_in_grants) if signed_in_grants else "",
        "csrf_token": csrf_token(request),
        "errors": {},
        "notice": _take_notice(request),
        **(context or {}),
    }
    response = templates.TemplateResponse(request, name, full, status_code=status)
    response.headers.update(PAGE_HEADERS)
    remember_visitor(request, response)
    return response


@dataclass(frozen=True)
class FormState:
    """A page's form as it was sent back refused, to show again: why, beside each field (``errors``), what
    was typed (``values``), and the status the page answers with (422, or 409 for a clash with a record
    already stored). Blank (``BLANK_FORM``) until something is sent."""

    errors: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)
    status: int = 422


BLANK_FORM = FormState()


def form_page(
    request: Request, name: str, context: Mapping[str, Any], *, user: User, form: FormState
) -> HTMLResponse:
    """Page ``name`` with its form showing ``form``'s values and errors; 200 unless it holds errors."""
    shown = {**context, "errors": form.errors, "values": form.values}
    return render(request, name, shown, user=user, status=form.status if form.errors else 200)


def flash(request: Request, message: str) -> None:
    """A one-line confirmation shown on the next page rendered (after a post-redirect-get), saved with the
    change it confirms (in the request's unit of work)."""
    live = signed_in(request)
    if live is not None:
        with joined_unit_of_work(request) as db:
            page_sessions.set_notice(db, live.row, message)


def flash_then_redirect(request: Request, message: str, location: str) -> RedirectResponse:
    """After a change: ``message`` shown on the page at ``location``, where the browser is sent (303, so a
    reload does not send the form again)."""
    flash(request, message)
    return RedirectResponse(location, status_code=303)


def _take_notice(request: Request) -> str | None:
    live = signed_in(request)
    if live is None or live.row.notice is None:
        return None
    with joined_unit_of_work(request) as db:
        return page_sessions.take_notice(db, live.row)


class PageRefused(Exception):
    """A request the admin pages answer with an explanatory page instead of what was asked for."""

    def __init__(self, status: int, title: str, message: str, *, user: User | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message
        self.user = user


class SignInRequired(PageRefused):
    """No valid session: the browser is sent to the sign-in page, and back afterwards."""

    def __init__(self, next_path: str) -> None:
        super().__init__(401, "Sign in", "Sign in to continue.")
        self.next_path = next_path


T = TypeVar("T")


def found(read: Callable[[], T], *, user: User, title: str, message: str, number: int | None = None) -> T:
    """What ``read`` finds, or the not-found page (``title``, ``message``). A ``number`` the address names
    past ``MAX_NUMBER`` names nothing, so it is not looked up."""
    try:
        if number is not None and not 0 < number <= MAX_NUMBER:
            raise NotFound(message)
        return read()
    except NotFound:
        raise PageRefused(404, title, message, user=user) from None


def reached(reach: Callable[[], T], *, user: User) -> T:
    """What ``reach`` returns (an access check shared with the API), its 404 and 403 turned into the
    pages' own."""
    try:
        return reach()
    except HTTPException as refused:
        if refused.status_code == 404:
            raise PageRefused(404, "Not found", str(refused.detail), user=user) from None
        raise PageRefused(
            403, "You do not have access to this page", str(refused.detail), user=user
        ) from None


def page_refused_response(request: Request, error: Exception) -> Response:
    """The refusal page, with the request's id to quote; a 403 to a signed-in user, or a 404 hiding
    another partnership's case from them, is audited (``access.refused``), as the API's are."""
    assert isinstance(error, PageRefused)
    if isinstance(error, SignInRequired):
        return RedirectResponse(f"/admin/sign-in?{urlencode({'next': error.next_path})}", status_code=303)
    hidden = error.status == 404 and getattr(request.state, HIDDEN, False)  # another partnership's case
    if (error.status == 403 or hidden) and error.user is not None:
        caller = Caller(actor=error.user.email, identity=f"user:{error.user.id}", role=str(error.user.role))
        _record_refusal(caller, request, error.message)
    context = {"title": error.title, "message": error.message, "reference": current_request_id()}
    return render(request, "refused.html", context, user=error.user, status=error.status)


# A record's history -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    """One audit event as a record's page shows it: when, who (by name), what, and the fields changed."""

    at: datetime
    who: str
    action: str
    changes: list[tuple[str, str | None, str | None]]


UNSHOWN_FIELDS = frozenset({"id", "updated_at"})  # the record's own number, and when: the table says so


def _shown(value: Any) -> str | None:
    """An audited value as the history table shows it; None for nothing recorded."""
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    return None if value in (None, "") else str(value)


def _changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> list[tuple[str, str | None, str | None]]:
    """The fields an audit event changed, as (field, before, after)."""
    before, after = before or {}, after or {}
    changes = []
    for name in dict.fromkeys([*before, *after]):
        old, new = _shown(before.get(name)), _shown(after.get(name))
        if old != new and name not in UNSHOWN_FIELDS:
            changes.append((name, old, new))
    return changes


def audit_history(db: Session, *, entity_type: str, entity_id: str) -> list[HistoryRow]:
    """A record's audit events, newest first, each naming who acted as people know them."""
    events = audit.history(db, entity_type=entity_type, entity_id=entity_id)
    named = names(db, [event.actor for event in events])
    return [
        HistoryRow(event.at, named(event.actor), event.action, _changes(event.before, event.after))
        for event in reversed(events)
    ]


# Form validation ------------------------------------------------------------------------------


def typed(form: FormData, names: Iterable[str]) -> dict[str, str]:
    """The form's fields ``names`` as typed (blank when not sent), to check and to show back."""
    return {name: str(form.get(name, "")) for name in names}


DATE_HINT = "Enter a real date as YYYY-MM-DD, for example 2026-03-31"


def _message(item: Mapping[str, Any], label: str | None, pattern_hint: str | None) -> str:
    """A sentence a person can act on, from one pydantic error about a field labelled ``label``."""
    kind = item["type"]
    ctx = item.get("ctx") or {}
    if kind in {"enum", "literal_error"}:
        return "Choose one of the options listed"
    typed = item.get("input")
    if kind == "missing" or typed is None or (isinstance(typed, str) and not typed.strip()):
        return f"Enter the {label[:1].lower()}{label[1:]}" if label else "Enter a value"
    if kind.startswith("date"):
        return DATE_HINT
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return "Enter a whole number"
    if kind == "string_too_short":
        return f"Enter at least {ctx['min_length']} characters"
    if kind == "string_too_long":
        return f"Use at most {ctx['max_length']} characters"
    if kind in {"greater_than_equal", "greater_than"}:
        return f"Enter a number of at least {ctx.get('ge', ctx.get('gt'))}"
    if kind in {"less_than_equal", "less_than"}:
        return f"Enter a number no more than {ctx.get('le', ctx.get('lt'))}"
    if kind == "string_pattern_mismatch":
        return pattern_hint or "This is not in the expected format"
    if "email" in str(item.get("msg", "")).lower():
        return "Enter an email address in the correct format, like name@example.org"
    return str(item.get("msg", "This is not valid")).removeprefix("Value error, ")


def problem_errors(error: Invalid) -> dict[str, str]:
    """A store's ``Invalid`` as messages beside the fields its problems name (``loc`` minus "body")."""
    errors: dict[str, str] = {}
    for problem in error.problems:
        loc = [part for part in problem.get("loc", []) if part != "body"]
        errors.setdefault(str(loc[0]) if loc else "form", str(problem.get("msg", error.message)))
    return errors or {"form": error.message}


def store_errors(error: Invalid | Conflict) -> dict[str, str]:
    """A store's refusal as messages beside the fields it names: an ``Invalid``'s problems, or the field a
    ``Conflict``'s first finding names (a taken email names ``email``, a held Slack member id
    ``slack_user_id``)."""
    if isinstance(error, Invalid):
        return problem_errors(error)
    fields = [finding.get("field") for finding in error.findings if isinstance(finding, dict)]
    return {str(fields[0]) if fields and fields[0] else "form": error.message}


def field_errors(
    error: ValidationError, *, labels: Mapping[str, str], pattern_hints: Mapping[str, str] | None = None
) -> dict[str, str]:
    """One message per form field (the first problem found), in the order of ``labels``, the form's order."""
    errors: dict[str, str] = {}
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "form"
        if field not in errors:
            errors[field] = _message(item, labels.get(field), (pattern_hints or {}).get(field))
    order = {field: index for index, field in enumerate(labels)}
    return {field: errors[field] for field in sorted(errors, key=lambda field: order.get(field, len(order)))}
