"""Threshold decisions and cases: the stateless check, recording a case, changing it, the board's decision,
and the published feature catalogue and rulesets.

``POST /threshold`` is the hot path (the bot calls it on every answer): it reads no database and no
token, parses the body itself and writes the decision's JSON directly, because FastAPI's generic body
and response handling costs more than the decision does. Its OpenAPI schemas still come from the
catalogue and the response models (``service.api.schemas``). It is public, so what an outsider's body
can cost is bounded: the work runs on a worker thread (never the event loop), an oversized or over-deep
body gets one short 422, and an answer lists at most ``MAX_PROBLEMS`` problems. The three public routes
are rate-limited per client address for callers without a token (``service.ratelimit``).
"""

import datetime as dt
import json
from functools import cache
from itertools import islice
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response, status
from pydantic_core import PydanticCustomError
from sqlmodel import Session, col, select

from commissioning import closing, features, rules, store, threshold
from commissioning.models import Case, CaseContributor, CaseStatus, Partnership
from core.clock import today as service_today
from core.errors import Invalid
from core.values import OptionalLine, bounded, echoed, shortened
from service.access import (
    CaseChair,
    CaseChairOrAdmin,
    CaseEditor,
    CaseReader,
    GrantsDep,
    PartnershipPerson,
    forbidden,
    readable_partnerships,
)
from service.api.params import Ref
from service.api.schemas import (
    BoardDecisionIn,
    CaseChangeIn,
    CaseIn,
    CaseOut,
    CasePage,
    CaseStatusIn,
    DecisionOut,
    ThresholdIn,
)
from service.db import SessionDep, UnitOfWorkRoute
from service.people import names
from service.ratelimit import TOO_MANY, limit_public
from service.settings import get_settings

router = APIRouter(prefix="/api/v1", tags=["threshold and cases"], route_class=UnitOfWorkRoute)


def rulesets() -> tuple[rules.Ruleset, ...]:
    """The rulesets with this service's local settings (checked when the settings load)."""
    return rules.load_all(get_settings().rule_settings)


# A threshold request's body: a case with every feature answered and a hundred agencies is a few KB.
# The service-wide limit (2 MB) would let an outsider make every check parse 2 MB.
MAX_BODY_BYTES = 100_000
MAX_PROBLEMS = 20  # listed in one answer of the public check; the detail counts the rest
MAX_SHOWN = 300  # characters of any text in a problem: longer ones can only be echoed input
FIELDS = tuple(ThresholdIn.model_fields)
# Threshold checks decided at once, each on a worker thread. Deciding is pure Python under the GIL, so
# more threads would not decide more a second; they would take the GIL from the event loop (which must
# keep answering everything else) and the thread pool from the other routes. Others wait, holding nothing.
DECIDING = anyio.CapacityLimiter(1)
# A body this small (a whole case with every feature answered is about 5 KB) is decided on the event loop
# in well under a millisecond: handing it to a thread costs more than deciding it, and the wait for the GIL
# between the loop and the thread is what the caller then sees. Anything larger goes to the thread.
INLINE_BYTES = 8_192
# A route anyone may call without a token: rate-limited per address, and its 429 in the schema.
OPEN_TO_ALL: dict[str, Any] = {"dependencies": [Depends(limit_public)], "responses": TOO_MANY}


