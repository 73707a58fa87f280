"""Who may call what, as data: the access policy of every route of the app, and the kinds of caller.

``MATRIX`` names each route ("METHOD path", as the app declares it) and who it lets through.
``test_access_matrix`` calls every route as every caller against it; ``test_fuzz`` fuzzes each API
operation as a caller the route lets through, so the fuzzed requests reach the handlers.
"""

from dataclasses import dataclass

# Who a route lets through --------------------------------------------------------------------------

Access = str | frozenset[str]
PUBLIC = "public"  # anyone: no token needed, and any token is ignored
SLACK_SIGNED = "signed by Slack"  # only requests bearing a valid Slack signature
METRICS_SCRAPER = "the metrics token"  # only a scraper holding SCR_METRICS_TOKEN: no user's token will do
# Who the callers are (``Caller.runs_as``): "admin" is a list admin who is also an admin of the home
# partnership (HAC), which leads every seeded case; "commissioner" and "chair" hold those roles there;
# "contributor" is a commissioner of a partnership contributing to every seeded case (read access);
# "outsider" a commissioner of another partnership; "list_admin" and "analyst" hold regional roles only.
# For chronologies: "agency_contact" is the contact of an agency the seeded case asked (the agency its
# upload and letter routes name), "other_agency_contact" the contact of another agency it asked;
# "reviewer" holds a standing commission on it, "former_reviewer" a commission that does not stand.
LIST_ADMINS = frozenset({"admin", "list_admin"})
ADMINS = LIST_ADMINS  # the approved list, the agencies, the users: kept by list admins
PARTNERSHIP_PEOPLE = frozenset({"admin", "commissioner", "chair", "contributor", "outsider"})
LIST_READERS = PARTNERSHIP_PEOPLE | {"list_admin", "analyst"}  # names, specialisms, standing
DETAIL_READERS = frozenset({"admin", "commissioner", "contributor", "outsider", "list_admin"})  # personal
COMMISSIONERS_ANYWHERE = DETAIL_READERS  # the search box and the card
FIGURE_READERS = frozenset({"admin", "list_admin", "analyst"})  # counts across partnerships, never a case
AUDIT_READERS = frozenset({"admin", "list_admin"})  # and a partnership's admins, for their own partnership
# A case's routes: its lead partnership's people act, a contributing partnership's read; anyone else with
# no role in its partnerships is told it does not exist (404, ``CASE_SCOPED``).
CASE_READERS = frozenset({"admin", "commissioner", "chair", "contributor"})
COMMISSIONERS = frozenset({"commissioner", "admin"})  # of the lead partnership
CHAIRS = frozenset({"chair"})
CHAIRS_OR_ADMINS = frozenset({"chair", "admin"})
CASE_RECORDERS = frozenset({"admin", "commissioner", "chair"})  # people of the partnership that would lead
STAFF = frozenset({"admin", "commissioner", "chair"})
AGENCY_CONTACTS = frozenset({"agency_contact", "other_agency_contact"})
# Regional roles that reach a case only through its chronologies (the review's own people)
CHRONOLOGY_PEOPLE = AGENCY_CONTACTS | {"reviewer"}
SIGNED_IN = LIST_READERS | {"bot"} | CHRONOLOGY_PEOPLE | {"former_reviewer"}
# A case's chronologies (``service.chronology_access``): where each agency stands, for anyone who may read
# the case and the review's own people; rows for the lead partnership's chair and commissioners, the
# reviewer and each agency's contact (their own agency's rows); sending an agency's file or letter for
# its contact and the commissioners; requests and the glossary for the commissioners.
CHRONOLOGY_STATUS = CASE_READERS | CHRONOLOGY_PEOPLE
CHRONOLOGY_READERS = frozenset({"commissioner", "chair"}) | CHRONOLOGY_PEOPLE
CHRONOLOGY_SENDERS = COMMISSIONERS | {"agency_contact"}  # for the agency its contact is contact of
REVIEWERS = frozenset({"reviewer"})  # while their commission stands
BOT = frozenset({"bot"})
# Only the consultant answers for themselves: the bot relays them, naming the Slack id on their record.
CONSULTANT_VIA_BOT = BOT
THE_CONSULTANT = frozenset({"consultant"})  # the bot naming a consultant by the Slack id on their record
NO_ROLE_IN_THE_CASE = frozenset(
    {"outsider", "list_admin", "analyst", "former_reviewer"}
)  # 404 on a case's routes

