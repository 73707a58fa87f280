"""Threshold decisions and cases: the stateless check, recording a case, changing it, the board's decision,
and the published feature catalogue and rulesets.

``POST /threshold`` is the hot path (the bot calls it on every answer): it reads no database and no
token, parses the body itself and writes the decision's JSON directly, because FastAPI's generic body
and response handling costs more than the decision does. Its OpenAPI schemas still come from the
catalogue and the response models below.
"""

import datetime as dt
import json
from functools import cache
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response, status
from pydantic import BaseModel, Field, WithJsonSchema

from commissioning import features, rules, store, threshold
from commissioning.models import CaseStatus
from registry.errors import Invalid
from service.api.shortlist import Ref
from service.auth import AnyUser, ChairOrAdminUser, ChairUser
from service.db import SessionDep
from service.settings import get_settings

router = APIRouter(prefix="/api/v1", tags=["threshold and cases"])
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL: refuse it as bad input, not fail on it

FeaturesIn = Annotated[dict[str, Any], WithJsonSchema(features.json_schema())]
RulesetChoice = Annotated[
    str, Field(description="'auto' chooses the edition in force on incident_date; or a ruleset id.")
]


class ReasonOut(BaseModel):
    rule: str
    text: str
    source: str


class DeadlineOut(BaseModel):
    date: dt.date | None = Field(
        description="null when the clock starts at a later event or its start is unknown"
    )
    basis: str


class OutcomeOut(BaseModel):
    type: str
    kind: Literal["review", "notification"]
    requirement: Literal["mandatory", "discretionary"]
    reasons: list[ReasonOut]
    deadline: DeadlineOut | None


class OpenQuestionOut(BaseModel):
    feature: str
    why: str


class RulesetRefOut(BaseModel):
    id: str
    version: str
    chosen_by: Literal["incident_date", "request", "today"]


class DecisionOut(BaseModel):
    """The engine's answer (the decision shape of the domain notes)."""

    ruleset: RulesetRefOut
    outcomes: list[OutcomeOut]
    open_questions: list[OpenQuestionOut]
    summary: str


class ThresholdIn(BaseModel):
    features: FeaturesIn
    ruleset: RulesetChoice = threshold.AUTO
    today: dt.date | None = Field(default=None, description="decide as of this date; default today")


def rulesets() -> tuple[rules.Ruleset, ...]:
    """The rulesets with this service's local settings (checked when the settings load)."""
    return rules.load_all(get_settings().rule_settings)


def _threshold_request(body: bytes) -> tuple[features.Features, str, dt.date]:
    """The valid features, ruleset and date of a threshold request, or ``Invalid`` listing every problem."""
    try:
        raw = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise Invalid("The body is not valid JSON.", [{"loc": ["body"], "msg": "not valid JSON"}]) from None
    if not isinstance(raw, dict):
        raise Invalid(
            "The body must be an object.", [{"loc": ["body"], "msg": 'expected {"features": {...}}'}]
        )
    problems = [
        {"loc": ["body", str(key)], "msg": "unknown field: send features, ruleset and today"}
        for key in raw
        if key not in ThresholdIn.model_fields
    ]
    if "features" not in raw:
        problems.append({"loc": ["body", "features"], "msg": "is required: the case features, as an object"})
    ruleset = raw.get("ruleset", threshold.AUTO)
    if not isinstance(ruleset, str) or (ruleset != threshold.AUTO and ruleset not in rules.available()):
        valid = [threshold.AUTO, *rules.available()]
        problems.append({"loc": ["body", "ruleset"], "msg": f"{ruleset!r} is not a ruleset", "valid": valid})
    today = dt.date.today()
    if raw.get("today") is not None:
        try:
            today = dt.date.fromisoformat(raw["today"])
        except (TypeError, ValueError):
            problems.append({"loc": ["body", "today"], "msg": "must be a date, YYYY-MM-DD"})
    valid_features: features.Features = {}
    try:
        valid_features = features.validate(raw.get("features", {}), today=today)
    except Invalid as error:
        problems += error.problems
    if problems:
        raise Invalid(f"{len(problems)} problem(s) with the request.", problems)
    return valid_features, ruleset, today


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
    responses={
        422: {
            "description": "Every problem with the request: the feature, the message and the valid values",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}},
        }
    },
    summary="Which reviews and notifications a case needs (stateless: stores nothing)",
)
async def check_threshold(request: Request) -> Response:
    """Decide from the features in the body; 422 lists every problem (feature, message, valid values).

    No sign-in needed: it stores nothing and holds no personal data.
    """
    valid, ruleset, today = _threshold_request(await request.body())
    decision = threshold.decide(valid, ruleset, today, rulesets=rulesets())
    return Response(json.dumps(decision.to_json()), media_type="application/json")


@router.get("/features", summary="The case-feature catalogue")
def list_features() -> list[dict[str, Any]]:
    """Every feature with its question, type, options, help, group, theme flag and source: the single
    source the Slack modal and the admin form are built from. No sign-in needed."""
    return [feature.to_json() for feature in features.CATALOGUE]