def _threshold_request(body: bytes) -> tuple[features.Features, str, dt.date]:
    """The valid features, ruleset and date of a threshold request, or ``Invalid`` naming its problems."""
    try:
        raw = json.loads(body)
    except RecursionError:
        raise Invalid(
            "The body is nested too deeply.", [{"loc": ["body"], "msg": "nests lists or objects too deeply"}]
        ) from None
    except ValueError as error:  # not JSON, not UTF-8, or a number with more digits than Python reads
        syntax = isinstance(error, json.JSONDecodeError | UnicodeError)
        msg = "not valid JSON" if syntax else "holds a number with too many digits"
        raise Invalid("The body is not valid JSON.", [{"loc": ["body"], "msg": msg}]) from None
    if not isinstance(raw, dict):
        raise Invalid(
            "The body must be an object.", [{"loc": ["body"], "msg": 'expected {"features": {...}}'}]
        )
    unknown = (key for key in raw if key not in FIELDS)
    problems = [
        {"loc": ["body", echoed(key)], "msg": "unknown field: send features, ruleset and today"}
        for key in islice(unknown, MAX_PROBLEMS)
    ]
    unlisted = len(raw) - sum(name in raw for name in FIELDS) - len(problems)
    if "features" not in raw:
        problems.append({"loc": ["body", "features"], "msg": "is required: the case features, as an object"})
    ruleset = raw.get("ruleset", threshold.AUTO)
    if not isinstance(ruleset, str) or (ruleset != threshold.AUTO and ruleset not in rules.available()):
        valid = [threshold.AUTO, *rules.available()]
        msg = f"{ruleset!r} is not a ruleset" if isinstance(ruleset, str) else "must be a ruleset, as text"
        problems.append({"loc": ["body", "ruleset"], "msg": msg, "valid": valid})
    today = service_today()
    if raw.get("today") is not None:
        try:
            today = bounded(dt.date.fromisoformat(raw["today"]))
        except PydanticCustomError as error:
            problems.append({"loc": ["body", "today"], "msg": str(error)})
        except (TypeError, ValueError):
            problems.append({"loc": ["body", "today"], "msg": "must be a date, YYYY-MM-DD"})
    valid_features: features.Features = {}
    try:
        valid_features = features.validate(raw.get("features", {}), today=today)
    except Invalid as error:
        problems += error.problems
    if problems:
        raise _few_problems(problems, unlisted)
    return valid_features, ruleset, today


def _shown(value: Any) -> Any:
    """Text in a problem, cut short between words: a long one can only be the caller's own input echoed
    back, and the end that says what is wrong with it is kept."""
    if isinstance(value, str):
        return shortened(value, MAX_SHOWN)
    if isinstance(value, list):
        return [_shown(item) for item in value]
    return value


def _few_problems(problems: list[dict[str, Any]], unlisted: int) -> Invalid:
    """The first ``MAX_PROBLEMS`` problems, each list of valid values given once, and a count of the rest."""
    listed: list[dict[str, Any]] = []
    given: list[Any] = []
    for problem in problems[:MAX_PROBLEMS]:
        shown = {key: _shown(value) for key, value in problem.items() if key != "valid"}
        if "valid" in problem and problem["valid"] not in given:
            given.append(problem["valid"])
            shown["valid"] = problem["valid"]
        listed.append(shown)
    total = len(problems) + unlisted
    if total == len(listed):
        return Invalid(f"{total} problem(s) with the request.", listed)
    return Invalid(
        f"{total} problems with the request: the first {len(listed)} are listed, and {total - len(listed)} "
        "more. Fix these and send it again to see the rest.",
        listed,
    )


async def _small_body(request: Request) -> bytes:
    """The body, or 413 once it passes ``MAX_BODY_BYTES`` (by Content-Length when sent)."""
    refused = HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE,
        detail=f"A threshold check's body is at most {MAX_BODY_BYTES} bytes: send only the case's features.",
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise refused
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise refused
        chunks.append(chunk)
    return b"".join(chunks)


def _decide(body: bytes) -> Response:
    valid, ruleset, today = _threshold_request(body)
    decision = threshold.decide(valid, ruleset, today, rulesets=rulesets())
    return Response(json.dumps(decision.to_json()), media_type="application/json")


@cache
def _threshold_openapi() -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": ThresholdIn.model_json_schema(ref_template="#/components/schemas/{model}")
                }
            },
        }
    }


