"""The thematic briefing from the database: the cases a partnership leads (or every partnership's), read
as the briefing's plain facts, and the briefing of a period built from them.

Keyword-only after ``session``. Reading only: the shells audit who asked for which briefing.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from commissioning import features
from commissioning.briefing import references
from commissioning.briefing.facts import CaseFacts, Period
from commissioning.briefing.report import Briefing, build
from commissioning.models import Case, Partnership

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


def case_facts(session: Session, *, partnership: Partnership | None) -> list[CaseFacts]:
    """The cases ``partnership`` leads (every case when None), as the briefing reads them."""
    query = select(Case, Partnership.prefix).join(Partnership, col(Partnership.id) == Case.partnership_id)
    if partnership is not None:
        query = query.where(Case.partnership_id == partnership.id)
    return [
        CaseFacts(case.ref, prefix, stored(case.features), case.created_at.date())
        for case, prefix in session.exec(query.order_by(col(Case.id))).all()
    ]


def thematic_briefing(
    session: Session, *, period: Period, partnership: Partnership | None, publishable: bool
) -> Briefing:
    """The briefing of ``partnership``'s cases (across partnerships when None) in ``period``."""
    return build(
        case_facts(session, partnership=partnership),
        period=period,
        scope=partnership.name if partnership is not None else ACROSS,
        publishable=publishable,
        references=references.for_partnership(partnership.prefix if partnership is not None else None),
    )
