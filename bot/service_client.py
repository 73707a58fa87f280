"""The bot's only way into the service: its HTTP API, called as the Slack user the bot acts for.

Why async, and why one client: in HTTP mode the bot runs inside the service process and reaches the API
through ``httpx.ASGITransport(app)`` (no socket, no second server). httpx offers the ASGI transport only
for ``httpx.AsyncClient``; a synchronous client would need a second code path (a thread bridging into the
event loop, or a test client, which is not fit for production). So the Slack app is bolt's ``AsyncApp``
and this client wraps an ``httpx.AsyncClient`` in both modes: the ASGI transport in-process, an ordinary
connection to ``SCR_SERVICE_URL`` in Socket Mode. Only the transport differs; every call below is the
same code in both.

Every call sends the bot's API token; calls made for a person also send ``X-Slack-User-Id``, so the
service applies that person's role (or answers 403 when the Slack account is not linked). Every call
made while serving a request from Slack sends ``X-Slack-Team-Id``, the workspace Slack said the request
came from (``bot.workspaces``): a member id means someone only within its workspace. Every call also
sends the reference of what the bot is doing (``bot.reference``) as ``X-Request-ID``, so the service's
log lines for it carry the reference a person is shown if it fails.
"""

from datetime import date
from typing import Any

import httpx
from pydantic import SecretStr

from bot import reference
from bot.workspaces import current_team

SLACK_USER_HEADER = "X-Slack-User-Id"
SLACK_TEAM_HEADER = "X-Slack-Team-Id"


