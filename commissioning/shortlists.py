"""Database functions for matching consultants to cases: a case's shortlist, and batch plans over several.

Read-only. The cases and the places consultants hold come from ``commissioning.commissions``; the
consultants' profiles (through the per-process copy of the list, ``matching.profile_cache``), the
checks, the ranking and the solver from ``matching``.
"""

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlmodel import Session

from commissioning.commissions import context_of
from commissioning.workload import workload
from matching import candidates, plan, profile_cache, shortlist
from matching.candidates import Agencies
from matching.policy import IndependencePolicy, RankingPolicy
from matching.profile_cache import Snapshot
from matching.profiles import CaseContext, ConsultantProfile

# Shortlist -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseShortlist:
    case: CaseContext
    shortlist: shortlist.Shortlist
    summary: shortlist.PoolSummary
    listed: int  # consultants on the list (not removed)
    unknown_agencies: tuple[str, ...]  # names in the case no agency answers to: ties with them go unchecked


def shortlist_for(
    *,
    session: Session,
    ref: str,
    policy: IndependencePolicy,
    ranking: RankingPolicy,
    today: date,
    limit: int = 20,
) -> CaseShortlist:
    """The case's ranked candidates and excluded consultants.

    The SQL filter leaves out consultants who are unavailable (not approved, full, checks lapsed). When
    nobody is eligible, everyone on the list is checked instead, so the summary can say what excludes
    them and what would widen the pool.
    """
    with _gc_paused():
        run = _Run.of(session, [ref], policy, ranking, today)
        (context,) = run.contexts
        result = run.rank(run.profiles(), context, limit=limit)
        if result.eligible == 0:
            result = run.rank(run.profiles(available_only=False), context, limit=limit)
    listed = len(run.snapshot.listed)
    return CaseShortlist(context, result, shortlist.summarise(result), listed, run.agencies.unknown)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while every consultant on the list is loaded (the copy of the
    list read afresh, when the list has changed) and ranked.

    Profiles, findings and sort keys form no reference cycles, but allocating tens of thousands of them
    triggers full collections that walk every object in the process, again and again. Measured on
    PostgreSQL: at 10,000 consultants it was about half the CPU time; at 100,000 it made growth worse
    than linear.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class _Run:
    """What a shortlist or a batch plan is worked out against: the copy of the list, its cases, the
    agencies they name, the board's policies and the day."""

    session: Session
    snapshot: Snapshot
    contexts: list[CaseContext]
    agencies: Agencies
    policy: IndependencePolicy
    ranking: RankingPolicy
    today: date

    @classmethod
    def of(
        cls,
        session: Session,
        refs: list[str],
        policy: IndependencePolicy,
        ranking: RankingPolicy,
        today: date,
    ) -> "_Run":
        # The copy first: it reads the list's version before anything else is read.
        snapshot = profile_cache.snapshot(session)
        contexts = [
            context_of(session=session, ref=ref, partnerships=snapshot.partnership_for) for ref in refs
        ]
        agencies = snapshot.agencies(candidates.agency_names(contexts))
        return cls(session, snapshot, contexts, agencies, policy, ranking, today)

    def profiles(self, *, available_only: bool = True) -> list[ConsultantProfile]:
        """The consultants to check; every one on the list unless ``available_only``."""
        return self.snapshot.profiles_for(
            session=self.session,
            contexts=self.contexts,
            agencies=self.agencies,
            policy=self.policy,
            today=self.today,
            workload=workload(since=self.today - timedelta(days=self.ranking.rotation_days)),
            available_only=available_only,
        )

    def rank(
        self, profiles: list[ConsultantProfile], context: CaseContext, *, limit: int
    ) -> shortlist.Shortlist:
        return shortlist.rank(
            profiles,
            context,
            policy=self.policy,
            ranking=self.ranking,
            today=self.today,
            agencies=self.agencies.directory,
            limit=limit,
        )


# Batch plan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    plan: plan.Plan
    names: dict[int, str]  # consultant id -> name, for everyone the plan mentions


def plan_for(
    *,
    session: Session,
    refs: list[str],
    policy: IndependencePolicy,
    ranking: RankingPolicy,
    today: date,
    alternates: int = 3,
    case_policies: Mapping[str, IndependencePolicy] | None = None,
) -> Batch:
    """Propose one reviewer per case, maximising total fit under capacity and conflicts.

    Each case is judged by its own policy in ``case_policies`` (its lead partnership's), else by
    ``policy``. Only each case's best ``len(refs) + alternates`` candidates go to the solver. That loses
    nothing: if a plan gave a case someone outside its best ``len(refs)``, one of those would be unused by
    the other cases and free (candidates have a free place), and at least as good.
    """
    options: dict[str, plan.CaseOptions] = {}
    free: dict[int, int] = {}
    names: dict[int, str] = {}
    with _gc_paused():
        every = _Run.of(session, refs, policy, ranking, today)
        by_policy: list[tuple[IndependencePolicy, list[CaseContext]]] = []  # policies are not hashable
        for context in every.contexts:
            judged_by = (case_policies or {}).get(context.ref, policy)
            group = next((group for own, group in by_policy if own == judged_by), None)
            if group is None:
                by_policy.append((judged_by, group := []))
            group.append(context)
        for judged_by, group in by_policy:
            run = replace(every, contexts=group, policy=judged_by)
            profiles = run.profiles()
            for context in group:
                ranked = run.rank(profiles, context, limit=len(refs) + alternates)
                options[context.ref] = plan.CaseOptions(
                    context.ref, tuple(plan.Option(c.consultant.id, c.score) for c in ranked.candidates)
                )
            free |= {profile.id: profile.capacity - profile.active_commissions for profile in profiles}
            names |= {profile.id: profile.name for profile in profiles}
    return Batch(plan.plan([options[c.ref] for c in every.contexts], free, alternates=alternates), names)