@router.post(
    "/threshold",
    response_model=DecisionOut,
    openapi_extra=_threshold_openapi(),
    dependencies=[Depends(limit_public)],
    responses={
        422: {
            "description": f"The problems with the request, at most {MAX_PROBLEMS} (the detail counts the "
            "rest): the feature, the message and, once each, the valid values",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}},
        },
        413: {
            "description": f"The body is over {MAX_BODY_BYTES} bytes",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}},
        },
        **TOO_MANY,
    },
    summary="Which reviews and notifications a case needs (stateless: stores nothing)",
)
async def check_threshold(request: Request) -> Response:
    """Decide from the features in the body; 422 names the problems (feature, message, valid values).

    No sign-in needed: it stores nothing and holds no personal data. Callers without a token are
    rate-limited per address. The body (at most ``MAX_BODY_BYTES``) is read here; a case-sized body is
    decided at once, and a larger one on a worker thread, so no body holds up the event loop for long.
    """
    body = await _small_body(request)
    if len(body) <= INLINE_BYTES:
        return _decide(body)
    return await anyio.to_thread.run_sync(_decide, body, limiter=DECIDING)


@router.get("/features", summary="The case-feature catalogue", **OPEN_TO_ALL)
def list_features() -> list[dict[str, Any]]:
    """Every feature with its question, type, options, help, group, theme flag and source: the single
    source the Slack modal and the admin form are built from. No sign-in needed."""
    return [feature.to_json() for feature in features.CATALOGUE]


@router.get("/rulesets", summary="The rulesets, with their criteria, settings and sources", **OPEN_TO_ALL)
def list_rulesets() -> list[dict[str, Any]]:
    """Every edition of the guidance the engine applies, oldest first. No sign-in needed."""
    return [ruleset.to_json() for ruleset in rulesets()]


def _named(session: Session, cases: list[dict[str, Any]]) -> list[CaseOut]:
    """Cases for the API, each decision with the name of whoever recorded it (one lookup for them all)."""
    decisions = [
        decision
        for case in cases
        for decision in (case["board_decision"], *(case.get("history") or ()))
        if decision is not None
    ]
    named = names(session, [decision["decided_by"] for decision in decisions])
    for decision in decisions:
        decision["decided_by_name"] = named(decision["decided_by"])
    _with_partnerships(session, cases)
    return [CaseOut.model_validate(case) for case in cases]


def _with_partnerships(session: Session, cases: list[dict[str, Any]]) -> None:
    """Each case's lead partnership (its prefix and name) and those contributing, by prefix (two lookups
    for them all)."""
    refs = [case["ref"] for case in cases]
    lead = {
        ref: (prefix, name)
        for ref, prefix, name in session.exec(
            select(Case.ref, Partnership.prefix, Partnership.name)
            .join(Partnership, col(Partnership.id) == Case.partnership_id)
            .where(col(Case.ref).in_(refs))
        ).all()
    }
    contributing: dict[str, list[str]] = {}
    for ref, prefix in session.exec(
        select(Case.ref, Partnership.prefix)
        .join(CaseContributor, col(CaseContributor.case_id) == Case.id)
        .join(Partnership, col(Partnership.id) == CaseContributor.partnership_id)
        .where(col(Case.ref).in_(refs))
        .order_by(col(Partnership.prefix))
    ):
        contributing.setdefault(ref, []).append(prefix)
    for case in cases:
        case["partnership"], case["partnership_name"] = lead.get(case["ref"], (None, None))
        case["contributing"] = contributing.get(case["ref"], [])


def _case_out(session: Session, case: dict[str, Any]) -> CaseOut:
    return _named(session, [case])[0]