class ServiceError(Exception):
    """The service refused or failed a call; ``message`` is meant for the person who asked."""

    def __init__(self, message: str, *, status: int = 0, request_id: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.request_id = request_id  # the service's id for the call: its log lines carry it


class ServiceUnavailable(ServiceError):
    """The service did not answer, or answered that it is down (5xx)."""


class NotLinked(ServiceError):
    """The Slack user is not linked to a user of the service."""


class Forbidden(ServiceError):
    """The linked user's role does not allow the call."""


class NotFound(ServiceError):
    """The record named does not exist (an unknown case reference, for instance)."""


class Rejected(ServiceError):
    """The service refused the input or the change (400, 409, 422), saying why."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        problems: list[dict[str, Any]] | None = None,
        allowed: list[str] | None = None,
        findings: list[dict[str, Any]] | None = None,
        request_id: str = "",
    ) -> None:
        super().__init__(message, status=status, request_id=request_id)
        self.problems = problems or []
        self.allowed = allowed or []
        self.findings = findings or []


def _detail(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"detail": response.text[:300]}
    if isinstance(body, dict):
        return body
    return {"detail": str(body)[:300]}


def _error(response: httpx.Response) -> ServiceError:
    body = _detail(response)
    detail = body.get("detail")
    message = detail if isinstance(detail, str) else "The service refused the request."
    status = response.status_code
    request_id = response.headers.get(reference.HEADER, "")
    if status in (502, 503, 504):
        return ServiceUnavailable(message, status=status, request_id=request_id)
    if status >= 500:
        return ServiceError(
            f"The case review service failed while doing this (HTTP {status}), so it may not have been done.",
            status=status,
            request_id=request_id,
        )
    if status == 403 and "not linked" in message:
        return NotLinked(message, status=status, request_id=request_id)
    if status in (401, 403):
        return Forbidden(message, status=status, request_id=request_id)
    if status == 404:
        return NotFound(message, status=status, request_id=request_id)
    problems = body.get("problems") or (detail if isinstance(detail, list) else [])
    return Rejected(
        message,
        status=status,
        request_id=request_id,
        problems=[p for p in problems if isinstance(p, dict)],
        allowed=list(body.get("allowed") or []),
        findings=list(body.get("findings") or []),
    )


def _records_path(consultant_id: int, kind: str, record_id: int | None = None) -> str:
    """A consultant's records of ``kind`` ("engagement"), or one of them."""
    path = f"/api/v1/consultants/{consultant_id}/{kind}s"
    return path if record_id is None else f"{path}/{record_id}"


class ServiceClient:
    """Typed calls to the service API; raises a ``ServiceError`` subclass for every refusal or failure."""

    def __init__(self, http: httpx.AsyncClient, *, token: SecretStr) -> None:
        self.http = http
        self.token = token
        self._catalogue: list[dict[str, Any]] | None = None
        self._labels: dict[str, str] | None = None
        self._vocabulary: dict[str, dict[str, str]] | None = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        as_user: str | None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10.0,
    ) -> httpx.Response:
        """One API call; ``as_user`` is the Slack user id the call is made for (None: the bot itself)."""
        sent = {
            "Authorization": f"Bearer {self.token.get_secret_value()}",
            reference.HEADER: reference.current() or reference.new(),
            **(headers or {}),
        }
        if as_user:
            sent[SLACK_USER_HEADER] = as_user
        team = current_team.get()
        if team:
            sent[SLACK_TEAM_HEADER] = team
        try:
            response = await self.http.request(
                method, path, json=json, params=params, headers=sent, timeout=timeout
            )
        except httpx.TransportError as error:
            raise ServiceUnavailable(
                f"The case review service is not answering ({type(error).__name__})."
            ) from error
        if response.is_success:
            return response
        raise _error(response)

    async def _json(self, method: str, path: str, *, as_user: str | None, **kwargs: Any) -> Any:
        response = await self.request(method, path, as_user=as_user, **kwargs)
        return response.json() if response.content else None

    # Who is asking -------------------------------------------------------------------------------

    async def me(self, *, as_user: str) -> dict[str, Any]:
        """The linked user's id and role; raises ``NotLinked`` for an unknown Slack user."""
        return await self._json("GET", "/api/v1/slack/me", as_user=as_user, timeout=3.0)

    # Drafts of threshold checks ------------------------------------------------------------------

    async def create_draft(self, *, as_user: str, state: dict[str, Any]) -> dict[str, Any]:
        return await self._json("POST", "/api/v1/slack/drafts", as_user=as_user, json={"state": state})

    async def draft(self, *, as_user: str, draft_id: str) -> dict[str, Any]:
        return await self._json("GET", f"/api/v1/slack/drafts/{draft_id}", as_user=as_user)

    async def replace_draft(self, *, as_user: str, draft_id: str, state: dict[str, Any]) -> dict[str, Any]:
        return await self._json(
            "PUT", f"/api/v1/slack/drafts/{draft_id}", as_user=as_user, json={"state": state}
        )

    # Once-only claims (the bot's own identity) ---------------------------------------------------

    async def claim(self, *, key: str, kind: str, detail: dict[str, Any] | None = None) -> bool:
        """True when this call made the claim; False when it was made before (so do nothing)."""
        response = await self.request(
            "POST",
            "/api/v1/slack/claims",
            as_user=None,
            json={"key": key, "kind": kind, "detail": detail or {}},
        )
        return response.status_code == 201

    async def claim_detail(self, *, key: str) -> dict[str, Any]:
        """What a claim made before recorded (a declaration request: the agencies asked about)."""
        return (await self._json("GET", f"/api/v1/slack/claims/{key}", as_user=None))["detail"]

    async def record_claim_outcome(self, *, key: str, detail: dict[str, Any]) -> None:
        await self.request("PATCH", f"/api/v1/slack/claims/{key}", as_user=None, json={"detail": detail})

    async def release_claim(self, *, key: str) -> None:
        await self.request("DELETE", f"/api/v1/slack/claims/{key}", as_user=None)

    # The feature catalogue and threshold checks -------------------------------------------------

    async def features(self) -> list[dict[str, Any]]:
        """The feature catalogue, fetched once per process: it changes only when the service is deployed."""
        if self._catalogue is None:
            self._catalogue = await self._json("GET", "/api/v1/features", as_user=None)
        return self._catalogue

    # Registry --------------------------------------------------------------------------------------

    async def agencies(self, *, as_user: str, q: str | None) -> list[dict[str, Any]]:
        return await self._json("GET", "/api/v1/agencies", as_user=as_user, params={"q": q} if q else None)

    async def agency(self, *, as_user: str, agency_id: str) -> dict[str, Any]:
        return await self._json("GET", f"/api/v1/agencies/{agency_id}", as_user=as_user)

    async def consultant(self, *, as_user: str, consultant_id: int) -> dict[str, Any]:
        return await self._json("GET", f"/api/v1/consultants/{consultant_id}", as_user=as_user)

    async def expiring_consultants(self, *, as_user: str, within_days: int, limit: int) -> dict[str, Any]:
        params = {"expiring_within_days": within_days, "limit": limit}
        return await self._json("GET", "/api/v1/consultants", as_user=as_user, params=params)

    async def search_consultants(self, *, as_user: str, q: str, limit: int, offset: int) -> dict[str, Any]:
        """A page of consultants by name, specialism or area (commissioners and admins)."""
        params = {"q": q, "limit": limit, "offset": offset}
        return await self._json("GET", "/api/v1/consultants/search", as_user=as_user, params=params)

    async def consultant_card(self, *, as_user: str, consultant_id: int) -> dict[str, Any]:
        """The record, places held, each check's state and the status actions open now."""
        return await self._json("GET", f"/api/v1/consultants/{consultant_id}/card", as_user=as_user)

    async def change_status(
        self, *, as_user: str, consultant_id: int, action: str, reason: str
    ) -> dict[str, Any]:
        """Approve, suspend, remove or reinstate; ``Rejected.allowed`` lists the actions open instead."""
        return await self._json(
            "POST", f"/api/v1/consultants/{consultant_id}/{action}", as_user=as_user, json={"reason": reason}
        )

    async def update_consultant(
        self, *, as_user: str, consultant_id: int, changes: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._json(
            "PATCH", f"/api/v1/consultants/{consultant_id}", as_user=as_user, json=changes
        )

    async def remind_consultant(self, *, as_user: str, consultant_id: int, check: str) -> dict[str, Any]:
        """Record an admin's reminder to renew ``check``; answers the consultant's Slack id to send it to."""
        path = f"/api/v1/consultants/{consultant_id}/reminders"
        return await self._json("POST", path, as_user=as_user, json={"check": check})

    async def checks_due(self, *, within_days: int) -> list[dict[str, Any]]:
        """Each approved consultant's check falling due within ``within_days`` (the bot's own call)."""
        params = {"within_days": within_days}
        return await self._json("GET", "/api/v1/slack/checks-due", as_user=None, params=params)

    # What is recorded about a consultant: every kind ("engagement", "interest", "accreditation",
    # "review") has the same routes, so one call serves them all ------------------------------------

    async def add_record(
        self, *, as_user: str, consultant_id: int, kind: str, record: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._json("POST", _records_path(consultant_id, kind), as_user=as_user, json=record)

    async def update_record(
        self, *, as_user: str, consultant_id: int, kind: str, record_id: int, changes: dict[str, Any]
    ) -> dict[str, Any]:
        path = _records_path(consultant_id, kind, record_id)
        return await self._json("PATCH", path, as_user=as_user, json=changes)

    # Shortlists and commissions -------------------------------------------------------------------

    async def shortlist(self, *, as_user: str, ref: str, limit: int) -> dict[str, Any]:
        return await self._json(
            "GET", f"/api/v1/cases/{ref}/shortlist", as_user=as_user, params={"limit": limit}
        )

    async def commission(
        self, *, as_user: str, ref: str, consultant_id: int, role: str, idempotency_key: str
    ) -> tuple[dict[str, Any], bool]:
        """Commission a consultant; also False when ``idempotency_key`` replayed an earlier commission."""
        response = await self.request(
            "POST",
            f"/api/v1/cases/{ref}/commissions",
            as_user=as_user,
            json={"consultant_id": consultant_id, "role": role},
            headers={"Idempotency-Key": idempotency_key},
        )
        return response.json(), response.status_code == 201

    async def commissions(self, *, as_user: str, ref: str) -> list[dict[str, Any]]:
        return await self._json("GET", f"/api/v1/cases/{ref}/commissions", as_user=as_user)

    async def declare(
        self,
        *,
        commission_id: int,
        consultant: str,
        agencies: list[str],
        no_conflict: bool,
        statement: str | None,
    ) -> dict[str, Any]:
        """Relay a consultant's declaration; the service checks ``consultant`` is the one commissioned."""
        body = {
            "agencies": agencies,
            "no_conflict": no_conflict,
            "statement": statement,
            "slack_user_id": consultant,
        }
        return await self._json(
            "POST", f"/api/v1/commissions/{commission_id}/declaration", as_user=None, json=body
        )

    async def decline(self, *, commission_id: int, consultant: str, reason: str) -> dict[str, Any]:
        """Relay a consultant's declining of their commission; the service checks ``consultant`` is the
        one commissioned."""
        body = {"reason": reason, "slack_user_id": consultant}
        path = f"/api/v1/commissions/{commission_id}/decline"
        return await self._json("POST", path, as_user=None, json=body)

    # Terms of reference ------------------------------------------------------------------------------

    async def generate_terms(self, *, as_user: str, ref: str) -> dict[str, Any]:
        """A new version of the case's terms of reference (or the latest, when nothing changed)."""
        return await self._json("POST", f"/api/v1/cases/{ref}/terms", as_user=as_user, timeout=60.0)

    async def thematic_briefing(
        self, *, as_user: str, start: date, end: date, partnership: str | None
    ) -> tuple[bytes, str]:
        """The publishable thematic briefing as a PDF, with its file name (Slack carries no other)."""
        params = {"from": start.isoformat(), "to": end.isoformat(), "publishable": "true", "format": "pdf"}
        if partnership:
            params["partnership"] = partnership
        response = await self.request(
            "GET", "/api/v1/reports/thematic", as_user=as_user, params=params, timeout=60.0
        )
        named = response.headers.get("content-disposition", "").partition('filename="')[2].rstrip('"')
        return response.content, named or "thematic-briefing.pdf"

    async def download(self, *, as_user: str, path: str) -> bytes:
        """A document the service links to (``downloads`` of a terms version)."""
        return (await self.request("GET", path, as_user=as_user, timeout=60.0)).content

    # Threshold checks and cases ----------------------------------------------------------------------

    async def threshold(
        self, *, as_user: str, features: dict[str, Any], timeout: float = 10.0
    ) -> dict[str, Any]:
        """The threshold decision for ``features`` (nothing is stored)."""
        return await self._json(
            "POST", "/api/v1/threshold", as_user=as_user, json={"features": features}, timeout=timeout
        )

    async def create_case(
        self, *, as_user: str, features: dict[str, Any], idempotency_key: str
    ) -> dict[str, Any]:
        return await self._json(
            "POST",
            "/api/v1/cases",
            as_user=as_user,
            json={"features": features},
            headers={"Idempotency-Key": idempotency_key},
        )

    async def case(self, *, as_user: str, ref: str) -> dict[str, Any]:
        return await self._json("GET", f"/api/v1/cases/{ref}", as_user=as_user)

    async def change_case(self, *, as_user: str, ref: str, features: dict[str, Any]) -> dict[str, Any]:
        """Change some of a case's features: the service decides again and keeps the history."""
        body = {"features": features}
        return await self._json("PATCH", f"/api/v1/cases/{ref}", as_user=as_user, json=body)

    async def open_cases(self, *, as_user: str, limit: int) -> dict[str, Any]:
        """A page of open cases, newest first: ``items`` and the ``total``."""
        params = {"status": "open", "limit": limit}
        return await self._json("GET", "/api/v1/cases", as_user=as_user, params=params)

    async def decide(
        self,
        *,
        as_user: str,
        ref: str,
        accepted: bool,
        reason: str | None,
        outcomes: list[dict[str, str]] | None = None,
        decided_on: str | None = None,
    ) -> dict[str, Any]:
        """A chair's decision: accept the recommendation, or depart from it with a reason and the outcomes
        chosen instead (``[]`` for none), on ``decided_on`` (ISO; None: today)."""
        body: dict[str, Any] = {"accepted": accepted, "reason": reason}
        if outcomes is not None:
            body["outcomes"] = outcomes
        if decided_on is not None:
            body["decided_on"] = decided_on
        return await self._json("POST", f"/api/v1/cases/{ref}/decision", as_user=as_user, json=body)

    async def milestones(self, *, as_user: str, ref: str) -> list[dict[str, Any]]:
        """The case's timeline: each milestone in order, its day, its deadline and whether it was late."""
        return await self._json("GET", f"/api/v1/cases/{ref}/milestones", as_user=as_user)

    async def set_case_status(self, *, as_user: str, ref: str, close: bool, reason: str) -> dict[str, Any]:
        """Close the case (``close``) or reopen it, with the reason."""
        path = f"/api/v1/cases/{ref}/{'close' if close else 'reopen'}"
        return await self._json("POST", path, as_user=as_user, json={"reason": reason})

    async def outcome_labels(self) -> dict[str, str]:
        """Outcome id -> the words to show for it, fetched once per process like the catalogue."""
        if self._labels is None:
            listed = await self._json("GET", "/api/v1/slack/outcomes", as_user=None)
            self._labels = {outcome["id"]: outcome["label"] for outcome in listed}
        return self._labels

    async def vocabulary(self) -> dict[str, dict[str, str]]:
        """Each vocabulary's values with their words ("lcspr" -> "local child safeguarding practice
        review"), by vocabulary ("review_type"); fetched once per process like the outcome labels."""
        if self._vocabulary is None:
            self._vocabulary = await self._json("GET", "/api/v1/slack/vocabulary", as_user=None)
        return self._vocabulary

    async def deadlines(self) -> list[dict[str, Any]]:
        """Every dated deadline of the open cases (the bot's own call, for reminders)."""
        return await self._json("GET", "/api/v1/slack/deadlines", as_user=None)

    async def partnership_channels(self) -> list[dict[str, Any]]:
        """Each partnership's reminder channel, its workspace and its reminder lead days (for reminders)."""
        return await self._json("GET", "/api/v1/slack/partnerships", as_user=None)

    async def chronology_notices(self) -> list[dict[str, Any]]:
        """The service's daily chronology reminders (it emails them), then the direct messages to send of
        what it sent: each with its claim key, the person, the case reference, agency, due date and link."""
        return await self._json("POST", "/api/v1/slack/chronology-notices", as_user=None)

    async def chronology_standings(self, *, as_user: str, ref: str) -> list[dict[str, Any]]:
        """Where each agency's chronology for case ``ref`` stands, as the service lets ``as_user`` see it."""
        found = await self._json("GET", f"/api/v1/cases/{ref}/chronology/requests", as_user=as_user)
        return found["requests"]

    async def overdue_actions(self) -> list[dict[str, Any]]:
        """Every overdue action of an agency's plan, its owner's Slack id when linked (the bot's own call)."""
        return await self._json("GET", "/api/v1/slack/overdue-actions", as_user=None)

    async def email_overdue(self, *, action_id: int) -> dict[str, Any]:
        """Have the service email an overdue action's owner, once: ``status`` sent, off, failed or already."""
        return await self._json("POST", f"/api/v1/slack/overdue-actions/{action_id}/email", as_user=None)

    async def my_actions(self, *, as_user: str) -> list[dict[str, Any]]:
        """The actions a person owns that are not yet completed (their App Home)."""
        return await self._json("GET", "/api/v1/actions/mine", as_user=as_user)

    async def case_deadlines(self, *, as_user: str, ref: str) -> list[dict[str, Any]]:
        """The deadlines in force on one case, for a person: the service decides who may read them."""
        return await self._json("GET", f"/api/v1/slack/deadlines/{ref}", as_user=as_user)

    # Consultant self-service: the consultant is named by the Slack id on their record ------------------

    async def my_record(self, *, as_user: str) -> dict[str, Any]:
        """The consultant's own record; ``Forbidden`` if no consultant's record carries ``as_user``."""
        return await self._json("GET", "/api/v1/me", as_user=as_user)

    async def set_my_availability(
        self, *, as_user: str, capacity: int | None, away: list[dict[str, str]] | None
    ) -> dict[str, Any]:
        """Set capacity and/or replace the periods away; answers the record as it now stands."""
        body: dict[str, Any] = {}
        if capacity is not None:
            body["capacity"] = capacity
        if away is not None:
            body["away"] = away
        return await self._json("PATCH", "/api/v1/me/availability", as_user=as_user, json=body)

    async def declare_own(self, *, as_user: str, kind: str, declaration: dict[str, Any]) -> dict[str, Any]:
        """Declare an interest or an engagement (``kind``); it waits for an admin's confirmation."""
        return await self._json("POST", f"/api/v1/me/{kind}s", as_user=as_user, json=declaration)

    async def my_agencies(self, *, as_user: str, q: str | None) -> list[dict[str, Any]]:
        """Agencies to declare about, for the consultant's picker."""
        return await self._json("GET", "/api/v1/me/agencies", as_user=as_user, params={"q": q} if q else None)

    async def pending_declarations(self, *, as_user: str) -> list[dict[str, Any]]:
        """Every declaration awaiting an admin, with who made it: admins only."""
        return await self._json("GET", "/api/v1/declarations/pending", as_user=as_user)

    async def resolve_declaration(
        self, *, as_user: str, kind: str, consultant_id: int, record_id: int, reason: str | None = None
    ) -> None:
        """Confirm (no ``reason``) or reject (with one) a consultant's declaration: admins only."""
        path = _records_path(consultant_id, kind, record_id)
        if reason is None:
            await self.request("POST", f"{path}/confirm", as_user=as_user)
        else:
            await self.request("POST", f"{path}/reject", as_user=as_user, json={"reason": reason})
