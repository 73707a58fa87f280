"""Tables of the commissioning side: partnerships, cases, decisions, commissions, declarations, terms of
reference.

A case holds features and a reference, never a child's name. Decisions keep the ruleset id and
version and the feature snapshot they used, so any answer can be reproduced years later.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, LargeBinary, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.clock import utcnow
from core.values import Line, PastDay
from registry.models import Input


class Partnership(SQLModel, table=True):
    """A local safeguarding children partnership (a board): the areas it covers are ``PartnershipArea``
    rows, its cases take its reference prefix, and ``policy`` holds its own values of the settings that
    are local policy (``commissioning.partnerships.policy_for`` reads them over the service's)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    prefix: str = Field(max_length=6, unique=True, index=True)
    reminder_channel: str | None = Field(default=None, max_length=80)
    admin_channel: str | None = Field(default=None, max_length=80)
    policy: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow)


class PartnershipArea(SQLModel, table=True):
    """A local-authority area (a slug such as ``city-of-london``) and the one partnership covering it."""

    __tablename__ = "partnership_area"

    area: str = Field(primary_key=True, max_length=100)
    partnership_id: int = Field(foreign_key="partnership.id", index=True, ondelete="CASCADE")


class CaseStatus(StrEnum):
    open = "open"
    closed = "closed"


class Case(SQLModel, table=True):
    __tablename__ = "review_case"

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=32, unique=True, index=True)
    area: str = Field(max_length=100, index=True)
    partnership_id: int = Field(foreign_key="partnership.id", index=True, description="the lead partnership")
    features: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: CaseStatus = Field(default=CaseStatus.open, sa_type=String(16), index=True)
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    closed_on: date | None = None
    idempotency_key: str | None = Field(default=None, max_length=128, unique=True)


class CaseContributor(SQLModel, table=True):
    """A partnership contributing to a case another leads: its people may read the case."""

    __tablename__ = "case_contributor"

    case_id: int = Field(foreign_key="review_case.id", primary_key=True, ondelete="CASCADE")
    partnership_id: int = Field(
        foreign_key="partnership.id", primary_key=True, index=True, ondelete="CASCADE"
    )


class CaseMilestone(SQLModel, table=True):
    """A date in the review's life (``commissioning.milestones``): one current record of each kind on a
    case; recording a kind again replaces it (the audit log keeps what it said)."""

    __tablename__ = "case_milestone"
    __table_args__ = (UniqueConstraint("case_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=40)
    on: date
    note: str | None = Field(default=None, max_length=2000)
    recorded_by: str = Field(max_length=254)
    recorded_at: datetime = Field(default_factory=utcnow)


class CaseStatusChange(SQLModel, table=True):
    """A case closed or reopened, with the reason given (removed by the retention purge)."""

    __tablename__ = "case_status_change"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True, ondelete="CASCADE")
    status: CaseStatus = Field(sa_type=String(16))
    reason: str | None = Field(default=None, max_length=2000)
    changed_by: str = Field(max_length=254)
    changed_at: datetime = Field(default_factory=utcnow)


class ConsultantLocalNote(SQLModel, table=True):
    """A partnership's local reason not to use a consultant: a warning to its own commissioners on the
    shortlist, not a removal from the shared list."""

    __tablename__ = "consultant_local_note"

    id: int | None = Field(default=None, primary_key=True)
    partnership_id: int = Field(foreign_key="partnership.id", index=True, ondelete="CASCADE")
    consultant_id: int = Field(foreign_key="consultant.id", index=True, ondelete="CASCADE")
    reason: str = Field(max_length=1000)
    recorded_by: str = Field(max_length=254)
    recorded_at: datetime = Field(default_factory=utcnow)


class DecisionKind(StrEnum):
    recommendation = "recommendation"
    board = "board"


class CaseDecision(SQLModel, table=True):
    """One entry in a case's decision history: the engine's recommendation or the board's decision."""

    __tablename__ = "case_decision"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True, ondelete="CASCADE")
    kind: DecisionKind = Field(sa_type=String(16))
    ruleset_id: str = Field(max_length=16)
    ruleset_version: str = Field(max_length=16)
    today: date = Field(description="the date the engine was run as of")
    features: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    result: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    accepted: bool | None = Field(default=None, description="board decisions: accepted the recommendation")
    reason: str | None = Field(default=None, max_length=4000)
    decided_by: str = Field(max_length=254)
    decided_at: datetime = Field(default_factory=utcnow)


class CommissionStatus(StrEnum):
    proposed = "proposed"
    declared = "declared"
    confirmed = "confirmed"
    declined = "declined"
    withdrawn = "withdrawn"


class CommissionRole(StrEnum):
    lead_reviewer = "lead_reviewer"
    panel_chair = "panel_chair"
    overview_author = "overview_author"
    agency_report_author = "agency_report_author"


class Commission(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True, ondelete="CASCADE")
    consultant_id: int = Field(foreign_key="consultant.id", index=True)
    role: CommissionRole = Field(sa_type=String(32))
    status: CommissionStatus = Field(default=CommissionStatus.proposed, sa_type=String(16), index=True)
    warnings: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    idempotency_key: str | None = Field(default=None, max_length=128, unique=True)
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Declaration(SQLModel, table=True):
    """The consultant's declaration of independence for one commission and one list of agencies.

    The consultant makes it themselves (``declared_by`` is how it reached the service), or signs it on
    paper or by email and an admin records it as such: ``recorded_by`` that admin, ``signed_on`` the
    statement's date and ``signed_reference`` where the signed statement is kept.
    """

    id: int | None = Field(default=None, primary_key=True)
    commission_id: int = Field(foreign_key="commission.id", index=True, ondelete="CASCADE")
    agencies: list[str] = Field(default_factory=list, sa_type=JSON)
    no_conflict: bool
    statement: str | None = Field(default=None, max_length=4000)
    declared_by: str = Field(max_length=254)
    declared_at: datetime = Field(default_factory=utcnow)
    void: bool = Field(default=False, description="voided when the case's agencies change")
    recorded_by: str | None = Field(default=None, max_length=254)
    signed_on: date | None = None
    signed_reference: str | None = Field(default=None, max_length=300)


