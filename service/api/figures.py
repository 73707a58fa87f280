"""Figures across partnerships for analysts (and list admins): counts of cases, recommended outcomes,
commissions and consultants, per partnership and in total. Never a case reference, a case's features or
a person's name: an analyst reads figures and never a case."""

import datetime as dt
from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from commissioning import rules
from commissioning.models import Case, CaseDecision, Commission, DecisionKind, Partnership
from core.errors import Invalid
from registry.models import Consultant
from service.access import FigureReader
from service.db import SessionDep, UnitOfWorkRoute

router = APIRouter(prefix="/api/v1", tags=["figures"], route_class=UnitOfWorkRoute)


class OutcomeCount(BaseModel):
    outcome: str = Field(description="the outcome's id, as the rulesets name it (lcspr)")
    label: str = Field(description="the outcome in words")
    cases: int = Field(description="cases whose latest recommendation includes this outcome")


class Figures(BaseModel):
    cases: dict[str, int] = Field(description="cases by status: open, closed")
    outcomes: list[OutcomeCount] = Field(description="cases by the outcomes of their latest recommendation")
    commissions: dict[str, int] = Field(description="commissions of these cases, by status")


class PartnershipFigures(Figures):
    name: str
    prefix: str


class FiguresOut(BaseModel):
    from_: dt.date | None = Field(alias="from", description="cases created on or after this day")
    to: dt.date | None = Field(description="cases created on or before this day")
    total: Figures
    partnerships: list[PartnershipFigures]
    consultants: dict[str, int] = Field(description="consultants on the approved list, by status")


Where = list[ColumnElement[bool]]
Key = tuple[int, str]  # (lead partnership id, what is counted)


def _window(from_: dt.date | None, to: dt.date | None) -> Where:
    """The conditions on a case's creation for ``from_``..``to``, both days included."""
    if from_ is not None and to is not None and to < from_:
        raise Invalid(
            f"The period ends ({to}) before it starts ({from_}): give a 'to' day on or after the 'from' day.",
            [{"loc": ["query", "to"], "msg": "must be on or after 'from'"}],
        )
    where: Where = []
    if from_ is not None:
        where.append(col(Case.created_at) >= dt.datetime.combine(from_, dt.time.min, tzinfo=dt.UTC))
    if to is not None:
        where.append(col(Case.created_at) <= dt.datetime.combine(to, dt.time.max, tzinfo=dt.UTC))
    return where


def _cases(session: Session, where: Where) -> Counter[Key]:
    rows = session.exec(
        select(Case.partnership_id, Case.status, func.count())
        .where(*where)
        .group_by(Case.partnership_id, Case.status)
    ).all()
    return Counter({(pid, str(status)): n for pid, status, n in rows})


def _commissions(session: Session, where: Where) -> Counter[Key]:
    rows = session.exec(
        select(Case.partnership_id, Commission.status, func.count())
        .join(Case, col(Case.id) == Commission.case_id)
        .where(*where)
        .group_by(Case.partnership_id, Commission.status)
    ).all()
    return Counter({(pid, str(status)): n for pid, status, n in rows})


def _outcomes(session: Session, where: Where) -> Counter[Key]:
    """Each case's latest recommendation (the engine's newest answer), counted once under each outcome."""
    latest = (
        select(func.max(CaseDecision.id))
        .join(Case, col(Case.id) == CaseDecision.case_id)
        .where(CaseDecision.kind == DecisionKind.recommendation, *where)
        .group_by(CaseDecision.case_id)
    )
    rows = session.exec(
        select(Case.partnership_id, CaseDecision.result)
        .join(Case, col(Case.id) == CaseDecision.case_id)
        .where(col(CaseDecision.id).in_(latest))
    ).all()
    counts: Counter[Key] = Counter()
    for pid, result in rows:
        for outcome in {o.get("type") for o in (result or {}).get("outcomes", ()) if o.get("type")}:
            counts[(pid, outcome)] += 1
    return counts


def _figures(
    pid: int | None, cases: Counter[Key], outcomes: Counter[Key], commissions: Counter[Key]
) -> Figures:
    """The figures of partnership ``pid``, or of all of them when ``pid`` is None."""

    def of(counts: Counter[Key]) -> Counter[str]:
        mine: Counter[str] = Counter()
        for (owner, what), n in counts.items():
            if pid is None or owner == pid:
                mine[what] += n
        return mine

    types = rules.outcome_types()
    by_outcome = of(outcomes)
    order = [o for o in types if o in by_outcome] + sorted(o for o in by_outcome if o not in types)
    return Figures(
        cases={"open": 0, "closed": 0, **of(cases)},
        outcomes=[
            OutcomeCount(outcome=o, label=types[o].label if o in types else o, cases=by_outcome[o])
            for o in order
        ],
        commissions=dict(sorted(of(commissions).items())),
    )


@router.get("/figures", response_model=FiguresOut, response_model_by_alias=True)
def figures(
    session: SessionDep,
    _: FigureReader,
    from_: Annotated[
        dt.date | None, Query(alias="from", description="cases created on or after this day")
    ] = None,
    to: Annotated[dt.date | None, Query(description="cases created on or before this day")] = None,
) -> FiguresOut:
    """Counts across partnerships, by each case's lead partnership and in total; no case is named."""
    where = _window(from_, to)
    cases = _cases(session, where)
    outcomes = _outcomes(session, where)
    commissions = _commissions(session, where)
    consultants = session.exec(select(Consultant.status, func.count()).group_by(Consultant.status)).all()
    rows = session.exec(select(Partnership).order_by(col(Partnership.name))).all()
    return FiguresOut.model_validate(
        {
            "from": from_,
            "to": to,
            "total": _figures(None, cases, outcomes, commissions),
            "partnerships": [
                PartnershipFigures(
                    name=p.name, prefix=p.prefix, **_figures(p.id, cases, outcomes, commissions).model_dump()
                )
                for p in rows
            ],
            "consultants": dict(sorted((str(status), n) for status, n in consultants)),
        }
    )