MATRIX: dict[str, Access] = {
    # FastAPI's own pages and the probes
    "GET /openapi.json": PUBLIC,
    "GET /docs": PUBLIC,
    "GET /docs/oauth2-redirect": PUBLIC,
    "GET /redoc": PUBLIC,
    "GET /healthz": PUBLIC,
    "GET /readyz": PUBLIC,
    "GET /metrics": METRICS_SCRAPER,
    "GET /api/v1/audit": AUDIT_READERS,
    "GET /api/v1/figures": FIGURE_READERS,
    "GET /api/v1/reports/thematic": LIST_READERS,  # each their own partnership's; regional: publishable
    # the approved list
    "GET /api/v1/agencies": LIST_READERS,
    "POST /api/v1/agencies": ADMINS,
    "GET /api/v1/agencies/{agency_id}": LIST_READERS,
    "PATCH /api/v1/agencies/{agency_id}": ADMINS,
    "DELETE /api/v1/agencies/{agency_id}": ADMINS,
    "GET /api/v1/consultants": LIST_READERS,
    "POST /api/v1/consultants": ADMINS,
    "GET /api/v1/consultants/export": LIST_ADMINS,
    "GET /api/v1/consultants/search": COMMISSIONERS_ANYWHERE,
    "POST /api/v1/consultants/import": ADMINS,
    "GET /api/v1/consultants/{consultant_id}": LIST_READERS,
    "GET /api/v1/consultants/{consultant_id}/card": COMMISSIONERS_ANYWHERE,
    "PATCH /api/v1/consultants/{consultant_id}": ADMINS,
    "DELETE /api/v1/consultants/{consultant_id}": ADMINS,
    "POST /api/v1/consultants/{consultant_id}/approve": ADMINS,
    "POST /api/v1/consultants/{consultant_id}/suspend": ADMINS,
    "POST /api/v1/consultants/{consultant_id}/remove": ADMINS,
    "POST /api/v1/consultants/{consultant_id}/reinstate": ADMINS,
    "POST /api/v1/consultants/{consultant_id}/reminders": ADMINS,
    "PATCH /api/v1/consultants/{consultant_id}/availability": ADMINS,
    "GET /api/v1/consultants/{consultant_id}/engagements": DETAIL_READERS,
    "POST /api/v1/consultants/{consultant_id}/engagements": ADMINS,
    "PATCH /api/v1/consultants/{consultant_id}/engagements/{engagement_id}": ADMINS,
    "DELETE /api/v1/consultants/{consultant_id}/engagements/{engagement_id}": ADMINS,
    "GET /api/v1/consultants/{consultant_id}/interests": DETAIL_READERS,
    "POST /api/v1/consultants/{consultant_id}/interests": ADMINS,
    "DELETE /api/v1/consultants/{consultant_id}/interests/{interest_id}": ADMINS,
    "GET /api/v1/consultants/{consultant_id}/accreditations": DETAIL_READERS,
    "POST /api/v1/consultants/{consultant_id}/accreditations": ADMINS,
    "DELETE /api/v1/consultants/{consultant_id}/accreditations/{accreditation_id}": ADMINS,
    "GET /api/v1/consultants/{consultant_id}/reviews": DETAIL_READERS,
    "POST /api/v1/consultants/{consultant_id}/reviews": ADMINS,
    "PATCH /api/v1/consultants/{consultant_id}/reviews/{review_id}": ADMINS,
    "DELETE /api/v1/consultants/{consultant_id}/reviews/{review_id}": ADMINS,
    # what consultants declare, awaiting an admin
    "GET /api/v1/declarations/pending": ADMINS,
    "POST /api/v1/consultants/{consultant_id}/engagements/{engagement_id}/confirm": ADMINS,
    "POST /api/v1/consultants/{consultant_id}/engagements/{engagement_id}/reject": ADMINS,
    "POST /api/v1/consultants/{consultant_id}/interests/{interest_id}/confirm": ADMINS,
    "POST /api/v1/consultants/{consultant_id}/interests/{interest_id}/reject": ADMINS,
    # a consultant's own record, through the bot
    "GET /api/v1/me": THE_CONSULTANT,
    "PATCH /api/v1/me/availability": THE_CONSULTANT,
    "POST /api/v1/me/interests": THE_CONSULTANT,
    "POST /api/v1/me/engagements": THE_CONSULTANT,
    "GET /api/v1/me/commissions": THE_CONSULTANT,
    "GET /api/v1/me/agencies": THE_CONSULTANT,
    # data protection
    "POST /api/v1/retention/purge": ADMINS,
    "GET /api/v1/consultants/{consultant_id}/subject-access": ADMINS,
    # what the Slack bot needs
    "GET /api/v1/slack/me": SIGNED_IN,
    "GET /api/v1/slack/outcomes": PUBLIC,
    "GET /api/v1/slack/vocabulary": PUBLIC,
    "GET /api/v1/slack/deadlines": BOT,
    "GET /api/v1/slack/deadlines/{ref}": CASE_READERS,
    "GET /api/v1/slack/checks-due": BOT,
    "POST /api/v1/slack/drafts": PARTNERSHIP_PEOPLE,
    "GET /api/v1/slack/drafts/{draft_id}": PARTNERSHIP_PEOPLE,
    "PUT /api/v1/slack/drafts/{draft_id}": PARTNERSHIP_PEOPLE,
    "POST /api/v1/slack/claims": BOT,
    "GET /api/v1/slack/claims/{key}": BOT,
    "PATCH /api/v1/slack/claims/{key}": BOT,
    "DELETE /api/v1/slack/claims/{key}": BOT,
    "GET /api/v1/slack/partnerships": BOT,
    "POST /api/v1/slack/chronology-notices": BOT,
    "GET /api/v1/slack/workspaces": LIST_ADMINS,
    "PUT /api/v1/slack/workspaces/{team_id}/partnerships": LIST_ADMINS,
    "POST /slack/events": SLACK_SIGNED,
    # shortlists, commissions, terms of reference
    "GET /api/v1/cases/{ref}/shortlist": CASE_READERS,
    "POST /api/v1/assignments/plan": COMMISSIONERS,
    "POST /api/v1/cases/{ref}/commissions": COMMISSIONERS,
    "GET /api/v1/cases/{ref}/commissions": CASE_READERS,
    "GET /api/v1/commissions/{commission_id}": CASE_READERS,
    "POST /api/v1/commissions/{commission_id}/declaration": CONSULTANT_VIA_BOT,
    "POST /api/v1/commissions/{commission_id}/declaration/recorded": frozenset({"admin"}),
    "POST /api/v1/commissions/{commission_id}/confirm": COMMISSIONERS,
    "POST /api/v1/commissions/{commission_id}/decline": CONSULTANT_VIA_BOT,
    "POST /api/v1/commissions/{commission_id}/withdraw": COMMISSIONERS,
    "POST /api/v1/cases/{ref}/terms": COMMISSIONERS,
    "GET /api/v1/cases/{ref}/terms": CASE_READERS,
    "GET /api/v1/cases/{ref}/terms/{version:int}.{fmt}": CASE_READERS,
    "GET /api/v1/cases/{ref}/terms/{from_version:int}/diff/{to_version:int}": CASE_READERS,
    # thresholds and cases
    "POST /api/v1/threshold": PUBLIC,
    "GET /api/v1/features": PUBLIC,
    "GET /api/v1/rulesets": PUBLIC,
    "POST /api/v1/cases": CASE_RECORDERS,
    "GET /api/v1/cases": PARTNERSHIP_PEOPLE,
    "GET /api/v1/cases/{ref}": CASE_READERS,
    "PATCH /api/v1/cases/{ref}": STAFF,
    "POST /api/v1/cases/{ref}/decision": CHAIRS,
    "POST /api/v1/cases/{ref}/close": CHAIRS_OR_ADMINS,
    "POST /api/v1/cases/{ref}/reopen": CHAIRS_OR_ADMINS,
    "GET /api/v1/cases/{ref}/milestones": CASE_READERS,
    "POST /api/v1/cases/{ref}/milestones": STAFF,
    # the admin pages
    "GET /admin/static/admin.css": PUBLIC,
    "GET /admin/sign-in": PUBLIC,
    "POST /admin/sign-in": PUBLIC,
    "POST /admin/sign-out": PUBLIC,
    "GET /admin": STAFF | CHRONOLOGY_PEOPLE,  # each to their own start page
    "GET /admin/dashboard": ADMINS,
    "GET /admin/reports/thematic": LIST_READERS,  # each their own partnership's; regional: publishable
    "GET /admin/reports/thematic/download": LIST_READERS,
    "GET /admin/consultants": ADMINS,
    "GET /admin/consultants/new": ADMINS,
    "POST /admin/consultants/new": ADMINS,
    "GET /admin/consultants/{consultant_id}": ADMINS,
    "GET /admin/consultants/{consultant_id}/edit": ADMINS,
    "POST /admin/consultants/{consultant_id}/edit": ADMINS,
    "POST /admin/consultants/{consultant_id}/status": ADMINS,
    "GET /admin/agencies": ADMINS,
    "GET /admin/agencies/new": ADMINS,
    "POST /admin/agencies/new": ADMINS,
    "GET /admin/agencies/{agency_id}/edit": ADMINS,
    "POST /admin/agencies/{agency_id}/edit": ADMINS,
    "GET /admin/import": ADMINS,
    "POST /admin/import/preview": ADMINS,
    "POST /admin/import/commit": ADMINS,
    "GET /admin/users": ADMINS,
    "GET /admin/users/new": ADMINS,
    "POST /admin/users/new": ADMINS,
    "GET /admin/users/{user_id}": ADMINS,
    "POST /admin/users/{user_id}/name": ADMINS,
    "POST /admin/users/{user_id}/slack": ADMINS,
    "POST /admin/users/{user_id}/slack/unlink": ADMINS,
    "POST /admin/users/{user_id}/revoke": ADMINS,
    "POST /admin/users/{user_id}/roles": ADMINS,  # and a partnership's admins, for their own partnership
    "POST /admin/users/{user_id}/roles/remove": ADMINS,
    "POST /admin/users/{user_id}/regional": LIST_ADMINS,
    "GET /admin/partnerships": SIGNED_IN,
    "GET /admin/partnerships/new": LIST_ADMINS,
    "POST /admin/partnerships/new": LIST_ADMINS,
    "GET /admin/partnerships/{prefix}": SIGNED_IN,
    "GET /admin/partnerships/{prefix}/edit": LIST_ADMINS,
    "POST /admin/partnerships/{prefix}/edit": LIST_ADMINS,
    "POST /admin/partnerships/{prefix}/notes": COMMISSIONERS,  # of that partnership
    "POST /admin/partnerships/{prefix}/notes/{note_id}/delete": COMMISSIONERS,
    "GET /admin/cases": STAFF,
    "GET /admin/cases/{ref}": STAFF,
    "GET /admin/cases/{ref}/terms/{version:int}.{fmt}": STAFF,
    "GET /admin/cases/{ref}/commissions/{commission_id}/declaration": frozenset({"admin"}),
    "POST /admin/cases/{ref}/commissions/{commission_id}/declaration": frozenset({"admin"}),
    "POST /admin/cases/{ref}/partnerships": COMMISSIONERS,
    "POST /admin/cases/{ref}/partnerships/{prefix}/remove": COMMISSIONERS,
    "GET /admin/cases/{ref}/milestones": STAFF,
    "POST /admin/cases/{ref}/milestones": STAFF,
    "POST /admin/cases/{ref}/status": CHAIRS_OR_ADMINS,
    # chronology pages: an agency contact's requests and upload page, a case's chronology, reviewers' pages
    "GET /admin/chronologies": AGENCY_CONTACTS,
    "GET /admin/chronologies/{ref}/{agency_id}": CHRONOLOGY_SENDERS,
    "POST /admin/chronologies/{ref}/{agency_id}": CHRONOLOGY_SENDERS,
    "GET /admin/chronologies/{ref}/{agency_id}/template.{fmt}": CHRONOLOGY_SENDERS,
    "GET /admin/chronologies/{ref}/{agency_id}/letter.{fmt}": CHRONOLOGY_SENDERS,
    "GET /admin/cases/{ref}/chronology/timeline.png": CHRONOLOGY_READERS,
    "GET /admin/cases/{ref}/chronology.{fmt}": CHRONOLOGY_READERS,
    "GET /admin/cases/{ref}/glossary": COMMISSIONERS,
    "POST /admin/cases/{ref}/glossary": COMMISSIONERS,
    "POST /admin/cases/{ref}/chronologies/requests": COMMISSIONERS,
    "POST /admin/cases/{ref}/commissions/{commission_id}/sign-in": COMMISSIONERS,
    "GET /admin/reviews": REVIEWERS,
    "GET /admin/reviews/{ref}": REVIEWERS,
    "GET /admin/reviews/{ref}/terms/{version:int}.{fmt}": REVIEWERS,
    # partnerships
    "GET /api/v1/partnerships": SIGNED_IN,
    "POST /api/v1/partnerships": LIST_ADMINS,
    "GET /api/v1/partnerships/{prefix}": SIGNED_IN,
    "PATCH /api/v1/partnerships/{prefix}": LIST_ADMINS,
    "POST /api/v1/cases/{ref}/partnerships/{prefix}": COMMISSIONERS,
    "DELETE /api/v1/cases/{ref}/partnerships/{prefix}": COMMISSIONERS,
    "GET /api/v1/partnerships/{prefix}/consultant-notes": COMMISSIONERS,
    "POST /api/v1/partnerships/{prefix}/consultant-notes": COMMISSIONERS,
    "DELETE /api/v1/partnerships/{prefix}/consultant-notes/{note_id}": COMMISSIONERS,
    # agencies' chronologies
    "GET /api/v1/chronology/template.{fmt}": SIGNED_IN,
    "POST /api/v1/cases/{ref}/chronology/requests": COMMISSIONERS,
    "GET /api/v1/cases/{ref}/chronology/requests": CHRONOLOGY_STATUS,
    "GET /api/v1/cases/{ref}/chronology/requests/{agency}/letter.{fmt}": CHRONOLOGY_SENDERS,
    "POST /api/v1/cases/{ref}/chronologies": CHRONOLOGY_SENDERS,
    "GET /api/v1/cases/{ref}/chronology.json": CHRONOLOGY_READERS,
    "GET /api/v1/cases/{ref}/chronology.{fmt}": CHRONOLOGY_READERS,
    "GET /api/v1/cases/{ref}/chronology/timeline.{fmt}": CHRONOLOGY_READERS,
    "GET /api/v1/cases/{ref}/chronology/glossary": CHRONOLOGY_READERS,
    "PUT /api/v1/cases/{ref}/chronology/glossary": COMMISSIONERS,
    "GET /api/v1/me/chronology/requests": AGENCY_CONTACTS,
    # recommendations and action plans (agencies' contacts, not callers here, are tested on their own)
    "GET /api/v1/recommendation-checks": SIGNED_IN,
    "POST /api/v1/cases/{ref}/recommendations": COMMISSIONERS,
    "POST /api/v1/cases/{ref}/recommendations/import": COMMISSIONERS,
    "GET /api/v1/cases/{ref}/recommendations": CASE_READERS,
    "GET /api/v1/recommendations": PARTNERSHIP_PEOPLE | AGENCY_CONTACTS,  # contacts: their agency's
    "GET /api/v1/recommendations/{recommendation_id}": CASE_READERS,
    "POST /api/v1/recommendations/{recommendation_id}/actions": COMMISSIONERS,
    "POST /api/v1/recommendations/{recommendation_id}/close": CHAIRS_OR_ADMINS,
    "POST /api/v1/actions/{action_id}/status": COMMISSIONERS,
    "POST /api/v1/actions/{action_id}/evidence": COMMISSIONERS,
    "GET /api/v1/actions/{action_id}/evidence/{evidence_id}": CASE_READERS,
    "GET /api/v1/actions/mine": SIGNED_IN,
    "GET /api/v1/slack/overdue-actions": BOT,
    "POST /api/v1/slack/overdue-actions/{action_id}/email": BOT,
    "GET /admin/recommendations": STAFF | AGENCY_CONTACTS,  # contacts: their agency's
    "GET /admin/cases/{ref}/recommendations": STAFF,
    "POST /admin/cases/{ref}/recommendations": COMMISSIONERS,
    "POST /admin/recommendations/{recommendation_id}/actions": COMMISSIONERS,
    "POST /admin/recommendations/{recommendation_id}/close": CHAIRS_OR_ADMINS,
    "POST /admin/actions/{action_id}/status": COMMISSIONERS,
    "POST /admin/actions/{action_id}/evidence": COMMISSIONERS,
}

