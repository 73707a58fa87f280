"""Who may call what: every API route and admin page of the app, called by every kind of caller.

``MATRIX`` (in ``access_policy``, which the fuzz test reads too) is the access policy as data, one line
per route. The tests fail when the app has a route the matrix does not name, or the matrix names one the
app lacks, so no route ships without a decision about who may call it: a new route is one new line
there (and, when its allowed call needs a body or a particular record to succeed, one line in ``CALLS``
here).

API callers send a bearer token, or none, a bad one, a revoked user's, or only an admin's session
cookie; the bot's token acts for the Slack user named in ``X-Slack-User-Id``. Expected: 401 when the
credentials are refused, 403 when the caller's role is not allowed, and for an allowed role neither 401
nor 403 nor a 5xx. Admin pages take the session cookie from password sign-in: without a valid session
the browser is sent to sign in, a role the page does not allow gets the 403 page, an allowed one 200.

The records the calls name are seeded once for the module, through the API. Each write route has its
own target record, so the only thing the test order decides is which of several allowed callers of the
same write comes first: the first gets the ``ok`` status of its ``CALLS`` line; a repeat (a second
withdrawal, say) may be refused as a 404 or 409, which is not an access refusal.
"""

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookiejar import Cookie
from typing import Any

import httpx
import pytest
from access_policy import (
    API_CALLERS,
    DECLARING,
    DECLINING,
    MATRIX,
    METRICS_SCRAPER,
    PAGE_CALLERS,
    PUBLIC,
    SLACK,
    SLACK_SIGNED,
    Caller,
    allows,
    first_allowed,
    is_page,
    page_refusal,
    refusal,
)
from factories import CASE_FEATURES, TODAY, consultant_body, create_person
from fastapi import FastAPI
from fastapi.testclient import TestClient
from security.admin_pages_client import PASSWORD, csrf_from
from sqlmodel import Session

from commissioning import partnerships
from service.auth import SLACK_USER_HEADER
from service.models import Role
from service.passwords import set_password
from service.users import add_user, revoke_user
from service.web.cookie import SESSION_COOKIE

try:
    from fastapi.routing import iter_route_contexts
except ImportError:  # older FastAPI lists the routes of included routers in app.routes itself
    iter_route_contexts = iter


# How each route is called ---------------------------------------------------------------------------

Body = Mapping[str, Any] | Callable[[Mapping[str, Any]], Mapping[str, Any]]


@dataclass(frozen=True)
class Call:
    """The request an allowed caller sends, and the status the first allowed caller gets.

    ``records`` says which seeded record a path parameter names (by its key in ``World.ids``); a
    parameter not listed names the record seeded under its own name. ``json`` may be a function of
    ``World.ids``. ``ok`` None: any answer that is not a refusal.
    """

    records: Mapping[str, str] = field(default_factory=dict)
    json: Body | None = None
    form: Mapping[str, str] | Callable[[Mapping[str, Any]], Mapping[str, str]] = field(default_factory=dict)
    files: Mapping[str, tuple[str, bytes, str]] | None = None
    params: Mapping[str, str] | None = None
    ok: int | None = None


CASE_AGENCIES = ["hackney-csc", "met-police"]
CASE_DECLARATION = {"agencies": CASE_AGENCIES, "no_conflict": True}
SIGNED = {"signed_on": TODAY.isoformat(), "reference": "Signed declaration.pdf"}
REASON = {"reason": "Agreed at the quality panel."}
SOON = TODAY + timedelta(days=30)
CHRONOLOGY = (
    b"Date,Time,Source of information,Event\n"
    b"03/02/2026,09:30,Case file,Referral from school\n"
    b"22/05/2026,,Case file,Home visit\n"
)


def record_calls(
    name: str, add: Mapping[str, Any], change: Mapping[str, Any] | None = None
) -> dict[str, Call]:
    """The calls on one kind of record kept about a consultant, which the registry serves one way for every
    kind: list, add, change (where the kind can be changed) and delete the record seeded to be deleted."""
    kind = f"/api/v1/consultants/{{consultant_id}}/{name}s"
    one = f"{kind}/{{{name}_id}}"
    calls = {
        f"GET {kind}": Call(ok=200),
        f"POST {kind}": Call(json=add, ok=201),
        f"DELETE {one}": Call(records={f"{name}_id": f"{name}_to_delete"}, ok=204),
    }
    if change is not None:
        calls[f"PATCH {one}"] = Call(json=change, ok=200)
    return calls


