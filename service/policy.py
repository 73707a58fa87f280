"""The independence policy and shortlist points this deployment runs with: defaults, then settings; and the
settings a partnership's cases are judged by, its own values over those (``partnership_policy``)."""

from typing import Annotated

from fastapi import Depends
from sqlmodel import Session, select

from commissioning.models import Case, Commission, Partnership
from commissioning.partnerships import LocalPolicy, policy_for
from matching.policy import IndependencePolicy, RankingPolicy, configured
from service.settings import get_settings


def independence_policy() -> IndependencePolicy:
    """The policy's defaults, then ``SCR_DBS_RECHECK_YEARS``, then ``SCR_INDEPENDENCE_POLICY`` (which wins).

    The one place the DBS recheck period is read: routes and pages take the policy by injection
    (``PolicyDep``), so the shortlist, the listing filter, the card, the dashboard, the digest and a
    consultant's own record all judge a DBS check by the same number.
    """
    settings = get_settings()
    return configured(
        IndependencePolicy, {"dbs_recheck_years": settings.dbs_recheck_years, **settings.independence_policy}
    )


def ranking_policy() -> RankingPolicy:
    return configured(RankingPolicy, get_settings().ranking_policy)


async def _independence_policy() -> IndependencePolicy:
    """``independence_policy`` for routes: it only reads settings, so it runs on the event loop rather than
    taking a trip to a worker thread (as a plain function dependency would)."""
    return independence_policy()


async def _ranking_policy() -> RankingPolicy:
    """``ranking_policy`` for routes, on the event loop (see ``_independence_policy``)."""
    return ranking_policy()


PolicyDep = Annotated[IndependencePolicy, Depends(_independence_policy)]
RankingDep = Annotated[RankingPolicy, Depends(_ranking_policy)]


def service_policy() -> LocalPolicy:
    """The local policy settings of the service as a whole: what a partnership without its own uses."""
    settings = get_settings()
    return LocalPolicy(
        independence=independence_policy(),
        retention_years=settings.retention_years,
        reminder_lead_days=settings.slack_reminder_lead_days,
        chronology_working_days=settings.chronology_working_days,
    )


def partnership_policy(partnership: Partnership | None) -> LocalPolicy:
    """The settings ``partnership``'s cases are judged by: the service's, with its own values over them."""
    return policy_for(partnership, service=service_policy())


def case_policy(
    session: Session, *, ref: str | None = None, commission_id: int | None = None
) -> IndependencePolicy:
    """The independence policy case ``ref`` (or the case of ``commission_id``) is judged by: its lead
    partnership's."""
    query = select(Partnership).join(Case, Case.partnership_id == Partnership.id)  # type: ignore[arg-type]
    if commission_id is not None:
        query = query.join(Commission, Commission.case_id == Case.id).where(Commission.id == commission_id)  # type: ignore[arg-type]
    else:
        query = query.where(Case.ref == ref)
    return partnership_policy(session.exec(query).first()).independence


def retention_years_by_partnership(session: Session) -> dict[int, int]:
    """Each partnership's retention years, for the purge: its own, or the service's."""
    return {
        p.id: partnership_policy(p).retention_years  # type: ignore[misc]
        for p in session.exec(select(Partnership)).all()
    }
