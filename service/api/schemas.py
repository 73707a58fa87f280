"""The API's request and response schemas, by router, in the order ``service.app`` includes them.

Routes read their shape from here, so a route module holds only what the route does. The shapes of what a
domain module returns as it is (the registry's ``*Public`` models, ``commissioning.consultant_views``)
stay beside their tables and queries. Shared path parameters are ``service.api.params``.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, WithJsonSchema, field_validator
from sqlmodel import SQLModel

from commissioning import features, threshold
from commissioning.consultant_views import CheckOut
from commissioning.models import CaseStatus, CommissionRole, CommissionStatus, SignedStatement
from core.values import Day, Line, OptionalText, Text
from registry import expiry
from registry.models import SLACK_USER_ID, AbsencePublic, EngagementPublic, InterestPublic
from registry.self_service import Declared
from service.api.params import REF_PATTERN
from service.models import Role

# Registry (service.api.registry) ------------------------------------------------------------------


class ReminderIn(SQLModel):
    check: expiry.Check


class ReminderOut(SQLModel):
    consultant_id: int
    name: str
    slack_user_id: str
    slack_team_id: str | None = Field(
        default=None, description="their Slack workspace; null: the deployment's own"
    )
    check: CheckOut


# Slack (service.api.slack) ------------------------------------------------------------------------


class HeldRole(SQLModel):
    partnership: str = Field(description="the partnership's prefix")
    name: str = Field(description="the partnership's name")
    role: Role


class Me(SQLModel):
    id: int
    role: Role = Field(
        description="one role to go by: admin for a list admin, else the strongest role held in a "
        "partnership (admin, commissioner, chair), or the regional one (analyst, bot)"
    )
    regional: Role = Field(description="the regional role: list_admin, analyst, member or bot")
    roles: list[HeldRole] = Field(default_factory=list, description="the roles held in partnerships")
    slack_user_id: str | None
    slack_team_id: str | None = Field(
        default=None, description="their Slack workspace; null: the deployment's own"
    )


class OutcomeLabel(SQLModel):
    id: str
    kind: str
    label: str


class Deadline(SQLModel):
    ref: str
    stage: str
    label: str
    due: dt.date
    basis: str
    partnership: str | None = Field(default=None, description="the lead partnership's prefix")


class PartnershipChannels(SQLModel):
    """Where a partnership's deadline reminders go, for the bot."""

    prefix: str
    name: str
    reminder_channel: str | None = Field(description="its reminder channel; null: the service's")
    reminder_lead_days: int | None = Field(
        description="how many days before a deadline its reminders go out; null: the service's setting"
    )
    slack_team_id: str | None = Field(
        default=None, description="the workspace its channels are in; null: the deployment's own"
    )


class CheckDue(SQLModel):
    consultant_id: int
    name: str
    slack_user_id: str | None
    slack_team_id: str | None = Field(
        default=None, description="their Slack workspace; null: the deployment's own"
    )
    check: expiry.Check
    label: str
    recorded: dt.date | None
    due: dt.date | None
    state: expiry.State


# Shortlists and plans (service.api.shortlist) -----------------------------------------------------


class FindingOut(BaseModel):
    rule: str
    severity: str
    reason: str
    evidence: dict[str, Any]


class ScorePartOut(BaseModel):
    component: str
    points: float
    why: str


class CandidateOut(BaseModel):
    consultant_id: int
    name: str
    score: float
    breakdown: list[ScorePartOut]
    warnings: list[FindingOut]


class ExcludedOut(BaseModel):
    consultant_id: int
    name: str
    findings: list[FindingOut]


class RuleCountOut(BaseModel):
    rule: str
    title: str
    excludes: int
    only_rule: int
    widen: str


class SummaryOut(BaseModel):
    checked: int
    eligible: int
    message: str
    rules: list[RuleCountOut]


class SettingOut(BaseModel):
    name: str
    value: Any
    basis: str
    source: str


class ShortlistOut(BaseModel):
    case_ref: str
    listed: int = Field(description="consultants on the list (not removed)")
    unavailable: int = Field(description="left out by the SQL filter: not approved, full, or checks lapsed")
    candidates: list[CandidateOut]
    excluded: list[ExcludedOut]
    summary: SummaryOut
    unknown_agencies: list[str] = Field(
        description="names in the case no agency answers to: ties go unchecked"
    )
    policy: list[SettingOut]