CALLS: dict[str, Call] = {
    "GET /openapi.json": Call(ok=200),
    "GET /healthz": Call(ok=200),
    "GET /readyz": Call(ok=200),
    "GET /api/v1/audit": Call(ok=200),
    "GET /api/v1/agencies": Call(ok=200),
    "POST /api/v1/agencies": Call(
        json={"id": "new-agency", "name": "New Agency", "kind": "other", "area": "Hackney"}, ok=201
    ),
    "GET /api/v1/agencies/{agency_id}": Call(ok=200),
    "PATCH /api/v1/agencies/{agency_id}": Call(json={"area": "Hackney"}, ok=200),
    "DELETE /api/v1/agencies/{agency_id}": Call(records={"agency_id": "unused_agency"}, ok=204),
    "GET /api/v1/consultants": Call(ok=200),
    "POST /api/v1/consultants": Call(
        json={"name": "Nia New", "email": "nia.new@reviews.example.org"}, ok=201
    ),
    "GET /api/v1/consultants/export": Call(ok=200),
    "GET /api/v1/consultants/search": Call(params={"q": "Rhea"}, ok=200),
    "GET /api/v1/reports/thematic": Call(params={"from": "2026-01-01", "to": "2026-12-31"}, ok=200),
    "POST /api/v1/consultants/import": Call(
        files={"file": ("list.csv", b"name,email\nIvy Import,ivy.import@reviews.example.org\n", "text/csv")},
        params={"dry_run": "true"},
        ok=200,
    ),
    "GET /api/v1/consultants/{consultant_id}": Call(ok=200),
    "GET /api/v1/consultants/{consultant_id}/card": Call(ok=200),
    "PATCH /api/v1/consultants/{consultant_id}": Call(json={"phone": "020 7946 0999"}, ok=200),
    "DELETE /api/v1/consultants/{consultant_id}": Call(
        records={"consultant_id": "mistaken_applicant"}, ok=204
    ),
    "POST /api/v1/consultants/{consultant_id}/approve": Call(
        records={"consultant_id": "applicant"}, json=REASON, ok=200
    ),
    "POST /api/v1/consultants/{consultant_id}/suspend": Call(
        records={"consultant_id": "to_suspend"}, json=REASON, ok=200
    ),
    "POST /api/v1/consultants/{consultant_id}/remove": Call(
        records={"consultant_id": "to_remove"}, json=REASON, ok=200
    ),
    "POST /api/v1/consultants/{consultant_id}/reinstate": Call(
        records={"consultant_id": "suspended"}, json=REASON, ok=200
    ),
    "POST /api/v1/consultants/{consultant_id}/reminders": Call(
        records={"consultant_id": "on_slack"}, json={"check": "dbs"}, ok=200
    ),
    "PATCH /api/v1/consultants/{consultant_id}/availability": Call(
        json={"capacity": 3, "away": [{"start_date": SOON.isoformat(), "end_date": SOON.isoformat()}]},
        ok=200,
    ),
    **record_calls(
        "engagement",
        {"agency_id": "met-police", "kind": "contracted", "role_title": "Trainer", "end_date": "2015-03-31"},
        change={"role_title": "Detective Inspector"},
    ),
    **record_calls("interest", {"text": "Trustee of a local charity.", "declared_on": TODAY.isoformat()}),
    **record_calls("accreditation", {"name": "silp", "awarded_on": "2020-05-01"}),
    **record_calls(
        "review",
        {"case_ref": "OLD-2", "review_type": "lcspr", "role": "lead_reviewer", "started_on": "2023-01-09"},
        change={"comment": "Clear and on time."},
    ),
    "GET /api/v1/declarations/pending": Call(ok=200),
    "POST /api/v1/consultants/{consultant_id}/engagements/{engagement_id}/confirm": Call(
        records={"engagement_id": "engagement_to_confirm"}, ok=200
    ),
    "POST /api/v1/consultants/{consultant_id}/engagements/{engagement_id}/reject": Call(
        records={"engagement_id": "engagement_to_reject"}, json={"reason": "Never worked there."}, ok=204
    ),
    "POST /api/v1/consultants/{consultant_id}/interests/{interest_id}/confirm": Call(
        records={"interest_id": "interest_to_confirm"}, ok=200
    ),
    "POST /api/v1/consultants/{consultant_id}/interests/{interest_id}/reject": Call(
        records={"interest_id": "interest_to_reject"}, json={"reason": "Not an interest."}, ok=204
    ),
    "GET /api/v1/me": Call(ok=200),
    "PATCH /api/v1/me/availability": Call(json={"capacity": 1}, ok=200),
    "POST /api/v1/me/interests": Call(
        json={"text": "My partner works for Hackney.", "agency_id": "hackney-csc"}, ok=201
    ),
    "POST /api/v1/me/engagements": Call(
        json={"agency_id": "Metropolitan Police Service", "kind": "contracted", "role_title": "Trainer"},
        ok=201,
    ),
    "GET /api/v1/me/commissions": Call(ok=200),
    "GET /api/v1/me/agencies": Call(params={"q": "Hackney"}, ok=200),
    "POST /api/v1/retention/purge": Call(
        params={"dry_run": "true", "today": (TODAY + timedelta(days=3653)).isoformat()}, ok=200
    ),
    "GET /api/v1/consultants/{consultant_id}/subject-access": Call(ok=200),
    "GET /api/v1/slack/me": Call(ok=200),
    "GET /api/v1/slack/outcomes": Call(ok=200),
    "GET /api/v1/slack/vocabulary": Call(ok=200),
    "GET /api/v1/slack/deadlines": Call(ok=200),
    "GET /api/v1/slack/checks-due": Call(ok=200),
    "POST /api/v1/slack/drafts": Call(json={"state": {"outcome": "death"}}, ok=201),
    "GET /api/v1/slack/drafts/{draft_id}": Call(ok=200),  # the admin's draft: another user's is a 404
    "PUT /api/v1/slack/drafts/{draft_id}": Call(json={"state": {"outcome": "serious_harm"}}, ok=200),
    "POST /api/v1/slack/claims": Call(json={"key": "event:Ev1", "kind": "event"}, ok=201),
    "GET /api/v1/slack/claims/{key}": Call(ok=200),
    "PATCH /api/v1/slack/claims/{key}": Call(json={"detail": {"ts": "1.0"}}, ok=200),
    "DELETE /api/v1/slack/claims/{key}": Call(records={"key": "claim_to_release"}, ok=204),
    "GET /api/v1/slack/partnerships": Call(ok=200),
    "POST /api/v1/slack/chronology-notices": Call(ok=200),
    "GET /api/v1/slack/workspaces": Call(ok=200),
    # none: the workspace serves no partnership (the own one, every partnership), so no other call changes
    "PUT /api/v1/slack/workspaces/{team_id}/partnerships": Call(json={"partnerships": []}, ok=200),
    "POST /slack/events": Call(json={"type": "url_verification", "challenge": "unsigned"}),
    "GET /api/v1/cases/{ref}/shortlist": Call(ok=200),
    "POST /api/v1/assignments/plan": Call(json=lambda ids: {"case_refs": [ids["ref"]]}, ok=200),
    "POST /api/v1/cases/{ref}/commissions": Call(
        json=lambda ids: {"consultant_id": ids["uncommissioned"], "role": "lead_reviewer"}, ok=201
    ),
    "GET /api/v1/cases/{ref}/commissions": Call(ok=200),
    "GET /api/v1/commissions/{commission_id}": Call(ok=200),
    "POST /api/v1/commissions/{commission_id}/declaration": Call(
        records={"commission_id": "to_declare"},
        json={"agencies": CASE_AGENCIES, "no_conflict": True, "slack_user_id": DECLARING},
        ok=200,
    ),
    "POST /api/v1/commissions/{commission_id}/declaration/recorded": Call(
        records={"commission_id": "to_record"}, json={**CASE_DECLARATION, **SIGNED}, ok=200
    ),
    "POST /api/v1/commissions/{commission_id}/confirm": Call(
        records={"commission_id": "declared"}, json={}, ok=200
    ),
    "POST /api/v1/commissions/{commission_id}/decline": Call(
        records={"commission_id": "to_decline"},
        json={"reason": "No time this quarter.", "slack_user_id": DECLINING},
        ok=200,
    ),
    "POST /api/v1/commissions/{commission_id}/withdraw": Call(
        records={"commission_id": "to_withdraw"}, json={"reason": "The case was reassigned."}, ok=200
    ),
    "POST /api/v1/cases/{ref}/terms": Call(records={"ref": "case_without_terms"}, ok=201),
    "GET /api/v1/cases/{ref}/terms": Call(ok=200),
    "GET /api/v1/cases/{ref}/terms/{version:int}.{fmt}": Call(ok=200),
    "GET /api/v1/cases/{ref}/terms/{from_version:int}/diff/{to_version:int}": Call(ok=200),
    "POST /api/v1/threshold": Call(json={"features": CASE_FEATURES}, ok=200),
    "GET /api/v1/features": Call(ok=200),
    "GET /api/v1/rulesets": Call(ok=200),
    "POST /api/v1/cases": Call(json={"features": CASE_FEATURES}, ok=201),
    "GET /api/v1/cases": Call(ok=200),
    "GET /api/v1/cases/{ref}": Call(ok=200),
    "PATCH /api/v1/cases/{ref}": Call(
        records={"ref": "case_to_change"}, json={"features": {"subject_age_years": 2}}, ok=200
    ),
    "POST /api/v1/cases/{ref}/decision": Call(
        records={"ref": "case_to_decide"}, json={"accepted": True}, ok=200
    ),
    "POST /api/v1/cases/{ref}/close": Call(records={"ref": "case_to_close"}, ok=200),
    "POST /api/v1/cases/{ref}/reopen": Call(records={"ref": "case_to_reopen"}, json=REASON, ok=200),
    "GET /api/v1/cases/{ref}/milestones": Call(ok=200),
    "POST /api/v1/cases/{ref}/milestones": Call(
        json={"kind": "review_started", "on": TODAY.isoformat()}, ok=201
    ),
    "POST /admin/cases/{ref}/milestones": Call(
        form={"kind": "review_started", "on": TODAY.isoformat()}, ok=200
    ),
    "POST /admin/cases/{ref}/status": Call(records={"ref": "case_to_close_on_page"}, form=REASON, ok=200),
    "POST /admin/sign-in": Call(form={"email": "nobody@board.example.org", "password": "a wrong guess"}),
    "POST /admin/consultants/new": Call(
        form={"name": "Pat Page", "email": "pat.page@reviews.example.org", "capacity": "2"}, ok=200
    ),
    "POST /admin/consultants/{consultant_id}/status": Call(
        records={"consultant_id": "to_reapprove"}, form={"action": "approve", **REASON}, ok=200
    ),
    "POST /admin/users/new": Call(
        form={
            "display_name": "Uma User",
            "email": "uma.user@board.example.org",
            "role": "chair",
            "partnership": "HAC",
        },
        ok=200,
    ),
    "POST /admin/users/{user_id}/name": Call(form={"display_name": "Nell Named"}, ok=200),
    "POST /admin/users/{user_id}/slack": Call(form={"slack_user_id": "U0NEWLINK"}, ok=200),
    "POST /admin/users/{user_id}/slack/unlink": Call(records={"user_id": "user_to_unlink"}, ok=200),
    "POST /admin/users/{user_id}/revoke": Call(records={"user_id": "user_to_revoke"}, ok=200),
    "GET /admin/cases/{ref}/commissions/{commission_id}/declaration": Call(
        records={"commission_id": "to_record_on_page"}, ok=200
    ),
    "POST /admin/cases/{ref}/commissions/{commission_id}/declaration": Call(
        records={"commission_id": "to_record_on_page"},
        form={**SIGNED, "covers": "yes", "declares": "no_conflict"},
        ok=200,
    ),
    "POST /api/v1/partnerships": Call(
        json={"name": "Enfield partnership", "prefix": "ENF", "areas": ["enfield"]}, ok=201
    ),
    "PATCH /api/v1/partnerships/{prefix}": Call(json={"reminder_channel": "#hac-reminders"}, ok=200),
    "POST /api/v1/cases/{ref}/partnerships/{prefix}": Call(
        records={"ref": "case_for_partners", "prefix": "new_partnership"}, ok=204
    ),
    "DELETE /api/v1/cases/{ref}/partnerships/{prefix}": Call(
        records={"ref": "case_for_partners", "prefix": "new_partnership"}, ok=204
    ),
    "GET /api/v1/partnerships/{prefix}/consultant-notes": Call(ok=200),
    "POST /api/v1/partnerships/{prefix}/consultant-notes": Call(
        json=lambda ids: {"consultant_id": ids["consultant_id"], "reason": "A local complaint is open."},
        ok=201,
    ),
    "DELETE /api/v1/partnerships/{prefix}/consultant-notes/{note_id}": Call(
        records={"note_id": "note_to_delete"}, ok=204
    ),
    "POST /admin/users/{user_id}/roles": Call(
        form={"grant_partnership": "HAC", "grant_role": "commissioner"}, ok=200
    ),
    "POST /admin/users/{user_id}/roles/remove": Call(
        form={"grant_partnership": "HAC", "grant_role": "chair"}, ok=200
    ),
    "POST /admin/users/{user_id}/regional": Call(form={"regional": "analyst"}, ok=200),
    "POST /admin/partnerships/new": Call(
        form={"name": "Harrow partnership", "prefix": "HRW", "areas": "Harrow"}, ok=200
    ),
    "POST /admin/partnerships/{prefix}/edit": Call(
        form={"name": "Hackney partnership", "areas": "Hackney", "reminder_channel": "#hac"}, ok=200
    ),
    "POST /admin/partnerships/{prefix}/notes": Call(
        form=lambda ids: {"consultant_id": str(ids["consultant_id"]), "reason": "A local complaint is open."},
        ok=200,
    ),
    "POST /admin/partnerships/{prefix}/notes/{note_id}/delete": Call(
        records={"note_id": "page_note_to_delete"}, ok=200
    ),
    "POST /admin/cases/{ref}/partnerships": Call(
        records={"ref": "case_for_partners"}, form={"partnership": "NEW"}, ok=200
    ),
    "POST /admin/cases/{ref}/partnerships/{prefix}/remove": Call(
        records={"ref": "case_for_page_partners", "prefix": "contributing"}, ok=200
    ),
    "POST /admin/agencies/new": Call(
        form={"id": "page-agency", "name": "Page Agency", "kind": "other", "area": "Camden"}, ok=200
    ),
    "POST /admin/agencies/{agency_id}/edit": Call(
        form={"name": "Hackney Children's Social Care", "kind": "childrens_social_care", "area": "Hackney"},
        ok=200,
    ),
    "GET /api/v1/chronology/template.{fmt}": Call(records={"fmt": "docx_format"}, ok=200),
    "POST /api/v1/cases/{ref}/chronology/requests": Call(json={"agencies": ["hackney-csc"]}, ok=201),
    "GET /api/v1/cases/{ref}/chronology/requests": Call(ok=200),
    "GET /api/v1/cases/{ref}/chronology/requests/{agency}/letter.{fmt}": Call(
        records={"fmt": "docx_format"}, ok=200
    ),
    "POST /api/v1/cases/{ref}/chronologies": Call(
        form={"agency": "hackney-csc"},
        files={"file": ("csc.csv", CHRONOLOGY, "text/csv")},
        ok=201,  # the first file; a second, unconfirmed, is only compared (200)
    ),
    "GET /api/v1/cases/{ref}/chronology.json": Call(ok=200),
    "GET /api/v1/cases/{ref}/chronology.{fmt}": Call(records={"fmt": "xlsx_format"}, ok=200),
    "GET /api/v1/cases/{ref}/chronology/timeline.{fmt}": Call(records={"fmt": "svg_format"}, ok=200),
    "GET /api/v1/cases/{ref}/chronology/glossary": Call(ok=200),
    "PUT /api/v1/cases/{ref}/chronology/glossary": Call(
        json={"terms": [{"name": "Jane Smith", "code": "Mother"}]}, ok=200
    ),
    "GET /api/v1/me/chronology/requests": Call(ok=200),
    "POST /admin/chronologies/{ref}/{agency_id}": Call(files={"file": ("csc.csv", CHRONOLOGY, "text/csv")}),
    "GET /admin/chronologies/{ref}/{agency_id}/template.{fmt}": Call(records={"fmt": "docx_format"}, ok=200),
    "GET /admin/chronologies/{ref}/{agency_id}/letter.{fmt}": Call(records={"fmt": "docx_format"}, ok=200),
    "GET /admin/cases/{ref}/chronology.{fmt}": Call(records={"fmt": "xlsx_format"}, ok=200),
    "POST /admin/cases/{ref}/glossary": Call(form={"name": "Jane Smith", "code": "Mother"}, ok=200),
    "POST /admin/cases/{ref}/chronologies/requests": Call(
        form={"period_from": "2025-11-02", "period_to": "2026-11-02"}, ok=200
    ),
    # the consultant's declaration is recorded through the API first; a second sign-in is refused (422)
    "POST /admin/cases/{ref}/commissions/{commission_id}/sign-in": Call(
        records={"commission_id": "to_record"}
    ),
    "GET /admin/reviews/{ref}/terms/{version:int}.{fmt}": Call(ok=200),
    "POST /api/v1/cases/{ref}/recommendations": Call(json={"text": "Audit 20 files."}, ok=201),
    "POST /api/v1/cases/{ref}/recommendations/import": Call(
        files={"file": ("plan.csv", b"text\nAudit 20 files.\n", "text/csv")}, ok=200
    ),
    "GET /api/v1/cases/{ref}/recommendations": Call(ok=200),
    "GET /api/v1/recommendations": Call(ok=200),
    "GET /api/v1/recommendations/{recommendation_id}": Call(ok=200),
    "POST /api/v1/recommendations/{recommendation_id}/actions": Call(
        json={"text": "Audit.", "owner": "lead@hackney.example.org", "due": SOON.isoformat()}, ok=201
    ),
    "POST /api/v1/recommendations/{recommendation_id}/close": Call(
        records={"recommendation_id": "recommendation_to_close"}, json={}, ok=200
    ),
    "POST /api/v1/actions/{action_id}/status": Call(json={"change": "start"}, ok=200),
    "POST /api/v1/actions/{action_id}/evidence": Call(
        files={"file": ("audit.txt", b"audited", "text/plain")}, ok=201
    ),
    "GET /api/v1/actions/{action_id}/evidence/{evidence_id}": Call(ok=200),
    "GET /api/v1/actions/mine": Call(ok=200),
    "GET /api/v1/slack/overdue-actions": Call(ok=200),
    "POST /api/v1/slack/overdue-actions/{action_id}/email": Call(
        records={"action_id": "overdue_action"}, ok=200
    ),
    "POST /admin/cases/{ref}/recommendations": Call(form={"text": "Audit 20 files."}, ok=200),
    "POST /admin/recommendations/{recommendation_id}/actions": Call(
        form={"text": "Audit.", "owner": "lead@hackney.example.org", "due": SOON.isoformat()}, ok=200
    ),
    "POST /admin/recommendations/{recommendation_id}/close": Call(
        records={"recommendation_id": "page_recommendation_to_close"}, ok=200
    ),
    "POST /admin/actions/{action_id}/status": Call(
        records={"action_id": "page_action"}, form={"change": "start"}, ok=200
    ),
    "POST /admin/actions/{action_id}/evidence": Call(
        records={"action_id": "page_action"}, form={"link": "https://example.org/audit"}, ok=200
    ),
}


