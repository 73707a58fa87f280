"""The thematic briefing from the database: the cases a partnership leads (or every partnership's), read
as the briefing's plain facts, and the briefing of a period built from them.

Each case's facts are read in five queries whatever the number of cases: the cases, their milestones,
the decisions of those with milestones (their timelines' deadlines: ``milestone_store.read``), their
recommendations and their actions (overdue as ``recommendations.overdue`` says). Keyword-only after
``session``. Reading only: the shells audit who asked for which briefing.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from commissioning import features, milestone_store, rules
from commissioning.briefing import references
from commissioning.briefing.facts import Agency as AgencyFacts
from commissioning.briefing.facts import CaseFacts, Milestone, Period, Recommendations
from commissioning.briefing.report import Briefing, build
from commissioning.models import (
    Case,
    CaseDecision,
    CaseMilestone,
    Partnership,
    Recommendation,
    RecommendationAction,
)
from commissioning.recommendations import Status, overdue
from registry.models import Agency

ACROSS = "all partnerships"


def stored(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A case's stored features as validation gives them (dates as dates, lists as tuples), keeping the
    answers the catalogue still names, without checking again what was checked when they were stored."""
    out: dict[str, Any] = {}
    for name, value in raw.items():
        feature = features.BY_NAME.get(name)
        if feature is None or value is None:
            continue
        if feature.type == features.Kind.date:
            value = date.fromisoformat(value)
        elif isinstance(value, list):
            value = tuple(value)
        out[name] = value
    return out


def _scoped(query: Any, partnership: Partnership | None) -> Any:
    """``query`` (joined to the case) kept to the cases ``partnership`` leads, when one is given."""
    return query if partnership is None else query.where(Case.partnership_id == partnership.id)


def _milestones(
    session: Session,
    cases: Sequence[Case],
    partnership: Partnership | None,
    *,
    rulesets: Sequence[rules.Ruleset],
    today: date,
) -> dict[int, dict[str, Milestone]]:
    """Each case's milestones as its timeline reads them: the day recorded and the day due."""
    recorded: dict[int, list[CaseMilestone]] = defaultdict(list)
    query = select(CaseMilestone).join(Case, col(Case.id) == CaseMilestone.case_id)
    for row in session.exec(_scoped(query, partnership)).all():
        recorded[row.case_id].append(row)
    history: dict[int, list[CaseDecision]] = defaultdict(list)
    with_milestones = select(CaseMilestone.case_id)
    query = select(CaseDecision).join(Case, col(Case.id) == CaseDecision.case_id)
    query = query.where(col(CaseDecision.case_id).in_(with_milestones)).order_by(col(CaseDecision.id))
    for decision in session.exec(_scoped(query, partnership)).all():
        history[decision.case_id].append(decision)
    out: dict[int, dict[str, Milestone]] = {}
    for case in cases:
        if case.id not in recorded:
            continue
        reading = milestone_store.read(
            history=history[case.id],
            case_features=case.features,
            recorded=recorded[case.id],
            rulesets=rulesets,
            today=today,
        )
        out[case.id] = {
            entry.kind: Milestone(entry.recorded and entry.recorded.on, entry.due and entry.due.day)
            for entry in reading.timeline
        }
    return out


def _recommendations(
    session: Session, partnership: Partnership | None, *, today: date
) -> dict[int, Recommendations]:
    """Each case's recommendations counted, and its actions by agency (the partnership's own under the
    lead partnership's name)."""
    made: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # made, single, multi, completed
    query = select(Recommendation.case_id, Recommendation.scope, Recommendation.closed_on).join(
        Case, col(Case.id) == Recommendation.case_id
    )
    for case_id, scope, closed_on in session.exec(_scoped(query, partnership)).all():
        counts = made[case_id]
        counts[0] += 1
        counts[1] += scope == "single_agency"
        counts[2] += scope == "multi_agency"
        counts[3] += closed_on is not None
    lead = aliased(Partnership)
    query = (
        select(
            Recommendation.case_id,
            Agency.name,
            lead.name,
            RecommendationAction.status,
            RecommendationAction.due_on,
        )
        .join(Recommendation, col(Recommendation.id) == RecommendationAction.recommendation_id)
        .join(Case, col(Case.id) == Recommendation.case_id)
        .join(lead, col(lead.id) == Case.partnership_id)
        .outerjoin(Agency, col(Agency.id) == RecommendationAction.agency_id)
    )
    actions: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for case_id, agency, own, status, due_on in session.exec(_scoped(query, partnership)).all():
        counts = actions[case_id][agency or own]
        counts[0] += 1
        counts[1] += overdue(Status(status), due_on, today) > 0
    return {
        case_id: Recommendations(
            *counts,
            agencies=tuple(
                AgencyFacts(name, n, late) for name, (n, late) in sorted(actions[case_id].items())
            ),
        )
        for case_id, counts in made.items()
    }


def case_facts(
    session: Session,
    *,
    partnership: Partnership | None,
    rulesets: Sequence[rules.Ruleset],
    today: date,
) -> list[CaseFacts]:
    """The cases ``partnership`` leads (every case when None), as the briefing reads them as of ``today``
    under ``rulesets``."""
    query = select(Case, Partnership.prefix).join(Partnership, col(Partnership.id) == Case.partnership_id)
    rows = session.exec(_scoped(query, partnership).order_by(col(Case.id))).all()
    cases = [case for case, _ in rows]
    timelines = _milestones(session, cases, partnership, rulesets=rulesets, today=today)
    made = _recommendations(session, partnership, today=today)
    return [
        CaseFacts(
            case.ref,
            prefix,
            stored(case.features),
            case.created_at.date(),
            timelines.get(case.id, {}),  # type: ignore[arg-type]
            made.get(case.id, Recommendations()),  # type: ignore[arg-type]
        )
        for case, prefix in rows
    ]


def thematic_briefing(
    session: Session,
    *,
    period: Period,
    partnership: Partnership | None,
    publishable: bool,
    rulesets: Sequence[rules.Ruleset],
    today: date,
) -> Briefing:
    """The briefing of ``partnership``'s cases (across partnerships when None) in ``period``, as of
    ``today`` (which actions are overdue) under ``rulesets`` (the milestones' deadlines)."""
    return build(
        case_facts(session, partnership=partnership, rulesets=rulesets, today=today),
        period=period,
        scope=partnership.name if partnership is not None else ACROSS,
        publishable=publishable,
        references=references.for_partnership(partnership.prefix if partnership is not None else None),
    )
