"""A case's shortlist, and batch plans over several cases."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from commissioning import partnerships, shortlists
from commissioning.models import Partnership
from core import clock
from matching.policy import describe
from service.access import AnyCommissioner, GrantsDep, require_case_role
from service.api.params import Ref
from service.api.schemas import (
    AlternateOut,
    PlanIn,
    PlanOut,
    ProposalOut,
    ShortlistOut,
)
from service.db import SessionDep, UnitOfWorkRoute
from service.models import Role
from service.policy import PolicyDep, RankingDep, partnership_policy

router = APIRouter(prefix="/api/v1", tags=["shortlist"], route_class=UnitOfWorkRoute)


@router.get("/cases/{ref}/shortlist")
def get_shortlist(
    ref: Ref,
    request: Request,
    session: SessionDep,
    grants: GrantsDep,
    ranking: RankingDep,
    limit: Annotated[int, Query(ge=1, le=200, description="how many candidates to list")] = 20,
) -> ShortlistOut:
    """Ranked candidates with their score breakdown and warnings; excluded consultants with findings.

    The case is judged by its lead partnership's independence policy. The lead partnership's local notes
    about a consultant show as warnings to its own commissioners and admins only."""
    # Whoever may read the case (``CaseReader``), checked here rather than by a dependency: the route needs
    # what the check finds, and a dependency would take another trip to a worker thread for it.
    access = require_case_role(request, session, grants, ref, ())
    lead = session.get(Partnership, access.case.partnership_id)
    policy = partnership_policy(lead).independence
    result = shortlists.shortlist_for(
        session=session, ref=ref, policy=policy, ranking=ranking, today=clock.today(), limit=limit
    )
    ranked, summary = result.shortlist, result.summary
    local: dict[int, list[dict[str, object]]] = {}
    if lead is not None and access.lead_roles & {Role.commissioner, Role.admin}:
        shown = [c.consultant.id for c in ranked.candidates] + [e.consultant.id for e in ranked.excluded]
        local = {
            consultant_id: [finding.to_json() for finding in found]
            for consultant_id, found in partnerships.notes_by_consultant(
                session, partnership=lead, consultant_ids=shown
            ).items()
        }
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
                    "warnings": [
                        *(finding.to_json() for finding in c.warnings),
                        *local.get(c.consultant.id, ()),
                    ],
                }
                for c in ranked.candidates
            ],
            "excluded": [
                {
                    "consultant_id": e.consultant.id,
                    "name": e.consultant.name,
                    "findings": [
                        *(finding.to_json() for finding in e.findings),
                        *local.get(e.consultant.id, ()),
                    ],
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
    body: PlanIn,
    request: Request,
    session: SessionDep,
    _: AnyCommissioner,
    grants: GrantsDep,
    policy: PolicyDep,
    ranking: RankingDep,
) -> PlanOut:
    """Propose one reviewer per case: as many cases covered as possible, then the best total fit.

    Every case must be one the caller commissions for (commissioner or admin of its lead partnership).
    Each case is judged by its lead partnership's independence policy, as its shortlist is. Nothing is
    commissioned: each proposal is then commissioned as usual.
    """
    leads: dict[str, int] = {}
    for ref in body.case_refs:
        leads[ref] = require_case_role(
            request, session, grants, ref, (Role.commissioner, Role.admin)
        ).case.partnership_id
    own = {pid: partnership_policy(session.get(Partnership, pid)).independence for pid in set(leads.values())}
    batch = shortlists.plan_for(
        session=session,
        refs=body.case_refs,
        policy=policy,
        ranking=ranking,
        today=clock.today(),
        alternates=body.alternates,
        case_policies={ref: own[pid] for ref, pid in leads.items()},
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