# The routes of one case (named by its reference or one of its commissions): a caller with no role in any
# of the case's partnerships gets the 404 a missing case gets, never a 403.
CASE_SCOPED = frozenset(
    route
    for route in MATRIX
    if route.startswith(
        ("GET /api/v1/", "POST /api/v1/", "PUT /api/v1/", "PATCH /api/v1/", "DELETE /api/v1/")
    )
    and ("{ref}" in route or "{commission_id}" in route)
    and MATRIX[route] != CONSULTANT_VIA_BOT
) | {"POST /api/v1/assignments/plan"}
# A recommendation's and an action's routes are its case's: an outsider is told they do not exist.
CASE_SCOPED |= {
    route
    for route in MATRIX
    if " /api/v1/" in route
    and ("/recommendations/{" in route or "/actions/{" in route)
    and MATRIX[route] != BOT
}

# Who calls ------------------------------------------------------------------------------------------

SLACK = {
    "admin": "U0ADMIN",
    "commissioner": "U0COMM",
    "chair": "U0CHAIR",
    "revoked": "U0GONE",
    "outsider": "U0OUTSIDE",
}
DECLARING, DECLINING = "U0DECLARE", "U0DECLINE"  # the Slack ids of two commissioned consultants


@dataclass(frozen=True)
class Caller:
    """A kind of caller: the credentials sent, and who the service should take the caller for.

    ``runs_as`` is a role, or "consultant" for a consultant the bot speaks for; None means the
    credentials themselves are refused, with ``refused`` (401 or 403 for the API; 303 to the sign-in
    page for the admin pages).
    """

    name: str
    runs_as: str | None
    refused: int | None = None
    token: str | None = None  # whose API token: a persona ("admin", "bot", "revoked", "bad", ...)
    slack_user: str | None = None  # sent as X-Slack-User-Id
    session: str | None = None  # whose session cookie: a persona, or "anonymous"


