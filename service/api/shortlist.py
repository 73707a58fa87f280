"""A case's shortlist, and batch plans over several cases."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from commissioning import shortlists
from matching.policy import describe
from service.api.params import Ref
from service.api.schemas import (
    AlternateOut,
    PlanIn,
    PlanOut,
    ProposalOut,
    ShortlistOut,
)
from service.auth import AnyUser, CommissionerUser
from service.db import SessionDep, UnitOfWorkRoute
from service.policy import PolicyDep, RankingDep

router = APIRouter(prefix="/api/v1", tags=["shortlist"], route_class=UnitOfWorkRoute)


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
    result = shortlists.shortlist_for(
        session=session, ref=ref, policy=policy, ranking=ranking, today=date.today(), limit=limit
    )
    ranked, summary = result.shortlist, result.summary
    # Plain data, validated once as a whole: a model built per finding cost more than the shortlist.
    return ShortlistOut.model_validate(
        {
            "case_ref": result.case.ref,
            "listed": result.listed,
            "unavailable": result.listed - summary.checked,
            "candidates": [
                {
                    "consultant_id": c.consultant.id,
                    "name": c.consultant.name,
                    "score": c.score,
                    "breakdown": [vars(part) for part in c.breakdown],
                    "warnings": [finding.to_json() for finding in c.warnings],
                }
                for c in ranked.candidates
            ],
            "excluded": [
                {
                    "consultant_id": e.consultant.id,
                    "name": e.consultant.name,
                    "findings": [finding.to_json() for finding in e.findings],
                }
                for e in ranked.excluded
            ],
            "summary": {
                "checked": summary.checked,
                "eligible": summary.eligible,
                "message": summary.message,
                "rules": [vars(count) for count in summary.rules],
            },
            "unknown_agencies": list(result.unknown_agencies),
            "policy": [vars(setting) for setting in [*describe(policy), *describe(ranking)]],
        }
    )


@router.post("/assignments/plan")
def plan_assignments(
    body: PlanIn, session: SessionDep, _: CommissionerUser, policy: PolicyDep, ranking: RankingDep
) -> PlanOut:
    """Propose one reviewer per case: as many cases covered as possible, then the best total fit.

    Nothing is commissioned: each proposal is then commissioned as usual.
    """
    batch = shortlists.plan_for(
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
