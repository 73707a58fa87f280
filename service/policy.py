"""The independence policy and shortlist points this deployment runs with: defaults, then settings."""

from typing import Annotated

from fastapi import Depends

from matching.policy import IndependencePolicy, RankingPolicy, configured
from service.settings import get_settings


def independence_policy() -> IndependencePolicy:
    settings = get_settings()
    return configured(
        IndependencePolicy, {"dbs_recheck_years": settings.dbs_recheck_years, **settings.independence_policy}
    )


def ranking_policy() -> RankingPolicy:
    return configured(RankingPolicy, get_settings().ranking_policy)


PolicyDep = Annotated[IndependencePolicy, Depends(independence_policy)]
RankingDep = Annotated[RankingPolicy, Depends(ranking_policy)]