API_CALLERS = (
    Caller("no token", None, 401),
    Caller("a bad token", None, 401, token="bad"),
    Caller("a revoked user's token", None, 401, token="revoked"),
    Caller("an admin's session cookie only", None, 401, session="admin"),
    Caller("admin", "admin", token="admin"),
    Caller("commissioner", "commissioner", token="commissioner"),
    Caller("chair", "chair", token="chair"),
    Caller("chair naming an admin's Slack id", "chair", token="chair", slack_user=SLACK["admin"]),
    Caller("bot", "bot", token="bot"),
    Caller("bot for a commissioner", "commissioner", token="bot", slack_user=SLACK["commissioner"]),
    Caller("bot for a chair", "chair", token="bot", slack_user=SLACK["chair"]),
    Caller("list admin", "list_admin", token="list_admin"),
    Caller("analyst", "analyst", token="analyst"),
    Caller("commissioner of a contributing partnership", "contributor", token="contributor"),
    Caller("commissioner of an unrelated partnership", "outsider", token="outsider"),
    Caller(
        "bot for an unrelated partnership's commissioner",
        "outsider",
        token="bot",
        slack_user=SLACK["outsider"],
    ),
    Caller("bot for an unlinked Slack user", None, 403, token="bot", slack_user="U0NOBODY"),
    Caller("bot for a revoked user", None, 403, token="bot", slack_user=SLACK["revoked"]),
    # A consultant is not a user: through the bot they reach only the routes made for them.
    Caller("bot for a consultant", "consultant", token="bot", slack_user=DECLARING),
    Caller("agency contact, for their own agency", "agency_contact", token="agency_contact"),
    Caller(
        "agency contact of another agency the case asked",
        "other_agency_contact",
        token="other_agency_contact",
    ),
    Caller("reviewer with a standing commission", "reviewer", token="reviewer"),
    Caller("reviewer whose commission does not stand", "former_reviewer", token="former_reviewer"),
)
PAGE_CALLERS = (
    Caller("no session", None, 303, session="anonymous"),
    Caller("a revoked user's session", None, 303, session="revoked"),
    Caller("an admin's API token, no session", None, 303, token="admin", session="anonymous"),
    Caller("admin", "admin", session="admin"),
    Caller("commissioner", "commissioner", session="commissioner"),
    Caller("chair", "chair", session="chair"),
    Caller("agency contact", "agency_contact", session="agency_contact"),
    Caller("reviewer", "reviewer", session="reviewer"),
)