def cases(pages: bool) -> list[Any]:
    callers = PAGE_CALLERS if pages else API_CALLERS
    return [
        pytest.param(route, caller, id=f"{route} | {caller.name}")
        for route in MATRIX
        if is_page(route) == pages
        for caller in callers
    ]


# The app and its routes -----------------------------------------------------------------------------


def app_routes(app: FastAPI) -> set[str]:
    """Every "METHOD path" the app answers, through included routers and mounts (HEAD rides with GET)."""
    found = set()
    for route in iter_route_contexts(app.routes):
        methods = set(getattr(route, "methods", None) or {"MOUNT"})
        if "GET" in methods:
            methods.discard("HEAD")
        found |= {f"{method} {route.path}" for method in methods}
    return found


METRICS_TOKEN = "access-matrix-metrics-token-0123456789"
SLACK_ENVIRONMENT = {
    "SCR_SLACK_BOT_TOKEN": "xoxb-access-matrix",
    "SCR_SLACK_SIGNING_SECRET": "access-matrix-signing-secret",
    "SCR_SLACK_API_URL": "http://127.0.0.1:9/api/",  # nothing listens: no call may leave the machine
    "SCR_BOT_API_TOKEN": "scr_unused-by-unsigned-requests",
    "SCR_METRICS_TOKEN": METRICS_TOKEN,  # so /metrics is served, to its scraper alone
}