class SignedStatement(Input):
    """A declaration the consultant signed on paper or by email, as an admin records it: the day they
    signed it, and where the signed statement is kept."""

    signed_on: PastDay = Field(description="the date the consultant signed the statement")
    reference: Line = Field(
        min_length=1,
        max_length=300,
        description="where the signed statement is kept: the attached file's name, or a reference to it",
    )


class TermsVersion(SQLModel, table=True):
    """One generated terms of reference, traceable to the template and clauses that produced it."""

    __tablename__ = "terms_version"
    __table_args__ = (UniqueConstraint("case_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True, ondelete="CASCADE")
    version: int
    template_version: str = Field(max_length=16)
    clauses_version: str = Field(max_length=16)
    content_hash: str = Field(max_length=64)
    content: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    markdown: str = Field(sa_type=Text)
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow)


class ChronologyRequest(SQLModel, table=True):
    """A case's request to one agency for its chronology: the period under review, the agency's own
    questions from the terms, and the day it is due. ``problems_at``/``problems`` record the last file
    that failed its checks (the agency's "received with problems" state) until one is accepted."""

    __tablename__ = "chronology_request"
    __table_args__ = (UniqueConstraint("case_id", "agency_id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True, ondelete="CASCADE")
    agency_id: str = Field(foreign_key="agency.id", index=True, max_length=64)
    period_start: date
    period_end: date
    questions: list[str] = Field(default_factory=list, sa_type=JSON)
    issued_on: date
    due_on: date
    issued_by: str = Field(max_length=254)
    issued_at: datetime = Field(default_factory=utcnow)
    problems_at: datetime | None = None
    problems: int = 0
    reminded_on: date | None = None
    late_notice_on: date | None = None


class ChronologyVersion(SQLModel, table=True):
    """One accepted file for a request: its checked rows (``commissioning.chronology.records``), the
    warnings accepted with it, and which version is current; earlier versions are kept."""

    __tablename__ = "chronology_version"
    __table_args__ = (UniqueConstraint("request_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="chronology_request.id", index=True, ondelete="CASCADE")
    version: int
    filename: str = Field(max_length=255)
    rows: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    warnings: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    current: bool = True
    uploaded_by: str = Field(max_length=254)
    uploaded_at: datetime = Field(default_factory=utcnow)


class GlossaryTerm(SQLModel, table=True):
    """A name in a case's chronologies and the code the coded view shows for it."""

    __tablename__ = "glossary_term"
    __table_args__ = (UniqueConstraint("case_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    code: str = Field(max_length=60)


class Recommendation(SQLModel, table=True):
    """A recommendation a case's review made, numbered as the review numbers them, with the writing
    checks' warnings as they stood when it was recorded (``commissioning.recommendations``). The
    partnership closes it once its actions are completed (``closed_on``)."""

    __tablename__ = "recommendation"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="review_case.id", index=True, ondelete="CASCADE")
    number: int
    text: str = Field(sa_type=Text)
    scope: str | None = Field(default=None, max_length=16)  # single_agency or multi_agency; None: undecided
    owner: str | None = Field(default=None, max_length=200)
    priority: str | None = Field(default=None, max_length=8)
    due_on: date | None = None
    finding: str | None = Field(default=None, sa_type=Text)
    warnings: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
    closed_on: date | None = None
    closed_by: str | None = Field(default=None, max_length=254)
    closed_note: str | None = Field(default=None, sa_type=Text)


class RecommendationAgency(SQLModel, table=True):
    """An agency a recommendation asks to act (one for a single-agency recommendation)."""

    __tablename__ = "recommendation_agency"

    recommendation_id: int = Field(foreign_key="recommendation.id", primary_key=True, ondelete="CASCADE")
    agency_id: str = Field(foreign_key="agency.id", primary_key=True, index=True, max_length=64)


class RecommendationAction(SQLModel, table=True):
    """One action of an agency's plan for a recommendation: what, who owns it (an email, to be chased),
    by when, and where it stands. ``agency_id`` None: an action the partnership keeps itself."""

    __tablename__ = "recommendation_action"

    id: int | None = Field(default=None, primary_key=True)
    recommendation_id: int = Field(foreign_key="recommendation.id", index=True, ondelete="CASCADE")
    agency_id: str | None = Field(default=None, foreign_key="agency.id", index=True, max_length=64)
    text: str = Field(sa_type=Text)
    owner: str = Field(max_length=254, index=True)
    due_on: date = Field(index=True)
    status: str = Field(default="not_started", max_length=24, index=True)
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ActionEvidence(SQLModel, table=True):
    """Evidence of an action done: a file (its bytes kept here) or a link, with a note."""

    __tablename__ = "action_evidence"

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="recommendation_action.id", index=True, ondelete="CASCADE")
    filename: str | None = Field(default=None, max_length=255)
    media_type: str | None = Field(default=None, max_length=100)
    content: bytes | None = Field(default=None, sa_type=LargeBinary)
    link: str | None = Field(default=None, max_length=2000)
    note: str | None = Field(default=None, sa_type=Text)
    added_by: str = Field(max_length=254)
    added_at: datetime = Field(default_factory=utcnow)
