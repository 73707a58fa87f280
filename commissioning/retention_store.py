"""The retention purge against the database: count the free text closed cases hold, let ``retention.due``
choose, and remove it with one audit event per case, in one transaction.

The audit log is not touched: it is hash-chained, and the free text it would otherwise repeat (board
reasons, declaration statements, review comments) is logged as fingerprints (``audit.fingerprint``).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from commissioning import chronology_store, retention
from commissioning.models import (
    Case,
    CaseDecision,
    CaseMilestone,
    CaseStatus,
    CaseStatusChange,
    Commission,
    DecisionKind,
    Declaration,
    TermsVersion,
)
from core import audit
from core.transaction import atomic
from registry.models import ReviewRecord


@dataclass(frozen=True)
class Report:
    """What a purge removed (or, in a dry run, would remove), case by case."""

    as_of: date
    years: int
    dry_run: bool
    cases: list[retention.Held]

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "retention_years": self.years,
            "closed_before": retention.closed_before(self.as_of, self.years),
            "dry_run": self.dry_run,
            "cases": [case.to_json() for case in self.cases],
            "totals": {name: sum(case.fields[name] for case in self.cases) for name in retention.FIELDS},
        }


def _counts(session: Session, query: Any) -> Mapping[Any, int]:
    return {key: count for key, count in session.exec(query)}


def held(*, session: Session) -> list[retention.Held]:
    """Every closed case with how many records still hold free text about it (nine queries in all)."""
    cases = session.exec(
        select(Case.id, Case.ref, Case.closed_on).where(
            Case.status == CaseStatus.closed.value, col(Case.closed_on).is_not(None)
        )
    ).all()
    reasons = _counts(
        session,
        select(CaseDecision.case_id, func.count())
        .where(CaseDecision.kind == DecisionKind.board.value, col(CaseDecision.reason).is_not(None))
        .group_by(col(CaseDecision.case_id)),
    )
    statements = _counts(
        session,
        select(Commission.case_id, func.count())
        .join(Declaration, col(Declaration.commission_id) == col(Commission.id))
        .where(col(Declaration.statement).is_not(None))
        .group_by(col(Commission.case_id)),
    )
    terms = _counts(
        session,
        select(TermsVersion.case_id, func.count())
        .where(col(TermsVersion.markdown) != "")
        .group_by(col(TermsVersion.case_id)),
    )
    comments = _counts(
        session,
        select(func.upper(ReviewRecord.case_ref), func.count())
        .where(col(ReviewRecord.comment).is_not(None))
        .group_by(func.upper(ReviewRecord.case_ref)),
    )
    chronologies = chronology_store.held_counts(session, case_ids=[case_id for case_id, _, _ in cases])
    notes = _counts(
        session,
        select(CaseMilestone.case_id, func.count())
        .where(col(CaseMilestone.note).is_not(None))
        .group_by(col(CaseMilestone.case_id)),
    )
    reasons_given = _counts(
        session,
        select(CaseStatusChange.case_id, func.count())
        .where(col(CaseStatusChange.reason).is_not(None))
        .group_by(col(CaseStatusChange.case_id)),
    )
    return [
        retention.Held(
            ref=ref,
            closed_on=closed_on,
            fields={
                "decision_reasons": reasons.get(case_id, 0),
                "declaration_statements": statements.get(case_id, 0),
                "terms_versions": terms.get(case_id, 0),
                "review_comments": comments.get(ref.upper(), 0),
                "chronology_entries": chronologies[case_id],
                "case_notes": notes.get(case_id, 0) + reasons_given.get(case_id, 0),
            },
        )
        for case_id, ref, closed_on in cases
    ]


def _remove(session: Session, case: Case) -> None:
    """Remove the free text held about ``case`` (the counts ``held`` reports)."""
    board = session.exec(
        select(CaseDecision).where(
            CaseDecision.case_id == case.id,
            CaseDecision.kind == DecisionKind.board.value,
            col(CaseDecision.reason).is_not(None),
        )
    )
    for decision in board:
        decision.result = retention.board_result_without_reason(decision.result, accepted=decision.accepted)
        decision.reason = None
        session.add(decision)
    commissions = select(Commission.id).where(Commission.case_id == case.id)
    session.exec(  # type: ignore[call-overload]
        update(Declaration)
        .where(col(Declaration.commission_id).in_(commissions), col(Declaration.statement).is_not(None))
        .values(statement=None)
    )
    session.exec(  # type: ignore[call-overload]
        update(TermsVersion)
        .where(col(TermsVersion.case_id) == case.id, col(TermsVersion.markdown) != "")
        .values(markdown="", content={})
    )
    session.exec(  # type: ignore[call-overload]
        update(ReviewRecord)
        .where(func.upper(ReviewRecord.case_ref) == case.ref.upper(), col(ReviewRecord.comment).is_not(None))
        .values(comment=None)
    )
    chronology_store.remove_free_text(session, case=case)
    for table, column in ((CaseMilestone, CaseMilestone.note), (CaseStatusChange, CaseStatusChange.reason)):
        session.exec(  # type: ignore[call-overload]
            update(table)
            .where(col(table.case_id) == case.id, col(column).is_not(None))
            .values({column: None})
        )


def _due(
    session: Session, *, as_of: date, years: int, years_by_partnership: Mapping[int, int]
) -> tuple[list[retention.Held], dict[str, int]]:
    """The closed cases due for purging, oldest closure first, each judged by its lead partnership's
    retention years (``years`` for a partnership without its own); and the years each was judged by."""
    lead = dict(
        session.exec(
            select(Case.ref, Case.partnership_id).where(Case.status == CaseStatus.closed.value)
        ).all()
    )
    judged = {ref: years_by_partnership.get(partnership_id, years) for ref, partnership_id in lead.items()}
    found = held(session=session)
    due = [item for item in found if retention.due([item], as_of=as_of, years=judged.get(item.ref, years))]
    return sorted(due, key=lambda item: (item.closed_on, item.ref)), judged


def purge(
    *,
    session: Session,
    as_of: date,
    today: date,
    years: int,
    dry_run: bool,
    actor: str,
    years_by_partnership: Mapping[int, int] | None = None,
) -> Report:
    """Remove the free text of cases closed more than ``years`` before ``as_of`` (a partnership's own
    retention years, in ``years_by_partnership``, for its cases); a dry run writes nothing.

    Each purged case gets an audit event (``case.purge``: the counts removed) in the same transaction.
    Running it again removes nothing more, so it is safe to schedule.
    """
    retention.check_as_of(as_of, today=today, dry_run=dry_run)
    local = years_by_partnership or {}
    if dry_run:
        return Report(
            as_of, years, dry_run, _due(session, as_of=as_of, years=years, years_by_partnership=local)[0]
        )
    with atomic(session=session):
        # Lock the closed cases first, so no decision or declaration slips in between counting and removing.
        cases = {
            case.ref: case
            for case in session.exec(
                select(Case).where(Case.status == CaseStatus.closed.value).with_for_update()
            )
        }
        due, judged = _due(session, as_of=as_of, years=years, years_by_partnership=local)
        for item in due:
            _remove(session, cases[item.ref])
            audit.record(
                session,
                "case.purge",
                item.ref,
                actor=actor,
                after={
                    "as_of": as_of,
                    "retention_years": judged.get(item.ref, years),
                    "closed_on": item.closed_on,
                    "removed": dict(item.fields),
                },
            )
    return Report(as_of, years, dry_run, due)