@pytest.fixture(scope="module")
def app(database_url: str) -> FastAPI:
    """The service as deployed with Slack in HTTP mode, so ``/slack/events`` is mounted too, and with
    a metrics token, so ``/metrics`` answers its scraper."""
    from service.app import create_app
    from service.settings import get_settings

    with pytest.MonkeyPatch.context() as patch:  # restored afterwards, for the other tests
        for name, value in SLACK_ENVIRONMENT.items():
            patch.setenv(name, value)
        get_settings.cache_clear()
        built = create_app()
    get_settings.cache_clear()
    return built


@pytest.fixture(scope="module")
def http(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


ORIGIN = "http://testserver"  # the test client's own


# The seeded world -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedIn:
    cookie: Cookie
    csrf: str


@dataclass
class World:
    ids: dict[str, Any]  # path parameter values and seeded records, by name
    tokens: dict[str, str]  # API tokens by persona
    sessions: dict[str, SignedIn]  # admin page sessions by persona
    to_sign_out: dict[str, SignedIn]  # more of them, for the sign-out route: it ends the session it is sent


def _session(http: TestClient, email: str | None) -> SignedIn:
    """A session cookie (signed in as ``email``, or none) and its form token."""
    http.cookies.clear()
    token = csrf_from(http.get("/admin/sign-in").text)
    if email:
        signed_in = http.post(
            "/admin/sign-in",
            data={"email": email, "password": PASSWORD, "csrf_token": token},
            headers={"Origin": ORIGIN},
            follow_redirects=False,
        )
        assert signed_in.status_code == 303, signed_in.text
        token = csrf_from(http.get("/admin/sign-in").text)
    (cookie,) = [cookie for cookie in http.cookies.jar if cookie.name == SESSION_COOKIE]
    http.cookies.clear()
    return SignedIn(cookie, token)


def _reloaded(http: TestClient, signed_in: SignedIn) -> SignedIn:
    """The cookie with the form token its browser is shown now: a revoked session's own token ended with
    it, so its pages carry the token of a visitor who is not signed in."""
    http.cookies.clear()
    http.cookies.jar.set_cookie(signed_in.cookie)
    token = csrf_from(http.get("/admin/sign-in").text)
    http.cookies.clear()
    return SignedIn(signed_in.cookie, token)


class Seeder:
    """Writes the world through the API as the admin, checking every answer."""

    def __init__(self, http: TestClient, token: str) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"}

    def send(self, method: str, path: str, status: int = 201, **kwargs: Any) -> Any:
        response = self.http.request(method, path, headers=self.headers, **kwargs)
        assert response.status_code == status, f"seeding {method} {path}: {response.text}"
        return response.json() if response.content else None

    def consultant(self, name: str, *, approve: bool = True, **fields: Any) -> int:
        body = consultant_body(name, **fields)
        consultant_id = self.send("POST", "/api/v1/consultants", json=body)["id"]
        if approve:
            self.send("POST", f"/api/v1/consultants/{consultant_id}/approve", 200, json=REASON)
        return consultant_id

    def record(self, consultant_id: int, kind: str, body: Mapping[str, Any]) -> int:
        return self.send("POST", f"/api/v1/consultants/{consultant_id}/{kind}", json=body)["id"]

    def case(self) -> str:
        return self.send("POST", "/api/v1/cases", json={"features": CASE_FEATURES})["ref"]

    def commission(self, ref: str, consultant_id: int) -> int:
        body = {"consultant_id": consultant_id, "role": "lead_reviewer"}
        return self.send("POST", f"/api/v1/cases/{ref}/commissions", json=body)["id"]


def _people(engine: Any) -> dict[str, int]:
    """Users for the users pages to change: one to name and link, one linked to unlink, one to revoke."""
    ids = {}
    with Session(engine) as session:
        for key, slack_user_id in (
            ("user_id", None),
            ("user_to_unlink", "U0UNLINK"),
            ("user_to_revoke", None),
        ):
            email = f"{key.replace('_', '-')}@board.example.org"
            user = create_person(
                session, email=email, role=Role.chair, actor="test", slack_user_id=slack_user_id
            )
            assert user.id is not None
            ids[key] = user.id
        session.commit()
    return ids


# The partnerships: the home one leads every seeded case, CON contributes to each, SAL has no part in them,
# and NEW is added to and taken from a case by the contributing-partnership routes.
PARTNERSHIPS = {
    "HAC": ("Hackney partnership", ["hackney"]),
    "CON": ("Contributing partnership", ["camden"]),
    "SAL": ("Southwark and Lambeth partnership", ["southwark", "lambeth"]),
    "NEW": ("Barnet partnership", ["barnet"]),
}
# Who holds what: (regional role or partnership role, the partnership's prefix or None)
PERSONAS = {
    "admin": ("admin", "HAC"),  # and a list admin, below
    "commissioner": ("commissioner", "HAC"),
    "chair": ("chair", "HAC"),
    "bot": ("bot", None),
    "revoked": ("admin", "HAC"),
    "list_admin": ("list_admin", None),
    "analyst": ("analyst", None),
    "contributor": ("commissioner", "CON"),
    "outsider": ("commissioner", "SAL"),
}


def _users(engine: Any) -> dict[str, str]:
    """The partnerships, one user per kind of caller (the people linked to Slack, with passwords), and
    one to be revoked."""
    tokens = {"bad": "scr_" + "x" * 43}
    with Session(engine) as session:
        for prefix, (name, areas) in PARTNERSHIPS.items():
            partnerships.add_partnership(session, name=name, prefix=prefix, areas=areas, actor="test")
        for persona, (role, prefix) in PERSONAS.items():
            email = f"{persona}@board.example.org"
            user, tokens[persona] = add_user(
                session,
                email=email,
                role=Role(role),
                actor="test",
                slack_user_id=SLACK.get(persona),
                partnership=prefix,
            )
            if persona in ("admin", "revoked"):
                user.role = Role.list_admin
                session.add(user)
            if persona != "bot":
                set_password(session, email=email, password=PASSWORD, actor="test")
        session.commit()
    return tokens


def _chronology_people(engine: Any, *, reviewer: int, former: int) -> dict[str, str]:
    """The review's own people who hold no partnership role: two agencies' contacts, the commissioned
    reviewer, and a reviewer whose commission does not stand."""
    tokens = {}
    with Session(engine) as session:
        for persona, role, fields in (
            ("agency_contact", Role.agency_contact, {"agency": "hackney-csc"}),
            ("other_agency_contact", Role.agency_contact, {"agency": "met-police"}),
            ("reviewer", Role.reviewer, {"consultant_id": reviewer}),
            ("former_reviewer", Role.reviewer, {"consultant_id": former}),
        ):
            _, tokens[persona] = add_user(
                session,
                email=_chronology_email(persona),
                role=role,
                actor="test",
                **fields,
            )
            if persona in PAGE_PERSONAS:
                set_password(session, email=_chronology_email(persona), password=PASSWORD, actor="test")
        session.commit()
    return tokens


PAGE_PERSONAS = ("agency_contact", "reviewer")  # who signs in to the pages, of the review's own people


def _chronology_email(persona: str) -> str:
    return f"{persona.replace('_', '-')}@agency.example.org"


@pytest.fixture(scope="module")
def world(http: TestClient, engine: Any, empty_database: Callable[[], None]) -> World:
    empty_database()
    tokens = _users(engine)
    sessions = {"anonymous": _session(http, None)}
    to_sign_out = dict(sessions)
    for persona in ("admin", "commissioner", "chair", "revoked"):
        sessions[persona] = _session(http, f"{persona}@board.example.org")
        to_sign_out[persona] = _session(http, f"{persona}@board.example.org")
    with Session(engine) as session:
        revoke_user(session, email="revoked@board.example.org", actor="test")
        session.commit()
    sessions["revoked"] = _reloaded(http, sessions["revoked"])
    to_sign_out["revoked"] = _reloaded(http, to_sign_out["revoked"])

    seed = Seeder(http, tokens["admin"])
    for agency_id, name, kind, area in (
        ("hackney-csc", "Hackney Children's Social Care", "childrens_social_care", "Hackney"),
        ("met-police", "Metropolitan Police Service", "police", "London"),
        ("unused-agency", "An Agency Nobody Worked For", "other", "Camden"),
    ):
        seed.send(
            "POST", "/api/v1/agencies", json={"id": agency_id, "name": name, "kind": kind, "area": area}
        )
    holder = seed.consultant("Rhea Records")
    tie = {"agency_id": "met-police", "kind": "employed", "role_title": "Sergeant", "end_date": "2010-06-30"}
    interest = {"text": "Sits on a charity board.", "declared_on": "2025-01-06"}
    accreditation = {"name": "silp", "awarded_on": "2019-04-01"}
    review = {
        "case_ref": "OLD-1",
        "review_type": "lcspr",
        "role": "lead_reviewer",
        "started_on": "2022-02-01",
    }
    ids: dict[str, Any] = {
        "agency_id": "hackney-csc",
        "unused_agency": "unused-agency",
        "consultant_id": holder,
        "engagement_id": seed.record(holder, "engagements", tie),
        "engagement_to_delete": seed.record(holder, "engagements", tie),
        "engagement_to_confirm": seed.record(holder, "engagements", {**tie, "confirmed": False}),
        "engagement_to_reject": seed.record(holder, "engagements", {**tie, "confirmed": False}),
        "interest_id": seed.record(holder, "interests", interest),
        "interest_to_delete": seed.record(holder, "interests", interest),
        "interest_to_confirm": seed.record(holder, "interests", {**interest, "confirmed": False}),
        "interest_to_reject": seed.record(holder, "interests", {**interest, "confirmed": False}),
        "accreditation_id": seed.record(holder, "accreditations", accreditation),
        "accreditation_to_delete": seed.record(holder, "accreditations", accreditation),
        "review_id": seed.record(holder, "reviews", {**review, "completed_on": "2022-11-30"}),
        "review_to_delete": seed.record(holder, "reviews", review),
        "applicant": seed.consultant("Abe Applicant", approve=False),
        "mistaken_applicant": seed.consultant("Dee Duplicate", approve=False),
        "to_suspend": seed.consultant("Sue Suspend"),
        "to_remove": seed.consultant("Rob Remove"),
        "suspended": seed.consultant("Rei Reinstate"),
        "to_reapprove": seed.consultant("Ray Reapprove"),
        "uncommissioned": seed.consultant("Fay Fresh"),
        "ref": seed.case(),
        "case_without_terms": seed.case(),
        "case_to_change": seed.case(),
        "case_to_decide": seed.case(),
        "case_to_close": seed.case(),
        "case_to_reopen": seed.case(),
        "case_to_close_on_page": seed.case(),
        "version": 1,
        "fmt": "md",
        "from_version": 1,
        "to_version": 1,
    }
    ids |= _people(engine)
    seed.send("POST", f"/api/v1/consultants/{ids['suspended']}/suspend", 200, json=REASON)
    ref = ids["ref"]
    ids |= {
        "commission_id": seed.commission(ref, seed.consultant("Cora Read")),
        "on_slack": seed.consultant("Dev Declare", slack_user_id=DECLARING),
        "declared_consultant": seed.consultant("Con Confirm"),
        "to_withdraw_consultant": seed.consultant("Wes Withdraw"),
    }
    ids |= {
        "declared": seed.commission(ref, ids["declared_consultant"]),
        "to_decline": seed.commission(ref, seed.consultant("Dan Decline", slack_user_id=DECLINING)),
        "to_withdraw": seed.commission(ref, ids["to_withdraw_consultant"]),
        "to_record": seed.commission(ref, seed.consultant("Rae Record")),
        "to_record_on_page": seed.commission(ref, seed.consultant("Pam Paper")),
    }
    ids["to_declare"] = seed.commission(ref, ids["on_slack"])
    signed = {**CASE_DECLARATION, **SIGNED}
    seed.send("POST", f"/api/v1/commissions/{ids['declared']}/declaration/recorded", 200, json=signed)
    seed.send("POST", f"/api/v1/cases/{ref}/terms")
    ids["draft_id"] = seed.send("POST", "/api/v1/slack/drafts", json={"state": {}})["id"]
    bot = Seeder(http, tokens["bot"])
    for key in ("reminder:kept", "reminder:released"):
        bot.send("POST", "/api/v1/slack/claims", json={"key": key, "kind": "reminder"})
    ids |= {"key": "reminder:kept", "claim_to_release": "reminder:released"}
    ids["case_for_partners"] = seed.case()
    ids["case_for_page_partners"] = seed.case()
    for key in (
        "ref",
        "case_without_terms",
        "case_to_change",
        "case_to_decide",
        "case_to_close",
        "case_to_reopen",
        "case_to_close_on_page",
        "case_for_partners",
        "case_for_page_partners",
    ):
        seed.send("POST", f"/api/v1/cases/{ids[key]}/partnerships/CON", 204)
    seed.send("POST", f"/api/v1/cases/{ids['case_to_reopen']}/close", 200, json=REASON)
    seed.send("POST", f"/api/v1/cases/{ref}/chronology/requests", json={})
    tokens |= _chronology_people(
        engine, reviewer=ids["declared_consultant"], former=ids["to_withdraw_consultant"]
    )
    for persona in PAGE_PERSONAS:
        sessions[persona] = _session(http, _chronology_email(persona))
        to_sign_out[persona] = _session(http, _chronology_email(persona))
    ids |= {"agency": "hackney-csc", "docx_format": "docx", "xlsx_format": "xlsx", "svg_format": "svg"}
    ids["prefix"] = "HAC"
    ids["new_partnership"] = "NEW"
    ids["contributing"] = "CON"
    ids["team_id"] = "T0CAMDEN"
    note = {"consultant_id": ids["consultant_id"], "reason": "Reviewed a case here last year."}
    ids["note_id"] = seed.send("POST", "/api/v1/partnerships/HAC/consultant-notes", json=note)["id"]
    ids["note_to_delete"] = seed.send("POST", "/api/v1/partnerships/HAC/consultant-notes", json=note)["id"]
    ids["page_note_to_delete"] = seed.send("POST", "/api/v1/partnerships/HAC/consultant-notes", json=note)[
        "id"
    ]
    ids |= _recommendations(seed, ids["ref"])
    return World(ids=ids, tokens=tokens, sessions=sessions, to_sign_out=to_sign_out)


def _recommendations(seed: Seeder, ref: str) -> dict[str, Any]:
    """A recommendation with an action and a file of evidence; two whose actions are completed, to close;
    an action for the pages to change, and one overdue, to be reminded of."""
    made: dict[str, Any] = {}
    due = {"owner": "lead@hackney.example.org", "due": SOON.isoformat()}

    def recommendation(key: str) -> int:
        made[key] = seed.send(
            "POST", f"/api/v1/cases/{ref}/recommendations", json={"text": "Audit 20 files."}
        )["id"]
        return made[key]

    def action(recommendation_id: int, **fields: Any) -> int:
        body = {"text": "Audit.", **due, **fields}
        return seed.send("POST", f"/api/v1/recommendations/{recommendation_id}/actions", json=body)["id"]

    made["action_id"] = action(recommendation("recommendation_id"))
    made["page_action"] = action(made["recommendation_id"])
    made["overdue_action"] = action(made["recommendation_id"], due=(TODAY - timedelta(days=2)).isoformat())
    file = {"file": ("audit.txt", b"audited", "text/plain")}
    made["evidence_id"] = seed.send("POST", f"/api/v1/actions/{made['action_id']}/evidence", files=file)["id"]
    for key in ("recommendation_to_close", "page_recommendation_to_close"):
        done = action(recommendation(key))
        for change in (
            {"change": "submit_evidence", "links": ["https://example.org/e"]},
            {"change": "complete"},
        ):
            seed.send("POST", f"/api/v1/actions/{done}/status", 200, json=change)
    return made


# Calling a route as a caller ------------------------------------------------------------------------

PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


def seeded(world: World, name: str) -> str:
    """A seeded record's id for a path parameter: a route naming one not seeded says so plainly."""
    if name not in world.ids:
        raise LookupError(f"no seeded record {name!r}: seed one in world() or name one in the route's Call")
    return str(world.ids[name])


def send(
    http: TestClient, world: World, route: str, caller: Caller, *, follow: bool = False
) -> httpx.Response:
    method, template = route.split(" ", 1)
    call = CALLS.get(route, Call())
    path = PARAMETER.sub(lambda m: seeded(world, call.records.get(m[1], m[1])), template)
    headers = {}
    if caller.token:
        headers["Authorization"] = f"Bearer {world.tokens[caller.token]}"
    if caller.slack_user:
        headers[SLACK_USER_HEADER] = caller.slack_user
    http.cookies.clear()
    form = None
    if is_page(route):
        sessions = world.to_sign_out if route == "POST /admin/sign-out" else world.sessions
        signed_in = sessions[caller.session or "anonymous"]
        http.cookies.jar.set_cookie(signed_in.cookie)
        fields = call.form(world.ids) if callable(call.form) else call.form
        form = {**fields, "csrf_token": signed_in.csrf} if method == "POST" else None
        if method == "POST":
            headers["Origin"] = ORIGIN  # as the browser sends from the service's own page
    else:
        form = dict(call.form(world.ids) if callable(call.form) else call.form) or None  # a multipart field
        if caller.session:  # the cookie is scoped to /admin; send it anyway, as a forged request would
            headers["Cookie"] = f"{SESSION_COOKIE}={world.sessions[caller.session].cookie.value}"
    body = call.json(world.ids) if callable(call.json) else call.json
    return http.request(
        method,
        path,
        headers=headers,
        json=body,
        data=form,
        files=call.files,
        params=call.params,
        follow_redirects=follow,
    )


def shown(response: httpx.Response) -> str:
    request = response.request
    return f"{request.method} {request.url.path} -> {response.status_code}: {response.text[:300]}"


def check_ok(route: str, caller: Caller, response: httpx.Response) -> None:
    """The first allowed caller meets the seeded records, so its call does what the route is for."""
    expected = CALLS.get(route, Call()).ok
    if expected is not None and caller == first_allowed(route):
        assert response.status_code == expected, shown(response)


# The tests ------------------------------------------------------------------------------------------


def test_every_route_of_the_app_has_an_entry_in_the_matrix(app: FastAPI) -> None:
    missing = sorted(app_routes(app) - MATRIX.keys())
    assert missing == [], f"decide who may call these, and add a line to MATRIX for each: {missing}"


def test_every_entry_of_the_matrix_is_a_route_of_the_app(app: FastAPI) -> None:
    assert sorted(MATRIX.keys() - app_routes(app)) == []
    assert sorted(CALLS.keys() - MATRIX.keys()) == []


@pytest.mark.parametrize(("route", "caller"), cases(pages=False))
def test_api_route(route: str, caller: Caller, http: TestClient, world: World) -> None:
    access = MATRIX[route]
    response = send(http, world, route, caller)
    status = response.status_code
    if access == SLACK_SIGNED:
        assert status == 401, shown(response)  # bolt refuses any request without a valid signature
    elif access == METRICS_SCRAPER:
        assert status == 401, shown(response)  # no user's token, nor none, is the metrics token
        assert response.headers["www-authenticate"] == "Bearer"
    elif allows(access, caller):
        assert status not in (401, 403) and status < 500, shown(response)
        check_ok(route, caller, response)
    elif caller.runs_as is None:
        assert status == caller.refused, shown(response)
        if status == 401:
            assert response.headers["www-authenticate"] == "Bearer"
    else:
        expected = refusal(route, caller)
        assert status == expected, shown(response)
        assert response.json()["detail"], "a refusal says why"
        if expected == 404:  # the case's reference is not confirmed: the body a missing case gets
            assert response.json()["detail"].startswith(
                ("No case ", "No commission with id ", "No recommendation ", "No action ")
            ), shown(response)


@pytest.mark.parametrize(("route", "caller"), cases(pages=True))
def test_admin_page(route: str, caller: Caller, http: TestClient, world: World) -> None:
    access = MATRIX[route]
    allowed = allows(access, caller)
    response = send(http, world, route, caller, follow=allowed and access != PUBLIC)
    status = response.status_code
    if access == PUBLIC:
        assert status != 403 and status < 500, shown(response)
    elif allowed:
        assert response.url.path != "/admin/sign-in", shown(response)
        if route.startswith("GET "):
            assert status == 200, shown(response)
        assert status != 403 and status < 500, shown(response)
        check_ok(route, caller, response)
    elif caller.runs_as is None:
        assert status == 303, shown(response)
        assert response.headers["location"].startswith("/admin/sign-in?next="), shown(response)
    else:
        expected = page_refusal(route, caller)
        assert status == expected, shown(response)
        if expected == 403:
            assert "You do not have access to this page" in response.text
