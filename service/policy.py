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


PolicyDep = Annotated[IndependencePolicy, Depends(independence_policy)]
RankingDep = Annotated[RankingPolicy, Depends(ranking_policy)]
