"""The independence policy and shortlist points this deployment runs with: defaults, then settings."""

from typing import Annotated

from fastapi import Depends

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
