"""A case's shortlist, and batch plans over several cases."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field, field_validator

from commissioning import commissions
from registry.conflicts import Finding
from registry.policy import describe
from registry.shortlist import PoolSummary
from service.auth import AnyUser, CommissionerUser
from service.db import SessionDep, UnitOfWorkRoute
from service.policy import PolicyDep, RankingDep

router = APIRouter(prefix="/api/v1", tags=["shortlist"], route_class=UnitOfWorkRoute)

# Case references are letters, digits and hyphens (HAC-2026-0007); anything else cannot name a case.
REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]*$"
Ref = Annotated[str, Path(min_length=1, max_length=32, pattern=REF_PATTERN, description="the case reference")]


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


def finding_out(finding: Finding) -> FindingOut:
    evidence = finding.evidence
    return FindingOut(
        rule=finding.rule,
        severity=finding.severity.value,
        reason=finding.reason,
        evidence={"kind": evidence.kind, "id": evidence.id, "fields": dict(evidence.fields)},
    )


def _summary_out(summary: PoolSummary) -> SummaryOut:
    return SummaryOut(
        checked=summary.checked,
        eligible=summary.eligible,
        message=summary.message,
        rules=[RuleCountOut(**vars(count)) for count in summary.rules],
    )


@router.get("/cases/{ref}/shortlist")
def get_shortlist(
    ref: Ref,
    session: SessionDep,
    _: AnyUser,
    policy: PolicyDep,
    ranking: RankingDep,
    limit: Annotated[int, Query(ge=1, le=200, description="how many candidates to list")] = 20,
) -> ShortlistOut:
    """Ranked candidates with their score breakdown and warnings; excluded consultants with findings."""
    result = commissions.shortlist_for(
        session=session, ref=ref, policy=policy, ranking=ranking, today=date.today(), limit=limit
    )
    ranked = result.shortlist
    return ShortlistOut(
        case_ref=result.case.ref,
        listed=result.listed,
        unavailable=result.listed - result.summary.checked,
        candidates=[
            CandidateOut(
                consultant_id=c.consultant.id,
                name=c.consultant.name,
                score=c.score,
                breakdown=[ScorePartOut(**vars(part)) for part in c.breakdown],
                warnings=[finding_out(f) for f in c.warnings],
            )
            for c in ranked.candidates
        ],
        excluded=[
            ExcludedOut(
                consultant_id=e.consultant.id,
                name=e.consultant.name,
                findings=[finding_out(f) for f in e.findings],
            )
            for e in ranked.excluded
        ],
        summary=_summary_out(result.summary),
        unknown_agencies=list(result.unknown_agencies),
        policy=[SettingOut(**vars(setting)) for setting in [*describe(policy), *describe(ranking)]],
    )


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


@router.post("/assignments/plan")
def plan_assignments(
    body: PlanIn, session: SessionDep, _: CommissionerUser, policy: PolicyDep, ranking: RankingDep
) -> PlanOut:
    """Propose one reviewer per case: as many cases covered as possible, then the best total fit.

    Nothing is commissioned: each proposal is then commissioned as usual.
    """
    batch = commissions.plan_for(
        session=session,
        refs=body.case_refs,
        policy=policy,
        ranking=ranking,
        today=date.today(),
        alternates=body.alternates,
    )
    names = batch.names
    return PlanOut(
        proposals=[
            ProposalOut(
                case_ref=p.case_ref,
                consultant_id=p.consultant_id,
                name=None if p.consultant_id is None else names[p.consultant_id],
                score=p.score,
                alternates=[AlternateOut(name=names[a.consultant_id], **vars(a)) for a in p.alternates],
                note=p.note,
            )
            for p in batch.plan.proposals
        ],
        assigned=batch.plan.assigned,
        total_score=batch.plan.total_score,
        message=batch.plan.message,
    )