@router.get("/rulesets", summary="The rulesets, with their criteria, settings and sources")
def list_rulesets() -> list[dict[str, Any]]:
    """Every edition of the guidance the engine applies, oldest first. No sign-in needed."""
    return [ruleset.to_json() for ruleset in rulesets()]


class DecisionRecordOut(BaseModel):
    id: int
    kind: Literal["recommendation", "board"]
    ruleset: dict[str, str]
    today: dt.date
    features: dict[str, Any]
    result: dict[str, Any] = Field(description="the decision: the engine's, or the board's own outcomes")
    accepted: bool | None
    reason: str | None
    decided_by: str
    decided_at: dt.datetime


class CaseOut(BaseModel):
    ref: str
    area: str
    status: CaseStatus
    features: dict[str, Any]
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_on: dt.date | None = Field(default=None, description="when the case was closed; null while open")
    recommendation: DecisionOut | None
    board_decision: DecisionRecordOut | None
    history: list[DecisionRecordOut] | None = None
    redeclare: list[int] | None = Field(
        default=None,
        description="after a change of agencies: commissions whose consultant must declare again",
    )


class CasePage(BaseModel):
    items: list[CaseOut]
    total: int
    limit: int
    offset: int


class CaseIn(BaseModel):
    features: FeaturesIn
    ruleset: RulesetChoice = threshold.AUTO


class CaseChangeIn(BaseModel):
    features: FeaturesIn = Field(description="only the features to change; null or 'unknown' forgets one")
    ruleset: RulesetChoice = threshold.AUTO


class OutcomeChoice(BaseModel):
    type: str
    requirement: Literal["mandatory", "discretionary"]


class BoardDecisionIn(BaseModel):
    accepted: bool = Field(
        description="true: the board accepts the recommendation; false: it departs from it"
    )
    reason: str | None = Field(
        default=None, max_length=4000, pattern=NO_NUL, description="required when departing"
    )
    outcomes: list[OutcomeChoice] | None = Field(
        default=None,
        max_length=30,
        description="when departing: the outcomes the board chose instead ([] for none)",
    )


@router.post("/cases", status_code=status.HTTP_201_CREATED)
def create_case(
    body: CaseIn,
    response: Response,
    session: SessionDep,
    actor: AnyUser,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> CaseOut:
    """Record a case and the engine's recommendation; the reference (e.g. ``HAC-2026-0007``) holds no
    personal data. Send an ``Idempotency-Key`` header to make retries safe: the same key and features
    return the same case (200); the same key with other features is refused (409)."""
    view, created = store.create_case(
        session=session,
        raw_features=body.features,
        actor=actor.email,
        today=dt.date.today(),
        rulesets=rulesets(),
        ruleset=body.ruleset,
        idempotency_key=idempotency_key,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return CaseOut.model_validate(view.to_json())


@router.get("/cases")
def list_cases(
    session: SessionDep,
    _: AnyUser,
    status_: Annotated[CaseStatus | None, Query(alias="status")] = None,
    area: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CasePage:
    """Cases, newest first, each with its latest recommendation and board decision."""
    views, total = store.list_cases(session=session, status=status_, area=area, limit=limit, offset=offset)
    items = [CaseOut.model_validate(view.to_json(history=False)) for view in views]
    return CasePage(items=items, total=total, limit=limit, offset=offset)


@router.get("/cases/{ref}")
def get_case(ref: Ref, session: SessionDep, _: AnyUser) -> CaseOut:
    """A case with its whole decision history (each with its ruleset version and feature snapshot)."""
    return CaseOut.model_validate(store.get_case(session=session, ref=ref).to_json())


@router.patch("/cases/{ref}")
def change_case(ref: Ref, body: CaseChangeIn, session: SessionDep, actor: AnyUser) -> CaseOut:
    """Change features and decide again; earlier decisions stay in the history."""
    updated = store.update_case(
        session=session,
        ref=ref,
        changes=body.features,
        actor=actor.email,
        today=dt.date.today(),
        rulesets=rulesets(),
        ruleset=body.ruleset,
    )
    return CaseOut.model_validate({**updated.view.to_json(), "redeclare": updated.redeclare})


@router.post("/cases/{ref}/decision")
def record_decision(ref: Ref, body: BoardDecisionIn, session: SessionDep, actor: ChairUser) -> CaseOut:
    """A chair records the board's decision: accept the recommendation, or depart from it with a reason
    (and, optionally, the outcomes chosen instead). Audited."""
    view = store.record_board_decision(
        session=session,
        ref=ref,
        accepted=body.accepted,
        reason=body.reason,
        outcomes=None if body.outcomes is None else [o.model_dump() for o in body.outcomes],
        actor=actor.email,
        today=dt.date.today(),
    )
    return CaseOut.model_validate(view.to_json())


@router.post("/cases/{ref}/close")
def close_case(ref: Ref, session: SessionDep, actor: ChairOrAdminUser) -> CaseOut:
    """A chair or an admin closes a case whose review is done: it takes no new commissions, and its free
    text is removed ``SCR_RETENTION_YEARS`` later (``POST /retention/purge``). 409 if already closed.
    Audited."""
    view = store.close_case(session=session, ref=ref, actor=actor.email, today=dt.date.today())
    return CaseOut.model_validate(view.to_json())