class PlanIn(BaseModel):
    case_refs: list[Annotated[str, Field(min_length=1, max_length=32, pattern=REF_PATTERN)]] = Field(
        min_length=1, max_length=100, description="the cases to find reviewers for"
    )
    alternates: int = Field(default=3, ge=0, le=10, description="other good candidates to list per case")

    @field_validator("case_refs")
    @classmethod
    def _distinct(cls, refs: list[str]) -> list[str]:
        repeated = sorted({ref for ref in refs if refs.count(ref) > 1})
        if repeated:
            raise ValueError(f"each case once; repeated: {', '.join(repeated)}")
        return refs


class AlternateOut(BaseModel):
    consultant_id: int
    name: str
    score: float
    free_after_plan: bool


class ProposalOut(BaseModel):
    case_ref: str
    consultant_id: int | None
    name: str | None
    score: float | None
    alternates: list[AlternateOut]
    note: str


class PlanOut(BaseModel):
    proposals: list[ProposalOut]
    assigned: int
    total_score: float
    message: str


# Commissions (service.api.commissions) ------------------------------------------------------------


class CommissionIn(BaseModel):
    consultant_id: int = Field(ge=1, le=2**31 - 1)
    role: CommissionRole


class DeclarationIn(BaseModel):
    agencies: list[Annotated[Line, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=50, description="every agency the case involves (id, name or alias)"
    )
    no_conflict: bool = Field(description="true: no conflict with any of them; false: a conflict, described")
    statement: OptionalText = Field(default=None, max_length=4000)
    slack_user_id: str | None = Field(
        default=None,
        pattern=SLACK_USER_ID,
        description="the declaring consultant's Slack id (required from the bot)",
    )


class RecordedDeclarationIn(SignedStatement):
    """A declaration the consultant signed on paper or by email, as an admin records it."""

    agencies: list[Annotated[Line, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=50, description="every agency the case involves, as the statement names them"
    )
    no_conflict: bool = Field(description="true: the statement declares no conflict; false: it declares one")
    statement: OptionalText = Field(
        default=None, max_length=4000, description="the conflict declared, in the statement's words"
    )


class ConfirmIn(BaseModel):
    reason: OptionalText = Field(
        default=None, max_length=2000, description="required if a conflict was declared"
    )


class DeclarationOut(BaseModel):
    agencies: list[str]
    no_conflict: bool
    statement: str | None
    declared_by: str
    declared_at: dt.datetime
    recorded_by: str | None = Field(
        default=None,
        description="the admin who recorded a declaration the consultant signed on paper or by email; "
        "null when the consultant declared themselves",
    )
    signed_on: dt.date | None = Field(
        default=None, description="the date of the consultant's signed statement"
    )
    signed_reference: str | None = Field(default=None, description="where the signed statement is kept")


class CommissionOut(BaseModel):
    id: int
    case_ref: str
    consultant_id: int
    consultant_name: str
    role: CommissionRole
    status: CommissionStatus
    warnings: list[dict[str, Any]] = Field(description="findings that warn: the commissioner saw them")
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    declaration: DeclarationOut | None = Field(
        description="the current declaration, if the consultant declared"
    )
    allowed_actions: list[str]


class ReasonIn(BaseModel):
    reason: Text = Field(min_length=3, max_length=2000)
    slack_user_id: str | None = Field(default=None, pattern=SLACK_USER_ID)


# Terms of reference (service.api.terms) -----------------------------------------------------------


class MissingOut(BaseModel):
    section: str = Field(description="the section key, e.g. 'independence'")
    title: str = Field(description="the section's heading")
    what: str = Field(description="what is still to be confirmed")


class VersionOut(BaseModel):
    case_ref: str
    version: int
    template_version: str
    clauses_version: str
    content_hash: str
    created_by: str
    created_at: dt.datetime
    downloads: dict[str, str] = Field(description="format -> URL")


class GeneratedOut(VersionOut):
    created: bool = Field(description="false when nothing changed and the latest version is returned")
    message: str
    missing: list[MissingOut] = Field(description="every section still to be confirmed, and what it needs")


class DiffOut(BaseModel):
    case_ref: str
    from_version: int
    to_version: int
    identical: bool
    changed_sections: list[str] = Field(description="headings whose text differs, in document order")
    diff: str = Field(description="unified diff of the two Markdown documents")


# Threshold and cases (service.api.cases) ----------------------------------------------------------

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
    title: str = Field(default="", description="the edition as people name it, e.g. 'Working Together 2023'")


class DecisionOut(BaseModel):
    """The engine's answer (the decision shape of the domain notes)."""

    ruleset: RulesetRefOut
    outcomes: list[OutcomeOut]
    open_questions: list[OpenQuestionOut]
    summary: str


class ThresholdIn(BaseModel):
    features: FeaturesIn
    ruleset: RulesetChoice = threshold.AUTO
    today: Day | None = Field(default=None, description="decide as of this date; default today")


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
    decided_by_name: str = Field(
        description="who decided, as people see them named: their display name, or their email until "
        "they have one"
    )
    decided_at: dt.datetime
    decided_on: dt.date | None = Field(
        default=None, description="board decisions: the day the board decided (its clocks count from it)"
    )


class NextDeadlineOut(BaseModel):
    """The case's earliest deadline still ahead, from the decision in force."""

    type: str = Field(description="the outcome whose deadline it is")
    date: dt.date
    basis: str


class NewerRulesOut(BaseModel):
    """How the newest version of the rules would answer a case differently from its recommendation."""

    ruleset: dict[str, str]
    outcomes: list[list[str]] | None = Field(
        description="[type, requirement] pairs of the new answer; null when the rules cannot decide the case"
    )
    text: str


class CaseOut(BaseModel):
    ref: str
    area: str
    partnership: str | None = Field(default=None, description="the lead partnership's prefix")
    partnership_name: str | None = Field(default=None, description="the lead partnership's name")
    contributing: list[str] = Field(default_factory=list, description="contributing partnerships' prefixes")
    status: CaseStatus
    features: dict[str, Any]
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_on: dt.date | None = Field(default=None, description="when the case was closed; null while open")
    recommendation: DecisionOut | None
    board_decision: DecisionRecordOut | None
    next_deadline: NextDeadlineOut | None = Field(
        description="the earliest deadline on or after today of the decision in force (the board's once it "
        "has decided, else the recommendation); null when none is dated"
    )
    history: list[DecisionRecordOut] | None = None
    newer_rules: NewerRulesOut | None = Field(
        default=None,
        description="when the newest version of the rules would now answer the case's recommendation "
        "differently: which version, its outcomes and a line of plain words; null when it would not",
    )
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
    reason: OptionalText = Field(default=None, max_length=4000, description="required when departing")
    outcomes: list[OutcomeChoice] | None = Field(
        default=None,
        max_length=30,
        description="when departing: the outcomes the board chose instead ([] for none)",
    )
    decided_on: Day | None = Field(
        default=None,
        description="the day the board decided, if not today: not after today, nor before the authority "
        "learned of the case; clocks that run from the decision count from it",
    )


class CaseStatusIn(BaseModel):
    reason: OptionalText = Field(
        default=None, max_length=2000, description="why the case is closed or reopened (required to reopen)"
    )


# Data protection (service.api.data_protection) ----------------------------------------------------


class PurgedCaseOut(BaseModel):
    ref: str
    closed_on: dt.date
    fields: dict[str, int] = Field(
        description="records whose free text was (or would be) removed: decision_reasons, "
        "declaration_statements, terms_versions, review_comments, chronology_entries, case_notes (milestone "
        "notes and the reasons for closing or reopening)"
    )


class PurgeOut(BaseModel):
    as_of: dt.date
    retention_years: int = Field(description="SCR_RETENTION_YEARS")
    closed_before: dt.date = Field(description="cases closed before this date are due")
    dry_run: bool
    cases: list[PurgedCaseOut]
    totals: dict[str, int]


# The consultant's own record (service.api.me) -----------------------------------------------------


class AgencyChoice(BaseModel):
    id: str
    name: str


# Declarations (service.api.declarations) ----------------------------------------------------------


class PendingOut(BaseModel):
    kind: Declared
    consultant_id: int
    consultant_name: str
    record: EngagementPublic | InterestPublic


class RejectIn(BaseModel):
    reason: Text = Field(min_length=3, max_length=1000)


class AvailabilityOut(BaseModel):
    capacity: int
    away: list[AbsencePublic]


# The thematic briefing (service.api.reports) ------------------------------------------------------


class ReferenceOut(BaseModel):
    percent: float
    area: str
    source: str
    year: int


class FigureOut(BaseModel):
    group: str
    key: str = Field(description="stable and readable: age.under_1_year, theme.domestic_abuse, ...")
    label: str
    count: int | None = Field(description="null where the publishable version suppresses it")
    denominator: int | None = Field(description="what the count is out of; null when itself suppressed")
    percent: float | None = Field(description="null where suppressed, or when there is nothing to share")
    reference: ReferenceOut | None = Field(
        description="a figure to compare with, when the partnership has one"
    )


class BriefingOut(BaseModel):
    from_: dt.date = Field(alias="from")
    to: dt.date
    scope: str = Field(description="the partnership's name, or all partnerships")
    publishable: bool
    cases: int = Field(description="how many cases are in scope")
    figures: list[FigureOut]
    case_references: list[str] = Field(description="the cases counted (the internal version only)")