def is_page(route: str) -> bool:
    return route.split(" ", 1)[1].startswith("/admin")


def allows(access: Access, caller: Caller) -> bool:
    return access == PUBLIC or (isinstance(access, frozenset) and caller.runs_as in access)


def first_allowed(route: str) -> Caller | None:
    """The first caller listed that ``route`` lets through: the access matrix calls the route as it first,
    so it meets the seeded records; the fuzz test sends its requests as it."""
    callers = PAGE_CALLERS if is_page(route) else API_CALLERS
    return next((caller for caller in callers if allows(MATRIX[route], caller)), None)


def page_refusal(route: str, caller: Caller) -> int:
    """The status a signed-in page caller the route does not let through gets: 404 for an agency's contact
    on a recommendation's or action's page that names no action of their agency (as a missing one), else
    403."""
    named = "/recommendations" in route or "/actions/" in route
    if named and caller.runs_as in AGENCY_CONTACTS and route != "GET /admin/recommendations":
        return 404
    return 403


def refusal(route: str, caller: Caller) -> int:
    """The status a signed-in caller the route does not let through gets: 404 on a case's routes for
    someone with no role in the case's partnerships (as a missing case), else 403."""
    chronology_route = "chronolog" in route
    if route in CASE_SCOPED and (
        caller.runs_as in NO_ROLE_IN_THE_CASE
        or (caller.runs_as in CHRONOLOGY_PEOPLE and not chronology_route)
    ):
        if route == "POST /api/v1/assignments/plan" and caller.runs_as not in COMMISSIONERS_ANYWHERE:
            return 403  # refused as someone who commissions nowhere, before any case is looked at
        return 404
    return 403