@router.post("/cases", status_code=status.HTTP_201_CREATED)
def create_case(
    body: CaseIn,
    response: Response,
    session: SessionDep,
    actor: PartnershipPerson,
    grants: GrantsDep,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> CaseOut:
    """Record a case and the engine's recommendation; the reference (e.g. ``CHS-2026-0007``, the lead
    partnership's prefix) holds no personal data. The case's areas decide which partnership leads it, by
    the rule of the edition in force; the caller must hold a role there (403 otherwise), and 422 says so
    when no partnership covers the lead area. Send an ``Idempotency-Key`` header to make retries safe: the
    same key and features return the same case (200); the same key with other features is refused (409)."""
    try:
        view, created = store.create_case(
            session=session,
            raw_features=body.features,
            actor=actor.email,
            today=service_today(),
            rulesets=rulesets(),
            ruleset=body.ruleset,
            idempotency_key=idempotency_key,
            may_lead=grants.partnerships(),
        )
    except store.NotAllowedToLead as refused:
        raise forbidden(
            f"{refused.lead.name} would lead this case (it covers the area that leads), and you hold no "
            "role there: one of its commissioners, admins or chairs records it."
        ) from None
    if not created:
        response.status_code = status.HTTP_200_OK
    return _case_out(session, view.to_json(today=service_today(), rulesets=rulesets()))


@router.get("/cases")
def list_cases(
    session: SessionDep,
    _: PartnershipPerson,
    grants: GrantsDep,
    status_: Annotated[CaseStatus | None, Query(alias="status")] = None,
    area: Annotated[OptionalLine, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CasePage:
    """The cases of the caller's partnerships (led or contributed to), newest first, each with its latest
    recommendation, board decision and next deadline."""
    views, total = store.list_cases(
        session=session,
        status=status_,
        area=area,
        limit=limit,
        offset=offset,
        partnership_ids=readable_partnerships(grants),
    )
    today = service_today()
    items = _named(session, [view.to_json(today=today, history=False, rulesets=rulesets()) for view in views])
    return CasePage(items=items, total=total, limit=limit, offset=offset)


@router.get("/cases/{ref}")
def get_case(ref: Ref, session: SessionDep, _: CaseReader) -> CaseOut:
    """A case with its whole decision history (each with its ruleset version and feature snapshot)."""
    view = store.get_case(session=session, ref=ref)
    return _case_out(session, view.to_json(today=service_today(), rulesets=rulesets()))


@router.patch("/cases/{ref}")
def change_case(ref: Ref, body: CaseChangeIn, session: SessionDep, actor: CaseEditor) -> CaseOut:
    """Change features and decide again; earlier decisions stay in the history."""
    updated = store.update_case(
        session=session,
        ref=ref,
        changes=body.features,
        actor=actor.email,
        today=service_today(),
        rulesets=rulesets(),
        ruleset=body.ruleset,
    )
    out = updated.view.to_json(today=service_today(), rulesets=rulesets())
    return _case_out(session, {**out, "redeclare": updated.redeclare})


@router.post("/cases/{ref}/decision")
def record_decision(ref: Ref, body: BoardDecisionIn, session: SessionDep, actor: CaseChair) -> CaseOut:
    """A chair records the board's decision: accept the recommendation, or depart from it with a reason
    (and, optionally, the outcomes chosen instead). Audited."""
    view = store.record_board_decision(
        session=session,
        ref=ref,
        accepted=body.accepted,
        reason=body.reason,
        outcomes=None if body.outcomes is None else [o.model_dump() for o in body.outcomes],
        actor=actor.email,
        today=service_today(),
        rulesets=rulesets(),
        decided_on=body.decided_on,
    )
    return _case_out(session, view.to_json(today=service_today(), rulesets=rulesets()))


@router.post("/cases/{ref}/close")
def close_case(
    ref: Ref, session: SessionDep, actor: CaseChairOrAdmin, body: CaseStatusIn | None = None
) -> CaseOut:
    """A chair or an admin closes a case whose review is done, with the reason (``{"reason": ...}``; the
    pages and Slack ask for it): it takes no new commissions, and its free text is removed
    ``SCR_RETENTION_YEARS`` later (``POST /retention/purge``). 409 if already closed. Audited."""
    reason = body.reason if body else None
    view = closing.close_case(
        session=session, ref=ref, actor=actor.email, today=service_today(), reason=reason
    )
    return _case_out(session, view.to_json(today=service_today(), rulesets=rulesets()))


@router.post("/cases/{ref}/reopen")
def reopen_case(ref: Ref, body: CaseStatusIn, session: SessionDep, actor: CaseChairOrAdmin) -> CaseOut:
    """A chair or an admin opens a closed case again, with the reason (required): its retention period
    stops until it is closed again. 409 if it is open. Audited."""
    view = closing.reopen_case(session=session, ref=ref, actor=actor.email, reason=body.reason or "")
    return _case_out(session, view.to_json(today=service_today(), rulesets=rulesets()))
